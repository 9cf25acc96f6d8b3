// Findings wait as records of numbers and text until the report is built (emulator/sync/analyze/drafts.ts): what a
// finding names must come back exactly, whatever the journal held, and in the report's order.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DraftStore, type Draft } from '../../emulator/sync/analyze/drafts.js';
import { analyze, Analyzer, type AnalyzableEntry } from '../../emulator/sync/analyze/index.js';
import { putEntry, readEntry } from './entries.js';

/** Two clients (`a` and `b` unless named) read `item` (`value` - 1), then each writes `value` over it: one lost update, on `item`. */
function lostUpdate(item: string, attribute: string, value: number, from: number, width = 1, [one, two] = ['a', 'b']): AnalyzableEntry[] {
  const text = (n: number) => String(n).padStart(width, '0');
  const read = (seq: number, client: string): AnalyzableEntry =>
    ({
      seq,
      order: seq,
      client,
      connection: seq,
      action: 'GetAttributes',
      params: { Action: 'GetAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: item },
      code: 'Success',
      applied: true,
      read: { consistentRead: false, stale: false, returned: { items: [{ name: item, attributes: { [attribute]: [text(value - 1)] } }] } },
    }) as AnalyzableEntry;
  const write = (seq: number, client: string): AnalyzableEntry =>
    ({
      seq,
      order: seq,
      client,
      connection: seq,
      action: 'PutAttributes',
      params: { Action: 'PutAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: item, 'Attribute.1.Name': attribute, 'Attribute.1.Value': text(value), 'Attribute.1.Replace': 'true' },
      code: 'Success',
      applied: true,
    }) as AnalyzableEntry;
  return [read(from, one), read(from + 1, two), write(from + 2, one), write(from + 3, two)];
}

const HOSTILE = ['lone \ud800 surrogate', '<img src=x onerror=alert(1)>', 'emoji 😀 and "quotes" \\ and \u0000 nul', 'é'.repeat(512)];

describe('findings held until the report', () => {
  it('come back with hostile names and values exactly as the journal had them', () => {
    const names = HOSTILE;
    const entries = names.flatMap((name, i) => lostUpdate(name, `${name}-attr`, 1, 10 * i + 1, 1024));
    const analysis = analyze(entries);
    expect(analysis.findings.map((f) => f.kind)).toEqual(names.map(() => 'lost-update'));
    expect(analysis.findings.map((f) => f.item)).toEqual(names);
    expect(analysis.findings.map((f) => f.attributes)).toEqual(names.map((n) => [`${n}-attr`]));
    for (const [i, f] of analysis.findings.entries()) expect(f.message).toContain(names[i]);
    expect(analysis.findings.every((f) => f.step === 1)).toBe(true);
  });

  it('are numbered in order of their first request, not in the order they were found', () => {
    // `late` is written first, so its finding is found first; `early` was read first, so its
    // finding comes first. Other clients on each item: no operation spans both.
    const [earlyA, earlyB, earlyWriteA, earlyWriteB] = lostUpdate('early', 'n', 1, 1);
    const [lateA, lateB, lateWriteA, lateWriteB] = lostUpdate('late', 'n', 1, 1, 1, ['c', 'd']);
    const journal = [earlyA, earlyB, lateA, lateB, lateWriteA, lateWriteB, earlyWriteA, earlyWriteB] as AnalyzableEntry[];
    const analysis = analyze(journal.map((e, i) => ({ ...e, seq: i + 1, order: i + 1, connection: i + 1 })));
    expect(analysis.findings.map((f) => [f.id, f.item, f.seqs[0]])).toEqual([
      ['F1', 'early', 2],
      ['F2', 'late', 4],
    ]);
  });
});

describe('a finding whose evidence is long', () => {
  it('names every client once, in the order first named, and every request once, ascending', () => {
    // c reads n = 0; twenty other clients then change n; c writes the value n already holds, built
    // on its old read: it missed all twenty (the evidence: its write, its read, the twenty).
    const writers = Array.from({ length: 20 }, (_, i) => `${HOSTILE[i % HOSTILE.length] as string} ${i}`);
    const entries = [readEntry(1, 'c', 'd', 'x', { n: ['0'] }), ...writers.map((w, i) => putEntry(i + 2, w, 'd', 'x', 'n', String(i + 1))), putEntry(22, 'c', 'd', 'x', 'n', '20')];
    const [f, ...rest] = analyze(entries).findings;
    expect(rest).toEqual([]);
    expect(f?.kind).toBe('lost-update');
    expect(f?.evidence).toHaveLength(22);
    expect(f?.clients).toEqual(['c', ...writers]);
    expect(f?.seqs).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(f?.message).toContain('and 15 more');
  });
});

describe('findings past the memory allowed', () => {
  const draft = (i: number, item: string): Draft => ({
    kind: 'lost-update',
    doubt: i % 3 === 0 ? `doubt ${item}` : undefined,
    run: 1,
    domain: 'd',
    item,
    attributes: [`${item}-attr`],
    evidence: [{ seq: 1000 - i, role: 'lost-write', client: item, action: 'PutAttributes' }],
    message: `message about ${item}`,
  });

  it('go to a file, unlinked at once, and come back exactly, in the report order; the file is closed after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdb-drafts-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const store = new DraftStore({ inMemory: 0, block: 256, dir });
    // Over a hundred blocks, one draft larger than a block among them.
    const items = Array.from({ length: 300 }, (_, i) => `${HOSTILE[i % HOSTILE.length] as string} #${i}`);
    items[150] = 'x'.repeat(2000);
    const drafts = items.map((item, i) => draft(i, item));
    for (const d of drafts) store.add(d);
    expect(store.spilled).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    // Ordered by first request: the last added first.
    expect([...store.ordered()]).toEqual(JSON.parse(JSON.stringify(drafts.slice().reverse())));
    expect(store.spilled).toBe(false);
  });

  it('of every part a finding can have (an account, a step, a cycle, a storm) come back exactly through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdb-drafts-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const store = new DraftStore({ inMemory: 0, block: 256, dir });
    const [a, b, c, d] = HOSTILE as [string, string, string, string];
    const drafts: Draft[] = [
      { ...draft(0, a), account: b, step: -2.5 },
      {
        kind: 'write-skew',
        doubt: undefined,
        run: 2,
        domain: c,
        item: a,
        items: [a, d],
        attributes: [b, c],
        evidence: [
          { seq: 7, role: 'cycle-read', client: d, action: 'Select' },
          { seq: 9, role: 'cycle-write', client: a, action: 'BatchPutAttributes' },
        ],
        cycle: { class: 'G2-item', edges: [{ from: d, to: a, type: 'rw', item: a, attribute: b, seqs: [7, 9] }] },
        message: `cycle over ${a} and ${d}`,
      },
      {
        kind: 'conflict-storm',
        doubt: undefined,
        run: 3,
        domain: 'd',
        item: d,
        attributes: [],
        evidence: [{ seq: 3, role: 'failed-write', client: c, action: 'DeleteAttributes' }],
        conditional: { writes: 12, failed: 11, rate: 11 / 12, byClient: [{ client: c, writes: 12, failed: 11 }] },
        message: `storm on ${d}`,
      },
    ];
    for (const x of drafts) store.add(x);
    expect(store.spilled).toBe(true);
    // Ordered by run: as they were added.
    expect([...store.ordered()]).toEqual(JSON.parse(JSON.stringify(drafts)));
  });

  it('stay in memory when no file can be made there', () => {
    const store = new DraftStore({ inMemory: 0, block: 256, dir: join(tmpdir(), `no-such-dir-${process.pid}`, 'deeper') });
    const drafts = Array.from({ length: 50 }, (_, i) => draft(i, `item ${i}`));
    for (const d of drafts) store.add(d);
    expect(store.spilled).toBe(false);
    expect([...store.ordered()]).toEqual(JSON.parse(JSON.stringify(drafts.slice().reverse())));
  });

  it('leave the memory allowed alone: small analyses make no file', () => {
    const store = new DraftStore({ block: 256 });
    for (let i = 0; i < 300; i++) store.add(draft(i, `item ${i}`));
    expect(store.spilled).toBe(false);
    expect([...store.ordered()]).toHaveLength(300);
  });

  it('give the same analysis as findings held in memory', () => {
    const entries = Array.from({ length: 200 }, (_, i) => lostUpdate(`${HOSTILE[i % HOSTILE.length] as string} ${i}`, 'n', i + 1, 4 * i + 1, 4)).flat();
    const spilling = new Analyzer({}, { drafts: { inMemory: 0, block: 512 } });
    for (const e of entries) spilling.add(e);
    const analysis = spilling.finish();
    expect(analysis.summary['lost-update']).toBe(200);
    expect(analysis).toEqual(analyze(entries));
  });

  it('give the same report when it is asked for again, and take no entry after it', () => {
    const entries = Array.from({ length: 50 }, (_, i) => lostUpdate(`item ${i}`, 'n', i + 1, 4 * i + 1)).flat();
    const spilling = new Analyzer({}, { drafts: { inMemory: 0, block: 512 } });
    for (const e of entries) spilling.add(e);
    const first = spilling.finish();
    expect(first.summary['lost-update']).toBe(50);
    // The drafts' file is closed by then: the report is not read from it twice.
    expect(spilling.finish()).toBe(first);
    expect(() => spilling.add(entries[0] as AnalyzableEntry)).toThrow('this analysis is finished: a new Analyzer takes further entries');
    expect(spilling.finish()).toEqual(analyze(entries));
  });
});
