// The analysis holds what the items and clients still need, not every request: a long journal
// streams through it in windows (docs/analyze.md, "Performance"), with the findings of the whole.
import { describe, expect, it } from 'vitest';
import { Analyzer, type AnalyzableEntry, type Analysis } from '../../emulator/sync/analyze/index.js';
import { seededRandom } from '../../emulator/sync/random.js';
import { putEntry, readEntry } from './entries.js';

const ITEMS = 50;
const CLIENTS = 10;

/**
 * A journal of naive read-modify-write counters on ITEMS items by CLIENTS named clients: reads
 * (a fifth served stale), unconditional and conditional puts (some failing), a lost response now
 * and then followed by the client's retry, and a few requests that finish after later ones.
 */
function* journal(requests: number): Generator<AnalyzableEntry> {
  const rnd = seededRandom(5);
  const values = new Array<number>(ITEMS).fill(0);
  const lastWrite = new Array<number>(ITEMS).fill(0);
  const pending = new Array<number | undefined>(CLIENTS).fill(undefined);
  const retry = new Array<number | undefined>(CLIENTS).fill(undefined);
  let writeSeq = 0;
  // Entries finish in seq order; a delayed one is held back behind the next few.
  const held: AnalyzableEntry[] = [];
  let seq = 0;
  for (let order = 1; order <= requests; order++) {
    const c = Math.floor(rnd() * CLIENTS);
    const base = { order, connection: c + 1, client: `c${c}`, userAgent: 'bounded/1', keyHash: null };
    const item = pending[c] ?? retry[c] ?? Math.floor(rnd() * ITEMS);
    let entry: Omit<AnalyzableEntry, 'seq'>;
    if (pending[c] === undefined) {
      pending[c] = item;
      retry[c] = undefined;
      const stale = rnd() < 0.2 && lastWrite[item] === writeSeq && writeSeq > 0;
      const asOfSeq = stale ? writeSeq - 1 : writeSeq;
      const shown = (values[item] ?? 0) - (stale ? 1 : 0);
      entry = {
        ...base,
        action: 'GetAttributes',
        params: { Action: 'GetAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: `i${item}`, ConsistentRead: 'false' },
        code: 'Success',
        applied: true,
        atSeq: writeSeq,
        read: { consistentRead: false, stale, asOfSeq, latestSeq: writeSeq, behindWrites: writeSeq - asOfSeq, lagMs: 10, returned: { items: [{ name: `i${item}`, attributes: { n: [String(shown)] } }] } },
      } as Omit<AnalyzableEntry, 'seq'>;
    } else {
      pending[c] = undefined;
      const conditional = rnd() < 0.3;
      const fails = conditional && rnd() < 0.3;
      const value = fails ? (values[item] ?? 0) : (values[item] = (values[item] ?? 0) + 1);
      const lost = !fails && rnd() < 0.01;
      // The client does it again: it reads the item (which shows the lost write) and writes the next value.
      if (lost) retry[c] = item;
      const params: Record<string, string> = {
        Action: 'PutAttributes',
        Version: '2009-04-15',
        DomainName: 'd',
        ItemName: `i${item}`,
        'Attribute.1.Name': 'n',
        'Attribute.1.Value': String(value),
        'Attribute.1.Replace': 'true',
        ...(conditional ? { 'Expected.1.Name': 'n', 'Expected.1.Value': String(value - 1) } : {}),
      };
      entry = {
        ...base,
        action: 'PutAttributes',
        params,
        code: fails ? 'ConditionalCheckFailed' : lost ? 'ConnectionReset' : 'Success',
        applied: !fails,
        atSeq: writeSeq,
        ...(fails ? {} : { writeSeq: (lastWrite[item] = ++writeSeq) }),
        ...(lost ? { faults: [{ rule: 'f1', effect: 'loseResponse:reset' }] } : {}),
      } as Omit<AnalyzableEntry, 'seq'>;
    }
    if (rnd() < 0.01) held.push(entry as AnalyzableEntry);
    else {
      yield { ...entry, seq: ++seq } as AnalyzableEntry;
      if (held.length > 0 && rnd() < 0.3) for (const h of held.splice(0)) yield { ...h, seq: ++seq };
    }
  }
  for (const h of held.splice(0)) yield { ...h, seq: ++seq };
}

function run(requests: number, window: number): { analysis: Analysis; maxRetained: number } {
  const analyzer = new Analyzer({}, { window });
  let maxRetained = 0;
  for (const e of journal(requests)) {
    analyzer.add(e);
    maxRetained = Math.max(maxRetained, analyzer.retained());
  }
  return { analysis: analyzer.finish(), maxRetained };
}

describe('a long journal streams through the analysis', () => {
  it('holds operations bounded by the window and the items and clients, not by the requests', () => {
    const window = 2_000;
    // Thirty times the bound below: a hold that grew with the requests would pass it.
    const { analysis, maxRetained } = run(100_000, window);
    expect(analysis.requests).toBe(100_000);
    // The window, plus per item (and the domain) and client its last read, and a write whose response was lost.
    expect(maxRetained).toBeLessThanOrEqual(window + (2 * ITEMS + 1) * CLIENTS);
    expect(analysis.summary['lost-update']).toBeGreaterThan(0);
    expect(analysis.summary['double-applied-retry']).toBeGreaterThan(0);
  });

  it('finds, window by window, the findings of the whole journal held at once', () => {
    const whole = run(30_000, Number.POSITIVE_INFINITY);
    const windowed = run(30_000, 1_000);
    expect(whole.maxRetained).toBeGreaterThan(20_000);
    expect(windowed.maxRetained).toBeLessThanOrEqual(1_000 + (2 * ITEMS + 1) * CLIENTS);
    expect(whole.analysis.summary['lost-update']).toBeGreaterThan(0);
    expect(whole.analysis.summary['stale-read-write']).toBeGreaterThan(0);
    expect(whole.analysis.summary['double-applied-retry']).toBeGreaterThan(0);
    expect(windowed.analysis).toEqual(whole.analysis);
  });
});

describe('how far apart a lost write and the write that replaced it may be', () => {
  const get = (seq: number, client: string, item: string, value: string): AnalyzableEntry =>
    ({
      seq,
      order: seq,
      client,
      connection: 1,
      action: 'GetAttributes',
      params: { Action: 'GetAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: item },
      code: 'Success',
      applied: true,
      read: { consistentRead: true, stale: false, returned: { items: [{ name: item, attributes: { n: [value] } }] } },
    }) as AnalyzableEntry;
  const put = (seq: number, client: string, item: string, value: string): AnalyzableEntry =>
    ({
      seq,
      order: seq,
      client,
      connection: 1,
      action: 'PutAttributes',
      params: { Action: 'PutAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: item, 'Attribute.1.Name': 'n', 'Attribute.1.Value': value, 'Attribute.1.Replace': 'true' },
      code: 'Success',
      applied: true,
    }) as AnalyzableEntry;

  /**
   * For each position of the pair among the windows (`before` requests ahead of it): whether c1's
   * increment of x, replaced `gap` requests later by c2's increment built on the read both made
   * before it, is reported (once). Another client's reads and writes of other items fill the rest.
   */
  function found(window: number, gap: number): boolean[] {
    const out: boolean[] = [];
    for (let before = 0; before < 2 * window; before += window / 100) {
      const a = new Analyzer({}, { window });
      let seq = 0;
      const filler = (n: number) => {
        for (let i = 0; i < n; i++) a.add(i % 2 ? get(++seq, 'c3', `y${i % 7}`, String(i)) : put(++seq, 'c3', `y${i % 7}`, String(i + 1)));
      };
      filler(before);
      a.add(get(++seq, 'c1', 'x', '5'));
      a.add(get(++seq, 'c2', 'x', '5'));
      a.add(put(++seq, 'c1', 'x', '6'));
      filler(gap);
      a.add(put(++seq, 'c2', 'x', '7'));
      const lost = a.finish().findings.filter((f) => f.item === 'x');
      expect(lost.length).toBeLessThanOrEqual(1);
      out.push(lost.length === 1 && lost[0]?.kind === 'lost-update');
    }
    return out;
  }

  it('finds the loss within 14% of a window of requests, wherever the windows fall; farther apart, not always', () => {
    // docs/analyze.md, "Streaming": the newest tenth of a window, and the twentieth that may still
    // be joined by late entries, wait for the next window; an older write is judged with what
    // came after it in its own window.
    for (const gap of [1, 28, 56]) expect(found(400, gap).every(Boolean)).toBe(true);
    const far = found(400, 80);
    expect(far.some((f) => !f)).toBe(true);
    expect(far.filter(Boolean).length).toBeGreaterThan(far.length / 2);
  });
});

describe('the values an item carries from window to window', () => {
  it('pass through a window in which every write of the item failed: a delete of a value it did not hold changes nothing, there as in the whole journal', () => {
    // No version log (no atSeq): only the values carried say what the item held.
    const entries: AnalyzableEntry[] = [];
    let seq = 0;
    const filler = (n: number) => {
      for (let i = 0; i < n; i++) entries.push(readEntry(++seq, 'z', 'd', `f${i % 5}`, { n: [String(i)] }));
    };
    entries.push(putEntry(++seq, 'a', 'd', 'x', 'n', '1'));
    filler(60);
    // A conditional write that failed, alone among the item's writes for windows on end.
    for (let k = 0; k < 3; k++) {
      const put = putEntry(++seq, 'b', 'd', 'x', 'n', '9');
      entries.push({ ...put, params: { ...put.params, 'Expected.1.Name': 'n', 'Expected.1.Value': '0' }, code: 'ConditionalCheckFailed', applied: false });
      filler(60);
    }
    // c reads n = 1; d deletes the value x, which n never held (nothing changes); c writes 2.
    entries.push(readEntry(++seq, 'c', 'd', 'x', { n: ['1'] }));
    entries.push({
      ...putEntry(++seq, 'd', 'd', 'x', 'n', 'x'),
      action: 'DeleteAttributes',
      params: { Action: 'DeleteAttributes', Version: '2009-04-15', DomainName: 'd', ItemName: 'x', 'Attribute.1.Name': 'n', 'Attribute.1.Value': 'x' },
    });
    entries.push(putEntry(++seq, 'c', 'd', 'x', 'n', '2'));
    const analyse = (window: number) => {
      const a = new Analyzer({}, { window });
      for (const e of entries) a.add(e);
      return a.finish();
    };
    const whole = analyse(Number.POSITIVE_INFINITY);
    expect(whole.findings).toEqual([]);
    for (const window of [20, 40, 80]) expect(analyse(window), `window ${window}`).toEqual(whole);
  });
});
