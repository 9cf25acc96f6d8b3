// Each client's last read of each item is kept across windows as columns, not as the read
// (emulator/sync/analyze/lastreads.ts): what comes back must be that client's read of that item,
// exactly as it was, whatever the names and values.
import { describe, expect, it } from 'vitest';
import { Analyzer, type AnalyzableEntry, type Analysis } from '../../emulator/sync/analyze/index.js';
import { LastReads } from '../../emulator/sync/analyze/lastreads.js';
import { Names, returnedBy, toOp, type ReadOp } from '../../emulator/sync/analyze/ops.js';
import { putEntry, readEntry } from './entries.js';

const HOSTILE = ['lone \ud800 surrogate', '<img src=x onerror=alert(1)>', 'nul \u0000 inside', '__proto__', 'é'.repeat(512), ''];
const LONG = 'v'.repeat(1024);
/** A counter's value of 1,024 characters. */
const number = (n: number) => String(n).padStart(1024, '0');

const get = (seq: number, client: string, item: string, attributes: Record<string, string[]>, extra: Partial<AnalyzableEntry> = {}) =>
  readEntry(seq, client, 'd\u0000', item, attributes, extra);
const put = (seq: number, client: string, item: string, attribute: string, value: string) => putEntry(seq, client, 'd\u0000', item, attribute, value);

describe('the last reads kept across windows', () => {
  it('give back each client’s read of each item, field for field, with hostile names and values', () => {
    const names = new Names();
    const kept = new LastReads();
    const offered = new Map<string, ReadOp>();
    let seq = 0;
    // Every item read by every client, each read returning something of its own: one value, several, none, another item.
    for (const item of HOSTILE) {
      for (const [c, client] of HOSTILE.entries()) {
        seq++;
        // As JSON.parse gives them: `__proto__` an own name like any other.
        const returned = [{ [item]: [`${client}${seq}`] }, { [client]: [LONG + seq, item] }, {}, { [item]: [] }, { a: ['1'], b: ['2'] }];
        const attributes = (c === 1 ? JSON.parse(`{"__proto__":["${seq}"]}`) : JSON.parse(JSON.stringify(returned[c % returned.length]))) as Record<string, string[]>;
        const stale = c % 2 === 0 ? { read: { consistentRead: false, stale: true, asOfSeq: seq - 1, returned: { items: [{ name: item, attributes }], more: c } } } : {};
        // Some carry an operation id, some name the attributes they read.
        const entry = get(seq, client, item, attributes, stale as Partial<AnalyzableEntry>);
        if (c % 3 === 0) entry.operation = `${client}\u0000${item}`;
        if (c % 3 === 1) entry.params = { ...entry.params, 'AttributeName.1': item, 'AttributeName.2': client };
        const op = toOp(entry, c, names) as ReadOp;
        // What the read holds gives back the journal's record of the item.
        expect(returnedBy(op)?.get(item)).toEqual(attributes);
        expect(Object.keys(returnedBy(op)?.get(item) ?? {})).toEqual(Object.keys(attributes));
        expect(returnedBy(op)?.get(`${item} `)).toBeUndefined();
        kept.offer(client, op);
        offered.set(`${op.place.key}\u0001${client}`, op);
      }
    }
    // An older read of an item offered after a newer one: the newer stays.
    const older = toOp(get(0, HOSTILE[0] as string, HOSTILE[0] as string, { n: ['older'] }), 0, names) as ReadOp;
    kept.offer(HOSTILE[0] as string, older);
    expect(kept.size).toBe(HOSTILE.length ** 2);
    for (const [at, op] of offered) {
      const client = at.slice(at.indexOf('\u0001') + 1);
      const back = kept.get(op.place, client);
      expect(back).toEqual(op);
      expect((back && returnedBy(back))?.get(op.place.item as string)).toEqual(returnedBy(op)?.get(op.place.item as string));
    }
    expect(kept.get(older.place, 'nobody')).toBeUndefined();
  });

  it('give back each of 200 readers of one item its own read, past the readers an item scans', () => {
    const names = new Names();
    const kept = new LastReads();
    const reads = new Map<string, ReadOp>();
    // Item a read by 200 clients, item b by three of them, interleaved; each a value of its own.
    for (let c = 0; c < 200; c++) {
      for (const item of c % 70 === 0 ? ['a', 'b'] : ['a']) {
        const client = `${HOSTILE[c % HOSTILE.length] as string} ${c}`;
        const op = toOp(get(reads.size + 1, client, item, { n: [`${item}${c}`] }), c, names) as ReadOp;
        kept.offer(client, op);
        reads.set(`${item}\u0001${client}`, op);
      }
    }
    // An older read offered after the newer one, by the 150th reader: the newer stays.
    const last = `${HOSTILE[150 % HOSTILE.length] as string} 150`;
    kept.offer(last, toOp(get(0, last, 'a', { n: ['older'] }), 150, names) as ReadOp);
    expect(kept.size).toBe(203);
    for (const [at, op] of reads) expect(kept.get(op.place, at.slice(at.indexOf('\u0001') + 1))).toEqual(op);
    const b = reads.get(`b\u0001${HOSTILE[0] as string} 0`) as ReadOp;
    expect(kept.get(b.place, `${HOSTILE[1] as string} 1`)).toBeUndefined();
  });

  it('give a client’s last read alone as one list per window, made again once a newer read is kept or the window is settled', () => {
    const names = new Names();
    const kept = new LastReads();
    const first = toOp(get(1, HOSTILE[0] as string, HOSTILE[3] as string, { n: ['1'] }), 0, names) as ReadOp;
    kept.offer(HOSTILE[0] as string, first);
    const list = kept.alone(first.place, HOSTILE[0] as string);
    expect(list).toEqual([first]);
    expect(kept.alone(first.place, HOSTILE[0] as string)).toBe(list);
    expect(list[0]).toBe(kept.get(first.place, HOSTILE[0] as string));
    expect(kept.alone(first.place, HOSTILE[1] as string)).toEqual([]);
    const newer = toOp(get(2, HOSTILE[0] as string, HOSTILE[3] as string, { n: ['2'] }), 0, names) as ReadOp;
    kept.offer(HOSTILE[0] as string, newer);
    expect(kept.alone(first.place, HOSTILE[0] as string)).toEqual([newer]);
    const before = kept.alone(first.place, HOSTILE[0] as string);
    kept.release();
    const after = kept.alone(first.place, HOSTILE[0] as string);
    expect(after).not.toBe(before);
    expect(after).toEqual([newer]);
  });

  it('keep a Select’s attributes, predicate and items', () => {
    const names = new Names();
    const kept = new LastReads();
    const entry = {
      seq: 5,
      order: 5,
      client: HOSTILE[1],
      connection: 1,
      action: 'Select',
      params: { Action: 'Select', Version: '2009-04-15', SelectExpression: 'select `a`, `b` from `d` where `c` = \'1\'' },
      code: 'Success',
      applied: true,
      read: { consistentRead: false, stale: false, returned: { items: [{ name: HOSTILE[2], attributes: { a: ['1'] } }, { name: HOSTILE[3], attributes: { b: [LONG] } }] } },
    } as AnalyzableEntry;
    const op = toOp(entry, 3, names) as ReadOp;
    kept.offer(HOSTILE[1] as string, op);
    expect(kept.get(op.place, HOSTILE[1] as string)).toEqual(op);
    expect(kept.get(op.place, HOSTILE[2] as string)).toBeUndefined();
  });

  it('let a write build on a read from windows before, named by its client', () => {
    // Per hostile item: two hostile clients read it, many requests pass (windows of 8 settle them), then both write it over.
    const entries: AnalyzableEntry[] = [];
    let seq = 0;
    const expected: [string, number[]][] = [];
    for (const [i, item] of HOSTILE.entries()) {
      const [one, two] = [HOSTILE[(i + 1) % HOSTILE.length] as string, HOSTILE[(i + 2) % HOSTILE.length] as string];
      const readOne = ++seq;
      entries.push(get(readOne, one, item, { [item]: [number(i)] }));
      const readTwo = ++seq;
      entries.push(get(readTwo, two, item, { [item]: [number(i)] }));
      for (let k = 0; k < 40; k++) entries.push(get(++seq, `filler ${k % 3}`, 'filler', { n: [String(k)] }));
      const writeOne = ++seq;
      entries.push(put(writeOne, one, item, item, number(i + 1)));
      const writeTwo = ++seq;
      entries.push(put(writeTwo, two, item, item, number(i + 1)));
      // The second write stored what the first had: built on its client's read, which did not show the first.
      expected.push([item, [readTwo, writeOne, writeTwo]]);
      expect(readOne).toBeLessThan(readTwo);
    }
    const run = (window: number): Analysis => {
      const a = new Analyzer({}, { window });
      for (const e of entries) a.add(e);
      return a.finish();
    };
    const windowed = run(8);
    expect(windowed.findings.filter((f) => f.kind === 'lost-update').map((f) => [f.item, f.seqs])).toEqual(expected);
    for (const f of windowed.findings) {
      const i = HOSTILE.indexOf(f.item);
      expect(f.clients).toEqual([HOSTILE[(i + 2) % HOSTILE.length], HOSTILE[(i + 1) % HOSTILE.length]]);
      expect(f.step).toBe(1);
    }
    expect(windowed).toEqual(run(100_000));
  });
});
