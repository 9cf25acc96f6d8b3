// Planted sync bugs, found; correct code, clean. Every scenario runs real clients
// against a real emulator and analyses the journal it recorded.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { Counter, GetAttributesCommand, PutAttributesCommand, SimpleDBClient } from '../../client/index.js';
import { createDomain, put, start } from '../support/sync.js';
import { as, count, counterValue, eventualCounter, killWorkers, kinds, plantStaleReadWrite, runWorker } from './support.js';

let emu: Emulator | undefined;
afterEach(async () => {
  killWorkers();
  await emu?.close();
  emu = undefined;
});

describe('a naive read-modify-write counter (eventual reads, unconditional puts)', () => {
  it('from three processes under eventual: as many lost updates as increments missing', async () => {
    emu = await eventualCounter();
    const job = { endpoint: emu.url, domain: 'counters', item: 'hits', increments: 25 };
    // Node's fetch spreads even one sequential process over two connections: the workers name themselves.
    await Promise.all(['w1', 'w2', 'w3'].map((clientId) => runWorker('fetch', { ...job, clientId })));
    const missing = 75 - (await counterValue(emu));
    expect(missing).toBeGreaterThan(0);

    const a = emu.control.analyze();
    expect(count(a, 'lost-update')).toBe(missing);
    expect(count(a, 'stale-read-write')).toBeGreaterThan(0);
    // The summary says it in the application's terms: every lost write was an increment.
    const lost = a.groups.filter((g) => g.kind === 'lost-update');
    expect(lost.reduce((sum, g) => sum + (g.lostTotal ?? 0), 0)).toBe(missing);
    const definite = lost.find((g) => g.confidence === 'definite');
    expect(definite?.line).toMatch(new RegExp(`^${definite?.findings.length} lost updates \\(${definite?.findings.length} increments lost\\) on counters/hits n, clients `));
    expect(a.clients.filter((c) => c.by === 'header').map((c) => [c.id, c.requests]).sort()).toEqual([
      ['w1', 50],
      ['w2', 50],
      ['w3', 50],
    ]);
    for (const f of a.findings.filter((x) => x.kind === 'lost-update')) {
      expect(f).toMatchObject({ severity: 'anomaly', domain: 'counters', item: 'hits', attributes: ['n'] });
      const roles = f.evidence.map((e) => e.role);
      expect(roles).toContain('lost-write');
      expect(roles.includes('overwrite') || roles.includes('unseen-write')).toBe(true);
      expect(f.seqs.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('a naive counter that reads a missing value as 0 (get("n", "0")), reading stale', () => {
  it('its lost increments are found, as possible: the journal cannot tell a default from local state', async () => {
    // Frozen before the first write: every read returns the item without n, the program adds one
    // to its default and writes "1" five times, losing four increments. Before, a read that
    // returned no value was never a write's basis, and nothing was found.
    emu = await start();
    await createDomain(emu, 'counters');
    emu.control.freeze();
    const worker = as(emu, 'worker');
    for (let i = 0; i < 5; i++) {
      const seen = await worker.get('counters', 'hits', false);
      await worker.put('counters', 'hits', { n: String(Number(seen.n?.[0] ?? '0') + 1) });
    }
    emu.control.thaw();
    expect(await counterValue(emu)).toBe(1);

    const a = emu.control.analyze();
    const lost = a.findings.filter((f) => f.kind === 'lost-update');
    expect(lost).toHaveLength(4);
    for (const f of lost) {
      expect(f).toMatchObject({ confidence: 'possible', item: 'hits', attributes: ['n'] });
      expect(f.reason).toMatch(/^read #\d+ returned no n: the number written may be a default's successor or local state$/);
    }
    expect(a.findings.filter((f) => f.severity === 'anomaly' && f.confidence === 'definite')).toEqual([]);
  });

  it('a status written after reading an item without it is still blind: not a number, nothing found', async () => {
    emu = await start();
    await createDomain(emu, 'jobs');
    emu.control.freeze();
    const worker = as(emu, 'worker');
    for (const status of ['running', 'done']) {
      await worker.get('jobs', 'j1', false);
      await worker.put('jobs', 'j1', { status });
    }
    emu.control.thaw();
    expect(emu.control.analyze().findings.filter((f) => f.severity === 'anomaly')).toEqual([]);
  });
});

describe('the reliable Counter (consistent reads, conditional puts)', () => {
  it('three Counters contending under eventual mode: conflicts, but no anomalies', async () => {
    emu = await start({ consistency: 'eventual', maxStalenessMs: 100, seed: 3, journalSize: 100_000 });
    await createDomain(emu, 'counters');
    const clients = ['c1', 'c2', 'c3'].map(
      (clientId) => new SimpleDBClient({ endpoint: emu?.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, clientId }),
    );
    try {
      await Counter.create({ client: clients[0] as SimpleDBClient, domain: 'counters', name: 'hits', initial: 0 });
      let conflicts = 0;
      await Promise.all(
        clients.map(async (client) => {
          const c = await Counter.open({ client, domain: 'counters', name: 'hits' });
          for (let i = 0; i < 20; i++) {
            await c.incrementWithRetry(1, { maxAttempts: 100, baseDelayMs: 1, maxDelayMs: 5, onConflict: () => void conflicts++ });
          }
        }),
      );
      expect((await Counter.open({ client: clients[0] as SimpleDBClient, domain: 'counters', name: 'hits' })).value).toBe(60);
      expect(conflicts).toBeGreaterThan(0);
      const a = emu.control.analyze();
      expect(a.summary.anomalies).toBe(0);
      expect(a.clients.filter((c) => c.by === 'header').map((c) => c.id).sort()).toEqual(['c1', 'c2', 'c3']);
      // The contention itself is visible, as a hot spot when the threshold is low enough.
      const storm = emu.control.analyze({ stormRate: 0.01, stormMinWrites: 1 }).findings.find((f) => f.kind === 'conflict-storm');
      expect(storm?.conditional?.failed).toBe(conflicts);
      expect(storm?.clients.length).toBeGreaterThan(1);
    } finally {
      await Promise.all(clients.map((c) => c.destroy()));
    }
  });
});

describe('a lost response', () => {
  async function setup(): Promise<Emulator> {
    const e = await start({ journalSize: 100_000 });
    await createDomain(e, 'counters');
    return e;
  }

  it('followed by a naive retry of the read-modify-write: one double-applied write', async () => {
    emu = await setup();
    await put(emu, 'counters', 'hits', { n: '0' });
    emu.control.faults.add({ action: 'PutAttributes', loseResponse: 'reset', skip: 1, count: 1 });
    const naive = as(emu, 'naive');
    for (let i = 0; i < 3; i++) {
      for (;;) {
        try {
          const n = Number((await naive.get('counters', 'hits', true)).n?.[0]);
          if ((await naive.put('counters', 'hits', { n: String(n + 1) }, { name: 'n', value: String(n) })) === 200) break;
        } catch {
          // The connection was reset: the naive client cannot tell whether the write happened, and does it again.
        }
      }
    }
    expect(await counterValue(emu)).toBe(4); // three increments, one applied twice
    const a = emu.control.analyze();
    expect(kinds(a)).toEqual(['double-applied-retry']);
    const f = a.findings[0];
    const puts = emu.control.journal({ action: 'PutAttributes' });
    const lost = puts.find((p) => p.code === 'ConnectionReset');
    expect(f?.evidence.map((e) => e.role)).toEqual(['lost-response', 'retry-read', 'retry']);
    expect(f?.evidence[0]?.seq).toBe(lost?.seq);
    expect(f?.evidence[2]?.seq).toBe(puts.find((p) => p.seq > (lost?.seq ?? 0))?.seq);
  });

  it("the Counter's write-id path decides the lost write was applied: nothing applied twice, nothing found", async () => {
    emu = await setup();
    const client = new SimpleDBClient({ endpoint: emu.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, clientId: 'counter' });
    try {
      const c = await Counter.create({ client, domain: 'counters', name: 'hits', initial: 0 });
      emu.control.faults.add({ action: 'PutAttributes', loseResponse: 'reset', skip: 2, count: 1 });
      for (let i = 0; i < 5; i++) await c.increment();
      expect(await counterValue(emu, 'current_value')).toBe(5);
      expect(emu.control.journal({ code: 'ConnectionReset' })).toHaveLength(1);
      const a = emu.control.analyze();
      expect(a.findings).toEqual([]);
    } finally {
      await client.destroy();
    }
  });
});

describe('a lost response answered 503', () => {
  it('aws-sdk v2 re-sends the same put: applied twice, but to the same effect, so nothing is found', async () => {
    emu = await start();
    await createDomain(emu, 'orders');
    emu.control.faults.add({ action: 'PutAttributes', loseResponse: '503', count: 1 });
    process.env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] = '1';
    const { default: AWS } = await import('aws-sdk');
    const sdb = new AWS.SimpleDB({
      endpoint: emu.url,
      region: 'us-east-1',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      retryDelayOptions: { customBackoff: () => 1 },
    });
    await sdb.putAttributes({ DomainName: 'orders', ItemName: 'o1', Attributes: [{ Name: 'state', Value: 'paid', Replace: true }] }).promise();
    const puts = emu.control.journal({ action: 'PutAttributes' });
    expect(puts.map((p) => [p.code, p.applied])).toEqual([
      ['ServiceUnavailable', true],
      ['Success', true],
    ]);
    expect(emu.control.analyze().findings).toEqual([]);
  });
});

describe('a stale read in frozen mode', () => {
  it('names the write built on it, with the read and the write it did not show', async () => {
    emu = await start();
    await plantStaleReadWrite(emu);

    const a = emu.control.analyze();
    const journal = emu.control.journal({ domain: 'users' });
    const seqOf = (client: string, action: string) => journal.find((e) => e.client === client && e.action === action)?.seq;
    const stale = a.findings.find((f) => f.kind === 'stale-read-write');
    expect(stale?.evidence.map((e) => [e.role, e.seq])).toEqual([
      ['stale-read', seqOf('support', 'GetAttributes')],
      ['write', seqOf('support', 'PutAttributes')],
      ['missed-write', seqOf('billing', 'PutAttributes')],
    ]);
    // Judged per attribute: billing changed plan only, so credits was read current.
    expect(stale?.attributes).toEqual(['plan']);
    // Writing back "free" also undid the upgrade: a lost update of plan, by the same pair of requests.
    const lost = a.findings.find((f) => f.kind === 'lost-update');
    expect(lost?.attributes).toEqual(['plan']);
    expect(lost?.evidence.map((e) => [e.role, e.seq])).toEqual([
      ['lost-write', seqOf('billing', 'PutAttributes')],
      ['overwrite', seqOf('support', 'PutAttributes')],
      ['overwrite-read', seqOf('support', 'GetAttributes')],
    ]);
    expect(kinds(a).sort()).toEqual(['lost-update', 'stale-read-write']);
  });
});

describe('a lost response, then the change done again', () => {
  /** One increment of n with an audit field; a lost answer makes the client read and do it again, in `operation` if given. */
  async function auditedIncrements(e: Emulator, operations: (i: number, attempt: number) => string | undefined): Promise<void> {
    const c = new SimpleDBClient({ endpoint: e.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, clientId: 'auditor', maxAttempts: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        for (let attempt = 0; attempt < 5; attempt++) {
          const operation = operations(i, attempt);
          const got = await c.send(new GetAttributesCommand({ DomainName: 'counters', ItemName: 'hits', ConsistentRead: true }), { operation });
          const value = (name: string) => got.Attributes?.find((a) => a.Name === name)?.Value ?? '';
          const Attributes = [
            { Name: 'n', Value: String(Number(value('n')) + 1), Replace: true },
            { Name: 'updated', Value: `2024-01-0${i + 1}T00:00:0${attempt}Z`, Replace: true },
            // An ordinary audit field: the previous update's time, copied from the read.
            { Name: 'previous_update', Value: value('updated'), Replace: true },
          ];
          try {
            await c.send(new PutAttributesCommand({ DomainName: 'counters', ItemName: 'hits', Attributes }), { operation });
            break;
          } catch {
            // The answer was lost: this client cannot tell whether the write happened, and does it again.
          }
        }
      }
    } finally {
      await c.destroy();
    }
  }

  async function setup(): Promise<Emulator> {
    const e = await start({ journalSize: 1000 });
    await createDomain(e, 'counters');
    await put(e, 'counters', 'hits', { n: '0', updated: 'never' });
    e.control.faults.add({ action: 'PutAttributes', loseResponse: 'reset', skip: 2, count: 1 });
    return e;
  }

  it('with an audit field copied from the read and no operation ids: found, possible, naming the copied field', async () => {
    emu = await setup();
    await auditedIncrements(emu, () => undefined);
    expect(await counterValue(emu)).toBe(4);
    const [f, ...rest] = emu.control.analyze().findings;
    expect(rest).toEqual([]);
    expect([f?.kind, f?.confidence]).toEqual(['double-applied-retry', 'possible']);
    expect(f?.reason).toMatch(/under previous_update, the value #\d+ wrote under updated/);
  });

  it('the retry in the same operation (X-SimpleDB-Operation): definite', async () => {
    emu = await setup();
    await auditedIncrements(emu, (i) => `increment-${i}`);
    expect(await counterValue(emu)).toBe(4);
    const found = emu.control.analyze().findings;
    expect(found.map((f) => [f.kind, f.confidence])).toEqual([['double-applied-retry', 'definite']]);
    expect(found[0]?.evidence.map((e) => e.role)).toEqual(['lost-response', 'retry-read', 'retry']);
  });

  it('each attempt its own operation (the retry carries a fresh id): still found', async () => {
    emu = await setup();
    await auditedIncrements(emu, (i, attempt) => `increment-${i}-${attempt}`);
    expect(await counterValue(emu)).toBe(4);
    expect(emu.control.analyze().findings.map((f) => [f.kind, f.confidence])).toEqual([['double-applied-retry', 'possible']]);
  });
});
