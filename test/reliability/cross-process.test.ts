/**
 * Two emulator processes on one file: workers split across them increment one counter with
 * conditional puts (read, then PutAttributes with Expected.1.Value = what was read). SQLite's
 * locking across processes must make the check and the write one step, so the total is exact
 * and every value is replaced exactly once.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { post, runSeed, SCALE, seededRandom, startCli, stopAll, stopCli, tempDir, type CliServer } from './support.js';

const SEED = runSeed();
const WORKERS = 8;
const INCREMENTS = 25 * SCALE;
/** Attempts per increment; every conflict means another worker won, so this is never reached. */
const MAX_ATTEMPTS = 10_000;
const DOMAIN = 'shared';

const tmp = tempDir('cross');
afterAll(async () => {
  await stopAll();
  tmp.remove();
});

async function read(server: CliServer): Promise<number> {
  const res = await post(server, [
    ['Action', 'GetAttributes'],
    ['DomainName', DOMAIN],
    ['ItemName', 'counter'],
    ['AttributeName.1', 'v'],
    ['ConsistentRead', 'true'],
  ]);
  if (res.status !== 200) throw new Error(`GetAttributes: ${res.status} ${res.text}`);
  const value = /<Value>(\d+)<\/Value>/.exec(res.text)?.[1];
  if (value === undefined) throw new Error(`no counter value: ${res.text}`);
  return Number(value);
}

/** Increments `count` times; returns the values it replaced and how many conflicts it met. */
async function worker(server: CliServer, count: number, random: () => number): Promise<{ replaced: number[]; conflicts: number }> {
  const replaced: number[] = [];
  let conflicts = 0;
  for (let attempt = 0; replaced.length < count; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new Error(`gave up after ${MAX_ATTEMPTS} attempts`);
    const from = await read(server);
    // A seeded share of attempts re-reads before writing, so the interleavings vary with the seed.
    if (random() < 0.2) await read(server);
    const res = await post(server, [
      ['Action', 'PutAttributes'],
      ['DomainName', DOMAIN],
      ['ItemName', 'counter'],
      ['Attribute.1.Name', 'v'],
      ['Attribute.1.Value', String(from + 1)],
      ['Attribute.1.Replace', 'true'],
      ['Expected.1.Name', 'v'],
      ['Expected.1.Value', String(from)],
    ]);
    if (res.status === 200) replaced.push(from);
    else if (res.status === 409 && res.text.includes('<Code>ConditionalCheckFailed</Code>')) conflicts++;
    else throw new Error(`PutAttributes: ${res.status} ${res.text}`);
  }
  return { replaced, conflicts };
}

describe(`cross-process: ${WORKERS} workers on two emulator processes sharing one file (seed ${SEED})`, () => {
  it(`${WORKERS} × ${INCREMENTS} conditional increments end exactly at ${WORKERS * INCREMENTS}`, { timeout: 60_000 * SCALE }, async () => {
    const args = ['--db', join(tmp.dir, 'shared.db')];
    const a = await startCli(args);
    const b = await startCli(args);
    await post(a, [['Action', 'CreateDomain'], ['DomainName', DOMAIN]]);
    const init = await post(b, [
      ['Action', 'PutAttributes'],
      ['DomainName', DOMAIN],
      ['ItemName', 'counter'],
      ['Attribute.1.Name', 'v'],
      ['Attribute.1.Value', '0'],
      ['Expected.1.Name', 'v'],
      ['Expected.1.Exists', 'false'],
    ]);
    expect(init.status, init.text).toBe(200);
    const random = seededRandom(SEED);
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) => worker(w % 2 === 0 ? a : b, INCREMENTS, seededRandom(Math.floor(random() * 2 ** 32)))),
    );
    const total = WORKERS * INCREMENTS;
    expect(await read(a)).toBe(total);
    expect(await read(b)).toBe(total);
    // No lost update: each value from 0 to total - 1 was replaced by exactly one worker.
    const replaced = results.flatMap((r) => r.replaced).sort((x, y) => x - y);
    expect(replaced).toEqual(Array.from({ length: total }, (_, k) => k));
    const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
    // Without conflicts the workers never raced and the run proved nothing.
    expect(conflicts).toBeGreaterThan(0);
    console.info(`cross-process (seed ${SEED}): ${total}/${total} increments across two processes, ${conflicts} conflicts`);
    await Promise.all([stopCli(a, 'SIGTERM'), stopCli(b, 'SIGTERM')]);
    expect(a.stderr() + b.stderr()).toBe('');
  });
});
