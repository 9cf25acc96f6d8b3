// Simulated eventual consistency: stale reads on demand, replayable with a seed,
// and a version log that stays bounded by the staleness window.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { createDomain, get, ManualClock, ok, put, select, start } from '../support/sync.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('stale reads', () => {
  it('frozen: eventually consistent GetAttributes and Select return the old state, ConsistentRead=true the new', async () => {
    emu = await start();
    await createDomain(emu, 'users');
    await put(emu, 'users', 'alice', { plan: 'free' });
    emu.control.freeze();
    await put(emu, 'users', 'alice', { plan: 'pro' });
    await put(emu, 'users', 'bob', { plan: 'pro' });

    expect(await get(emu, 'users', 'alice', false)).toEqual({ plan: ['free'] });
    expect(await get(emu, 'users', 'bob', false)).toEqual({});
    expect(await get(emu, 'users', 'alice', true)).toEqual({ plan: ['pro'] });

    const query = "select * from users where plan = 'pro'";
    expect(await select(emu, query, false)).toEqual([]);
    expect((await select(emu, query, true)).sort()).toEqual(['alice', 'bob']);

    emu.control.thaw();
    expect(await get(emu, 'users', 'alice', false)).toEqual({ plan: ['pro'] });
    expect((await select(emu, query, false)).sort()).toEqual(['alice', 'bob']);
  });

  it('frozen: conditional checks see the latest write, not the replica', async () => {
    emu = await start({ consistency: 'frozen' });
    await createDomain(emu, 'd1x');
    await put(emu, 'd1x', 'row', { v: '2' });
    // The replica (frozen before the put) has no `v`; the check must use the live value.
    expect(await get(emu, 'd1x', 'row', false)).toEqual({});
    const r = await put(emu, 'd1x', 'row', { v: '3' }, { 'Expected.1.Name': 'v', 'Expected.1.Value': '2' });
    expect(r.status).toBe(200);
  });

  it('eventual with a seed: a read may miss writes younger than its drawn staleness', async () => {
    const clock = new ManualClock();
    emu = await start({ now: clock.now, consistency: 'eventual', maxStalenessMs: 1000, seed: 7 });
    await createDomain(emu, 'cfg');
    await put(emu, 'cfg', 'flag', { on: 'no' });
    clock.advance(5000);
    await put(emu, 'cfg', 'flag', { on: 'yes' });
    clock.advance(400);
    // The write is 400 ms old: reads drawing up to 400 ms of staleness see it, the others do not.
    const seen = [];
    for (let i = 0; i < 20; i++) seen.push((await get(emu, 'cfg', 'flag', false)).on?.[0]);
    const lags = emu.control.journal({ action: 'GetAttributes' }).map((e) => e.read?.lagMs ?? -1);
    expect(seen).toEqual(lags.map((lag) => (lag > 400 ? 'no' : 'yes')));
    expect(seen).toContain('no');
    expect(seen).toContain('yes');
    expect(await get(emu, 'cfg', 'flag', true)).toEqual({ on: ['yes'] });
    // Once the clock is past the window every read has converged.
    clock.advance(1000);
    for (let i = 0; i < 5; i++) expect(await get(emu, 'cfg', 'flag', false)).toEqual({ on: ['yes'] });
  });

  it('eventual: a stale Select sees the domain as it was', async () => {
    const clock = new ManualClock();
    emu = await start({ now: clock.now, consistency: 'eventual', maxStalenessMs: 1000, seed: 1 });
    await createDomain(emu, 'jobs');
    await put(emu, 'jobs', 'j1', { state: 'queued' });
    clock.advance(2000);
    await put(emu, 'jobs', 'j1', { state: 'done' });
    await put(emu, 'jobs', 'j2', { state: 'queued' });
    // No time passes: a read drawing any staleness above 0 ms misses the last two writes.
    const queued = await select(emu, "select * from jobs where state = 'queued'", false);
    const entry = emu.control.journal({ action: 'Select' }).at(-1);
    expect(entry?.read?.lagMs).toBeGreaterThan(0);
    expect(entry?.read?.stale).toBe(true);
    expect(queued).toEqual(['j1']);
    expect(await select(emu, "select * from jobs where state = 'queued'", true)).toEqual(['j2']);
  });

  it('a replica re-frozen later sees the writes made meanwhile; deletes show up late too', async () => {
    emu = await start({ consistency: 'frozen' });
    await createDomain(emu, 'd2x');
    await put(emu, 'd2x', 'a', { x: '1', y: '1' });
    emu.control.freeze();
    expect(await get(emu, 'd2x', 'a', false)).toEqual({ x: ['1'], y: ['1'] });
    await ok(emu, 'DeleteAttributes', { DomainName: 'd2x', ItemName: 'a', 'Attribute.1.Name': 'y' });
    await put(emu, 'd2x', 'a', { x: '1' }); // Replace of a value with itself: no change
    expect(await get(emu, 'd2x', 'a', false)).toEqual({ x: ['1'], y: ['1'] });
    expect(await get(emu, 'd2x', 'a', true)).toEqual({ x: ['1'] });
    emu.control.freeze();
    expect(await get(emu, 'd2x', 'a', false)).toEqual({ x: ['1'] });
  });
});

describe('determinism', () => {
  async function staleness(seed: number): Promise<number[]> {
    const clock = new ManualClock();
    const e = await start({ now: clock.now, consistency: 'eventual', maxStalenessMs: 1000, seed });
    try {
      await createDomain(e, 'det');
      for (let i = 0; i < 10; i++) await get(e, 'det', 'x', false);
      return e.control.journal({ action: 'GetAttributes' }).map((j) => j.read?.lagMs ?? -1);
    } finally {
      await e.close();
    }
  }

  it('the same seed gives the same staleness sequence; another seed another', async () => {
    const a = await staleness(42);
    expect(await staleness(42)).toEqual(a);
    expect(await staleness(43)).not.toEqual(a);
    expect(a.every((ms) => ms >= 0 && ms <= 1000)).toBe(true);
  });

  it('a seed set at run time restarts the sequence', async () => {
    const clock = new ManualClock();
    emu = await start({ now: clock.now, consistency: 'eventual', seed: 5 });
    await createDomain(emu, 'det');
    for (let i = 0; i < 3; i++) await get(emu, 'det', 'x', false);
    emu.control.consistency({ seed: 5 });
    for (let i = 0; i < 3; i++) await get(emu, 'det', 'x', false);
    const lags = emu.control.journal({ action: 'GetAttributes' }).map((j) => j.read?.lagMs);
    expect(lags.slice(3)).toEqual(lags.slice(0, 3));
    expect(emu.control.consistency().seed).toBe(5);
  });
});

describe('version log', () => {
  it('keeps only the staleness window during a long write loop', async () => {
    const clock = new ManualClock();
    emu = await start({ now: clock.now, consistency: 'eventual', maxStalenessMs: 1000, seed: 3 });
    await createDomain(emu, 'loop');
    // 1000 writes 10 ms apart: the window (1000 ms) holds about 100 of them at any time.
    for (let i = 0; i < 1000; i++) {
      clock.advance(10);
      await put(emu, 'loop', `item${i % 50}`, { n: String(i) });
    }
    const { history, latestSeq } = emu.control.consistency();
    expect(latestSeq).toBe(1000);
    expect(history.writes).toBeLessThanOrEqual(101);
    // Each write replaces one value: two changes.
    expect(history.changes).toBeLessThanOrEqual(2 * 101);
  });

  it('the consistent mode logs nothing; switching to it drops the log', async () => {
    emu = await start({ consistency: 'eventual' });
    await createDomain(emu, 'd3x');
    await put(emu, 'd3x', 'a', { v: '1' });
    expect(emu.control.consistency().history.changes).toBe(1);
    emu.control.consistency({ mode: 'consistent' });
    await put(emu, 'd3x', 'a', { v: '2' });
    expect(emu.control.consistency().history).toEqual({ writes: 0, changes: 0 });
    expect(emu.store.db.prepare("SELECT count(*) AS n FROM sqlite_temp_master WHERE name LIKE 'sync_%'").get()).toEqual({ n: 0 });
  });

  it('a rolled back write takes no sequence number; reset and DeleteDomain forget the past', async () => {
    emu = await start({ consistency: 'frozen' });
    await createDomain(emu, 'd4x');
    await put(emu, 'd4x', 'a', { v: '1' });
    const before = emu.control.consistency().latestSeq;
    const failed = await put(emu, 'd4x', 'a', { v: '9' }, { 'Expected.1.Name': 'v', 'Expected.1.Value': 'nope' });
    expect(failed.code).toBe('ConditionalCheckFailed');
    expect(emu.control.consistency().latestSeq).toBe(before);

    await ok(emu, 'DeleteDomain', { DomainName: 'd4x' });
    await createDomain(emu, 'd4x');
    // The recreated domain may reuse the old id; it must not show the old domain's item.
    expect(await get(emu, 'd4x', 'a', false)).toEqual({});
    await put(emu, 'd4x', 'b', { v: '1' });
    emu.reset();
    expect(emu.control.consistency().history.changes).toBe(0);
  });
});

describe('draws keyed by client', () => {
  /** Each client's lags, after the clients read the same item in `order`. */
  async function lagsOf(order: readonly string[]): Promise<Record<string, (number | undefined)[]>> {
    const clock = new ManualClock();
    const run = await start({ now: clock.now, consistency: 'eventual', seed: 11 });
    try {
      await createDomain(run, 'inter');
      for (const who of order) await get(run, 'inter', 'x', false, who);
      const entries = run.control.journal({ action: 'GetAttributes' });
      return Object.fromEntries([...new Set(order)].map((who) => [who, entries.filter((e) => e.userAgent === who).map((e) => e.read?.lagMs)]));
    } finally {
      await run.close();
    }
  }

  it("a client's reads draw the same staleness however the clients interleave", async () => {
    const apart = await lagsOf(['ua-a', 'ua-a', 'ua-a', 'ua-b', 'ua-b', 'ua-b']);
    const interleaved = await lagsOf(['ua-b', 'ua-a', 'ua-b', 'ua-a', 'ua-a', 'ua-b']);
    expect(interleaved).toEqual(apart);
    // Not one constant: each read draws anew.
    expect(new Set(apart['ua-a']).size).toBeGreaterThan(1);
    expect(apart['ua-a']).not.toEqual(apart['ua-b']);
  });
});

describe('staleness counted in writes', () => {
  it('a read is at most N writes behind, whatever the clock says; N = 0 reads the latest', async () => {
    emu = await start({ consistency: 'eventual', maxStalenessWrites: 2, seed: 3 });
    await createDomain(emu, 'wrd');
    for (let i = 0; i < 6; i++) await put(emu, 'wrd', 'row', { v: String(i) });
    for (let i = 0; i < 20; i++) await get(emu, 'wrd', 'row', false);
    const behind = () => emu?.control.journal({ action: 'GetAttributes' }).map((e) => e.read?.behindWrites ?? -1) ?? [];
    expect(new Set(behind())).toEqual(new Set([0, 1, 2]));
    expect(emu.control.consistency()).toMatchObject({ mode: 'eventual', maxStalenessWrites: 2 });

    emu.control.clearJournal();
    emu.control.consistency({ maxStalenessWrites: 0 });
    for (let i = 0; i < 5; i++) expect(await get(emu, 'wrd', 'row', false)).toEqual({ v: ['5'] });
    expect(behind()).toEqual([0, 0, 0, 0, 0]);
    expect(emu.control.consistency({ maxStalenessWrites: null }).maxStalenessWrites).toBeNull();
  });
});
