// Anomalies across items, as dependency cycles between logical operations. Each scenario runs
// two SimpleDBClients whose requests name their operation (X-SimpleDB-Operation, here as a send
// option; `client.operation(name, fn)` sets it for everything fn sends); the interleaving is the
// test's, one awaited request at a time.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { analyze, type AnalyzableEntry, type Analysis, type Finding } from '../../emulator/sync/analyze/index.js';
import { CreateDomainCommand, GetAttributesCommand, PutAttributesCommand, SelectCommand, SimpleDBClient } from '../../client/index.js';
import { start } from '../support/sync.js';
import { putEntry, readEntry } from './entries.js';

let emu: Emulator | undefined;
const open: SimpleDBClient[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.destroy()));
  await emu?.close();
  emu = undefined;
});

async function setup(items: Record<string, Record<string, string>>): Promise<[SimpleDBClient, SimpleDBClient]> {
  emu = await start({ journalSize: 1000 });
  const admin = client('setup');
  await admin.send(new CreateDomainCommand({ DomainName: 'dom' }));
  for (const [item, attrs] of Object.entries(items)) await put(admin, item, attrs);
  return [client('c1'), client('c2')];
}

function client(clientId: string): SimpleDBClient {
  const c = new SimpleDBClient({ endpoint: emu?.url, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, clientId });
  open.push(c);
  return c;
}

async function get(c: SimpleDBClient, item: string, operation?: string): Promise<Record<string, string>> {
  const out = await c.send(new GetAttributesCommand({ DomainName: 'dom', ItemName: item, ConsistentRead: true }), { operation });
  return Object.fromEntries((out.Attributes ?? []).map((a) => [a.Name, a.Value]));
}

async function put(c: SimpleDBClient, item: string, attrs: Record<string, string>, operation?: string): Promise<void> {
  const Attributes = Object.entries(attrs).map(([Name, Value]) => ({ Name, Value, Replace: true }));
  await c.send(new PutAttributesCommand({ DomainName: 'dom', ItemName: item, Attributes }), { operation });
}

/** Runs the steps in the order given, each request carrying its client's operation id (X-SimpleDB-Operation). */
async function interleave(steps: [SimpleDBClient, string, (c: SimpleDBClient, operation: string) => Promise<unknown>][]): Promise<void> {
  for (const [c, operation, step] of steps) await step(c, operation);
}

const cross = (a: Analysis): Finding[] => a.findings.filter((f) => f.cycle !== undefined);

describe('anomalies across items', () => {
  it('write skew (G2-item): two on-call doctors each read both, each takes themself off', async () => {
    const [c1, c2] = await setup({ alice: { oncall: 'true' }, bob: { oncall: 'true' } });
    await interleave([
      [c1, 'leave', (c, o) => get(c, 'alice', o)],
      [c1, 'leave', (c, o) => get(c, 'bob', o)],
      [c2, 'leave', (c, o) => get(c, 'alice', o)],
      [c2, 'leave', (c, o) => get(c, 'bob', o)],
      [c1, 'leave', (c, o) => put(c, 'alice', { oncall: 'false' }, o)],
      [c2, 'leave', (c, o) => put(c, 'bob', { oncall: 'false' }, o)],
    ]);
    const found = cross(emu?.control.analyze() as Analysis);
    expect(found.map((f) => [f.kind, f.confidence, f.cycle?.class, f.items])).toEqual([['write-skew', 'definite', 'G2-item', ['alice', 'bob']]]);
    expect(found[0]?.cycle?.edges.map((e) => e.type)).toEqual(['rw', 'rw']);
  });

  it('the same operations one after the other: no cycle', async () => {
    const [c1, c2] = await setup({ alice: { oncall: 'true' }, bob: { oncall: 'true' } });
    await c1.operation('leave', async () => {
      await get(c1, 'alice');
      await get(c1, 'bob');
      await put(c1, 'alice', { oncall: 'false' });
    });
    await c2.operation('leave', async () => {
      await get(c2, 'alice');
      await get(c2, 'bob');
    });
    expect(cross(emu?.control.analyze() as Analysis)).toEqual([]);
    // operation() named every request fn sent, one id per call.
    const named = emu?.control.journal({ domain: 'dom' }).filter((e) => e.client !== 'setup').map((e) => [e.client, e.operation]);
    expect(named).toEqual([...Array(3).fill(['c1', 'leave#1']), ...Array(2).fill(['c2', 'leave#1'])]);
  });

  it('read skew (G-single): a total computed from one balance before a transfer and one after', async () => {
    const [c1, c2] = await setup({ a: { balance: '50' }, b: { balance: '50' } });
    await interleave([
      [c2, 'audit', (c, o) => get(c, 'a', o)],
      [c1, 'transfer', (c, o) => get(c, 'a', o)],
      [c1, 'transfer', (c, o) => get(c, 'b', o)],
      [c1, 'transfer', (c, o) => put(c, 'a', { balance: '0' }, o)],
      [c1, 'transfer', (c, o) => put(c, 'b', { balance: '100' }, o)],
      [c2, 'audit', (c, o) => get(c, 'b', o)],
      [c2, 'audit', (c, o) => put(c, 'total', { sum: '150' }, o)],
    ]);
    const found = cross(emu?.control.analyze() as Analysis);
    expect(found.map((f) => [f.kind, f.confidence, f.cycle?.class, f.items])).toEqual([['read-skew', 'definite', 'G-single', ['a', 'b']]]);
  });

  it('a phantom (G2): two bookings each count the slot with Select, then both insert', async () => {
    const [c1, c2] = await setup({ 'booking-0': { slot: 'x' } });
    const count = (c: SimpleDBClient, operation: string) =>
      c.send(new SelectCommand({ SelectExpression: "select count(*) from `dom` where slot = 'x'", ConsistentRead: true }), { operation });
    await interleave([
      [c1, 'book', (c, o) => count(c, o)],
      [c2, 'book', (c, o) => count(c, o)],
      [c1, 'book', (c, o) => put(c, 'booking-1', { slot: 'x' }, o)],
      [c2, 'book', (c, o) => put(c, 'booking-2', { slot: 'x' }, o)],
    ]);
    const found = cross(emu?.control.analyze() as Analysis);
    expect(found.map((f) => [f.kind, f.confidence, f.cycle?.class, f.items])).toEqual([['phantom', 'definite', 'G2', ['booking-1', 'booking-2']]]);
  });

  it('a write cycle (G0): two clients write a pair of items in opposite orders', async () => {
    const [c1, c2] = await setup({});
    await interleave([
      [c1, 'pair', (c, o) => put(c, 'x', { owner: 'c1' }, o)],
      [c2, 'pair', (c, o) => put(c, 'x', { owner: 'c2' }, o)],
      [c2, 'pair', (c, o) => put(c, 'y', { owner: 'c2' }, o)],
      [c1, 'pair', (c, o) => put(c, 'y', { owner: 'c1' }, o)],
    ]);
    const found = cross(emu?.control.analyze() as Analysis);
    expect(found.map((f) => [f.kind, f.confidence, f.cycle?.class, f.items])).toEqual([['write-cycle', 'definite', 'G0', ['x', 'y']]]);
  });

  it('without operation ids the same write skew is possible, with the reason', async () => {
    const [c1, c2] = await setup({ alice: { oncall: 'true' }, bob: { oncall: 'true' } });
    await get(c1, 'alice');
    await get(c1, 'bob');
    await get(c2, 'alice');
    await get(c2, 'bob');
    await put(c1, 'alice', { oncall: 'false' });
    await put(c2, 'bob', { oncall: 'false' });
    const a = emu?.control.analyze() as Analysis;
    expect(cross(a).map((f) => [f.kind, f.confidence])).toEqual([['write-skew', 'possible']]);
    expect(cross(a)[0]?.reason).toMatch(/no X-SimpleDB-Operation ids/);
    expect(a.summary.anomalies).toBe(0);
  });
});

describe('an operation with many edges', () => {
  it('finds the cycle closed by its seventeenth edge out (edges past sixteen are looked up in a set)', () => {
    // t0 reads i1..i20, then writes j; t1..t16 each write their i; t17 reads j (before t0's
    // write) and writes i17. Only t0 → t17 (t0's seventeenth distinct edge) and t17 → t0 close a cycle.
    const entries: AnalyzableEntry[] = [];
    const next = () => entries.length + 1;
    for (let k = 1; k <= 20; k++) entries.push(readEntry(next(), 't0', 'd', `i${k}`, { n: ['0'] }));
    entries.push(readEntry(next(), 't17', 'd', 'j', { n: ['0'] }));
    for (let k = 1; k <= 17; k++) entries.push(putEntry(next(), `t${k}`, 'd', `i${k}`, 'n', '1'));
    entries.push(putEntry(next(), 't0', 'd', 'j', 'n', '1'));
    const found = analyze(entries).findings.filter((f) => f.cycle);
    expect(found.map((f) => [f.kind, f.cycle?.class, f.items, f.clients])).toEqual([['write-skew', 'G2-item', ['i17', 'j'], ['t17', 't0']]]);
  });

  it('names the requests of a cycle whose edges were made before the graph outgrew its first columns', () => {
    // A write skew first (its edges among the first made), then 1,500 operations in a chain, each
    // reading the item the one before wrote and writing the next: an edge each, and no cycle.
    const entries: AnalyzableEntry[] = [];
    const next = () => entries.length + 1;
    for (const c of ['a', 'b']) for (const item of ['x', 'y']) entries.push(readEntry(next(), c, 'd', item, { n: ['1'] }));
    entries.push(putEntry(next(), 'a', 'd', 'x', 'n', '0'));
    entries.push(putEntry(next(), 'b', 'd', 'y', 'n', '0'));
    for (let k = 1; k <= 1500; k++) {
      entries.push(readEntry(next(), `n${k}`, 'd', `p${k}`, { n: ['1'] }));
      entries.push(putEntry(next(), `n${k}`, 'd', `p${k + 1}`, 'n', '1'));
    }
    const found = analyze(entries).findings.filter((f) => f.cycle);
    expect(found.map((f) => [f.kind, f.items, f.seqs, f.cycle?.edges.map((e) => [e.type, e.seqs])])).toEqual([
      ['write-skew', ['x', 'y'], [2, 3, 5, 6], [['rw', [3, 5]], ['rw', [2, 6]]]],
    ]);
  });
});
