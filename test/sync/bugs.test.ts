// Real synchronisation bugs, reproduced on demand and deterministically: each test is
// also a recipe of the cookbook in docs/sync.md. Most counters here are naive
// read-modify-write loops over plain HTTP (test/sync/helpers.ts), which is what the bugs look
// like in application code; (b) also runs the reliable Counter of client/counter.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import type { JournalEntry } from '../../emulator/sync/index.js';
import { Counter, SimpleDBClient } from '../../client/index.js';
import { call, createDomain, get, ManualClock, put, start } from '../support/sync.js';

process.env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] = '1';
const { default: AWS } = await import('aws-sdk');

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/**
 * One increment the way the documentation suggests: read, then put the next value on the
 * condition that the value read is still there. Returns how many conditional puts failed.
 */
async function conditionalIncrement(e: Emulator, consistentRead: boolean, agent: string): Promise<number> {
  for (let conflicts = 0; ; conflicts++) {
    const n = Number((await get(e, 'counters', 'hits', consistentRead, agent)).n?.[0] ?? '0');
    const expected = { 'Expected.1.Name': 'n', 'Expected.1.Value': String(n) };
    const r = await put(e, 'counters', 'hits', { n: String(n + 1) }, expected, agent);
    if (r.status === 200) return conflicts;
    expect(r.code).toBe('ConditionalCheckFailed');
  }
}

describe('(b) a counter read with consistentRead: false', () => {
  async function run(consistency: 'eventual' | 'consistent'): Promise<{ conflicts: number; value: string[] | undefined }> {
    const clock = new ManualClock();
    emu = await start({ now: clock.now, consistency, maxStalenessMs: 1000, seed: 11 });
    await createDomain(emu, 'counters');
    await put(emu, 'counters', 'hits', { n: '0' });
    let conflicts = 0;
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      conflicts += await conditionalIncrement(emu, false, 'counter');
    }
    const value = (await get(emu, 'counters', 'hits', true)).n;
    await emu.close();
    emu = undefined;
    return { conflicts, value };
  }

  it('runs into conflicts under eventual consistency, and none with the default', async () => {
    const eventual = await run('eventual');
    expect(eventual.conflicts).toBeGreaterThan(0);
    // The conditional put still keeps the count right; only retries were wasted.
    expect(eventual.value).toEqual(['20']);
    expect(await run('eventual')).toEqual(eventual); // the same seed replays the same run

    const consistent = await run('consistent');
    expect(consistent).toEqual({ conflicts: 0, value: ['20'] });
  });

  it('the reliable Counter: conflicts with consistentRead: false under eventual mode, none by default', async () => {
    async function counterRun(consistentRead: boolean): Promise<{ conflicts: number; value: number }> {
      const clock = new ManualClock();
      emu = await start({ now: clock.now, consistency: 'eventual', maxStalenessMs: 1000, seed: 11 });
      await createDomain(emu, 'counters');
      const client = new SimpleDBClient({ endpoint: emu.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
      try {
        await Counter.create({ client, domain: 'counters', name: 'hits', initial: 0 });
        // Past the staleness window, so that even an eventually consistent open finds the item.
        clock.advance(1001);
        let conflicts = 0;
        for (let i = 0; i < 20; i++) {
          clock.advance(100);
          // As a request handler would: open the counter, then increment it.
          const counter = await Counter.open({ client, domain: 'counters', name: 'hits', consistentRead });
          // Time moves on between attempts too, as it would while a real client backs off.
          await counter.incrementWithRetry(1, { maxAttempts: 50, baseDelayMs: 0, onConflict: () => (conflicts++, clock.advance(100)) });
        }
        const value = (await Counter.open({ client, domain: 'counters', name: 'hits' })).value;
        return { conflicts, value };
      } finally {
        await client.destroy();
        await emu.close();
        emu = undefined;
      }
    }
    const eventual = await counterRun(false);
    expect(eventual.conflicts).toBeGreaterThan(0);
    expect(eventual.value).toBe(20);
    expect(await counterRun(true)).toEqual({ conflicts: 0, value: 20 });
  });

  it('an unconditional read-modify-write loses updates under eventual consistency', async () => {
    const clock = new ManualClock();
    emu = await start({ now: clock.now, consistency: 'eventual', maxStalenessMs: 1000, seed: 11 });
    await createDomain(emu, 'counters');
    await put(emu, 'counters', 'hits', { n: '0' });
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      const n = Number((await get(emu, 'counters', 'hits', false)).n?.[0] ?? '0');
      await put(emu, 'counters', 'hits', { n: String(n + 1) });
    }
    const final = Number((await get(emu, 'counters', 'hits', true)).n?.[0]);
    expect(final).toBeLessThan(20);
    // The journal says which reads were stale, and how many writes each one missed.
    const stale = emu.control.journal({ action: 'GetAttributes' }).filter((e) => e.read?.stale);
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.every((e) => (e.read?.behindWrites ?? 0) > 0)).toBe(true);
  });
});

describe('(c) a response lost after the write happened', () => {
  async function setup(): Promise<Emulator> {
    const e = await start();
    await createDomain(e, 'counters');
    await put(e, 'counters', 'hits', { n: '0' });
    // The next PutAttributes is applied, then its connection is reset before any answer.
    e.control.faults.add({ action: 'PutAttributes', loseResponse: 'reset', count: 1 });
    return e;
  }

  it('a naive read-modify-write with retry applies twice', async () => {
    emu = await setup();
    let attempts = 0;
    for (;;) {
      attempts++;
      try {
        await conditionalIncrement(emu, true, 'naive');
        break;
      } catch {
        // fetch failed: the client cannot tell whether the write happened, and tries again.
      }
    }
    expect(attempts).toBe(2);
    expect((await get(emu, 'counters', 'hits', true)).n).toEqual(['2']);
    const puts = emu.control.journal({ action: 'PutAttributes' }).slice(-2);
    expect(puts.map((p) => [p.code, p.status])).toEqual([
      ['ConnectionReset', 0],
      ['Success', 200],
    ]);
    expect(puts[0]?.writeSeq).toBeUndefined(); // no simulation on: no sequence numbers
    expect(puts[0]?.faults).toEqual([{ rule: 'f1', effect: 'loseResponse:reset' }]);
  });

  it('a write carrying a unique id, checked with a consistent read after the failure, applies once', async () => {
    emu = await setup();
    const writeId = 'w-7f3a';
    let attempts = 0;
    for (;;) {
      attempts++;
      const now = await get(emu, 'counters', 'hits', true);
      // The retry first asks whether the lost attempt happened after all.
      if (now.lastWrite?.[0] === writeId) break;
      const n = Number(now.n?.[0] ?? '0');
      try {
        const expected = { 'Expected.1.Name': 'n', 'Expected.1.Value': String(n) };
        const r = await put(emu, 'counters', 'hits', { n: String(n + 1), lastWrite: writeId }, expected);
        if (r.status === 200) break;
      } catch {
        // Unknown outcome: loop, and let the consistent read decide.
      }
    }
    expect(attempts).toBe(2);
    expect((await get(emu, 'counters', 'hits', true)).n).toEqual(['1']);
  });

  it('loseResponse 503: the client sees ServiceUnavailable for a write that was applied', async () => {
    emu = await start({ consistency: 'eventual' });
    await createDomain(emu, 'counters');
    emu.control.faults.add({ action: 'PutAttributes', item: 'hit?', loseResponse: '503' });
    const r = await put(emu, 'counters', 'hits', { n: '1' });
    expect([r.status, r.code]).toEqual([503, 'ServiceUnavailable']);
    expect((await get(emu, 'counters', 'hits', true)).n).toEqual(['1']);
    const entry = emu.control.journal({ action: 'PutAttributes' }).at(-1);
    expect(entry).toMatchObject({ status: 503, code: 'ServiceUnavailable', writeSeq: 1 });
  });
});

describe('(d) a burst of 503s', () => {
  it('aws-sdk v2 retries through it, and the journal shows every attempt', async () => {
    emu = await start();
    await createDomain(emu, 'orders');
    emu.control.faults.add({ action: 'PutAttributes', domain: 'orders', error: 'ServiceUnavailable', count: 3 });
    const sdb = new AWS.SimpleDB({
      endpoint: emu.url,
      region: 'us-east-1',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      maxRetries: 5,
      retryDelayOptions: { customBackoff: () => 1 },
    });
    await sdb
      .putAttributes({ DomainName: 'orders', ItemName: 'o1', Attributes: [{ Name: 'state', Value: 'paid' }] })
      .promise();
    const attempts = emu.control.journal({ action: 'PutAttributes', item: 'o1' });
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 503, 200]);
    expect(attempts.slice(0, 3).every((a) => a.faults?.[0]?.effect === 'error:ServiceUnavailable')).toBe(true);
    expect(new Set(attempts.map((a) => a.params['Attribute.1.Value']))).toEqual(new Set(['paid']));
    expect(attempts[0]?.userAgent).toMatch(/aws-sdk-nodejs/);
    // Signed requests, yet nothing in the journal could sign another one.
    const text = JSON.stringify(emu.control.journal());
    expect(text).not.toMatch(/Signature"|AWSAccessKeyId|AKIDEXAMPLE/);
    expect(emu.control.faults.list()[0]).toMatchObject({ id: 'f1', count: 3, fired: 3, matched: 4 });
  });
});

describe('(e) the journal of a contention run', () => {
  it('shows, for every conflict, the write that slipped in after what the loser read', async () => {
    let t = Date.UTC(2024, 0, 1);
    // Every look at the clock moves it on: reads land at different ages, the run is reproducible.
    emu = await start({ now: () => (t += 7), consistency: 'eventual', maxStalenessMs: 200, seed: 2024 });
    await createDomain(emu, 'counters');
    await put(emu, 'counters', 'hits', { n: '0' });
    const workers = ['w1', 'w2', 'w3'];
    const conflicts = await Promise.all(
      workers.map(async (w) => {
        let n = 0;
        for (let i = 0; i < 5; i++) n += await conditionalIncrement(emu as Emulator, false, w);
        return n;
      }),
    );
    expect((await get(emu, 'counters', 'hits', true)).n).toEqual(['15']);
    expect(conflicts.reduce((a, b) => a + b)).toBeGreaterThan(0);

    const journal = emu.control.journal({ domain: 'counters' });
    const failed = journal.filter((e) => e.code === 'ConditionalCheckFailed');
    expect(failed.length).toBe(conflicts.reduce((a, b) => a + b));
    for (const c of failed) {
      const read = explainConflict(journal, c);
      expect(read.cause, `conflict #${c.seq}`).toBeDefined();
    }
  });
});

/**
 * The read a failed conditional put was based on (the same worker's last GetAttributes before
 * it) and the write it had not seen: newer than the version the read saw, and already there
 * when the put's condition was checked (`atSeq`).
 */
function explainConflict(journal: JournalEntry[], c: JournalEntry): { read?: JournalEntry; cause?: JournalEntry } {
  const read = journal.filter((e) => e.userAgent === c.userAgent && e.seq < c.seq && e.action === 'GetAttributes').at(-1);
  const seen = read?.read?.asOfSeq;
  const checkedAt = c.atSeq;
  if (!read || seen === undefined || checkedAt === undefined) return {};
  const cause = journal.find(
    (e) => e.writeSeq !== undefined && e.writeSeq > seen && e.writeSeq <= checkedAt && e.items.includes('hits'),
  );
  return { read, cause };
}

it('an injected error leaves the store untouched; the call answers with the error table entry', async () => {
  emu = await start();
  await createDomain(emu, 'd5x');
  emu.control.faults.add({ action: 'PutAttributes', error: 'RequestTimeout' });
  const r = await call(emu, 'PutAttributes', {
    DomainName: 'd5x',
    ItemName: 'a',
    'Attribute.1.Name': 'v',
    'Attribute.1.Value': '1',
  });
  expect([r.status, r.code]).toEqual([408, 'RequestTimeout']);
  expect(r.xml).toContain('A timeout occurred when attempting to query domain d5x with query expression . BoxUsage [');
  expect(await get(emu, 'd5x', 'a', true)).toEqual({});
});
