// A large request yields more while others are being served (emulator/http/gate.ts `turn`): its
// pauses between slices and body chunks rest on a short timer instead of a bare turn of the
// event loop, so that on a small machine the small requests and their clients get a core
// (docs/performance.md, "One large request beside small ones"). Alone, or with requests waiting
// for it, it goes at full speed. The gate's `paused` hook says which pauses rested.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { ACTIVE_MS, REST_MS, WriteGate } from '../../emulator/http/gate.js';
import { call, emulator, largeBatch, ok } from '../support/protocol.js';

const DOMAIN = 'paced';

/** Values of 100 bytes: a body of about 1 MB, read and applied in slices. */
const batch = (prefix: string) => largeBatch(DOMAIN, prefix, (i, a) => `${prefix}${i}:${a}:`.padEnd(100, 'v'));

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('the pause between slices of a large request', () => {
  it('is a bare turn with nothing else served, a rest while others are, and a turn again once they stop', async () => {
    const gate = new WriteGate();
    expect(gate.resting()).toBe(false);
    gate.served();
    expect(gate.resting()).toBe(true);
    await gate.turn();
    await sleep(ACTIVE_MS + 20);
    expect(gate.resting()).toBe(false);
  });

  it('pays a rest that overran back with bare turns, then rests again', async () => {
    const gate = new WriteGate();
    gate.served();
    const rest = gate.turn();
    // The timer cannot fire while this holds the thread: the rest lasts at least 10 ms, ten times REST_MS.
    const until = performance.now() + 10 * REST_MS;
    while (performance.now() < until);
    await rest;
    let bare = 0;
    for (gate.served(); !gate.resting() && bare < 1000; gate.served()) {
      await gate.turn();
      bare++;
    }
    expect(bare).toBeGreaterThanOrEqual(8);
    expect(bare).toBeLessThan(1000);
  });

  it('does not rest while requests wait for the large write: they are waiting for it to end', async () => {
    const gate = new WriteGate();
    expect(gate.acquire(undefined)).toBeUndefined();
    const second = gate.acquire(undefined);
    expect(second).toBeInstanceOf(Promise);
    gate.served();
    expect(gate.resting()).toBe(false);
    gate.release();
    await second;
    gate.release();
    expect(gate.resting()).toBe(true);
  });

  it('rests in a batch sent while other requests are answered, and in none sent after a quiet spell', async () => {
    const pauses: boolean[] = [];
    // Armed, the next slice boundary holds the batch until `release`, so that a small request is surely answered mid-way.
    let armed: (() => void) | undefined;
    let release: (() => void) | undefined;
    emu = await emulator({
      sliceHooks: {
        paused: (rested) => pauses.push(rested),
        slice: () => {
          if (!armed) return undefined;
          armed();
          armed = undefined;
          return new Promise<void>((resolve) => (release = resolve));
        },
      },
    });
    await ok(emu, { Action: 'CreateDomain', DomainName: DOMAIN });
    await ok(emu, { Action: 'PutAttributes', DomainName: DOMAIN, ItemName: 'other', 'Attribute.1.Name': 'x', 'Attribute.1.Value': '1' });

    // Quiet for longer than ACTIVE_MS: the time since the last answer is what the gate looks at.
    await sleep(ACTIVE_MS + 20);
    await ok(emu, batch('alone-'));
    const alone = pauses.splice(0);
    expect(alone.length).toBeGreaterThan(10);
    expect(alone.filter((r) => r)).toEqual([]);

    await sleep(ACTIVE_MS + 20);
    const reached = new Promise<void>((resolve) => (armed = resolve));
    const busy = ok(emu, batch('beside-'));
    await reached;
    const before = pauses.length;
    const small = await call(emu, { Action: 'GetAttributes', DomainName: DOMAIN, ItemName: 'other' });
    expect(small.status).toBe(200);
    release?.();
    await busy;
    expect(pauses.slice(0, before).filter((r) => r)).toEqual([]);
    expect(pauses.slice(before).some((r) => r)).toBe(true);
  });
});
