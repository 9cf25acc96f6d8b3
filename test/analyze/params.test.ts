// The analysis reads each journal entry's parameters over the entry's own object
// (sync/analyze/ops.ts `RecordParams`) instead of listing them first: the readers must see
// exactly what they see through Params over the same pairs, odd names and lists included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRequest } from '../../emulator/actions/readers.js';
import { Params } from '../../emulator/core/params.js';
import { analyze } from '../../emulator/sync/analyze/index.js';
import { RecordParams, toOp } from '../../emulator/sync/analyze/ops.js';
import type { AnalyzableEntry } from '../../emulator/sync/analyze/types.js';
import { putEntry, readEntry } from './entries.js';

const index = fc.constantFrom('0', '1', '01', '2', '10', '999999999', '1234567890', 'x', '');
const rest = fc.constantFrom('Name', 'Value', 'Replace', 'Exists', 'ItemName', 'Attribute.1.Name', 'Attribute.1.Value', 'Attribute.02.Name', '');
const name = fc.oneof(
  fc.tuple(fc.constantFrom('Attribute', 'Expected', 'Item', 'AttributeName'), index, rest).map(([p, i, r]) => (r === '' ? `${p}.${i}` : `${p}.${i}.${r}`)),
  fc.constantFrom('DomainName', 'ItemName', 'AttributeName', 'Expected.Name', 'Expected.Value', 'Expected.Exists', 'SelectExpression', 'ConsistentRead'),
  fc.constantFrom('constructor', 'toString', '__proto__', 'hasOwnProperty', '1', 'Attribute', 'Attribute.'),
);
const action = fc.constantFrom('PutAttributes', 'DeleteAttributes', 'BatchPutAttributes', 'BatchDeleteAttributes', 'GetAttributes', 'Select', 'constructor');
const value = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('true', 'false', 'select * from d where a = "1"'));

describe('journal parameters read over the entry', () => {
  it('give the readers what Params over the same pairs gives', () => {
    fc.assert(
      fc.property(action, fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 20 }), (act, pairs) => {
        // As a journal file holds them: parsed from JSON, so `__proto__` is a name like any other.
        const record = JSON.parse(JSON.stringify(Object.fromEntries([['Action', act], ...pairs]))) as Record<string, string>;
        expect(readRequest(new RecordParams(record))).toEqual(readRequest(new Params(Object.entries(record))));
      }),
      { numRuns: 3000 },
    );
  });
});

// The emulator's journal records each request as its action read it (`request`) beside its
// parameters: the analysis takes that reading instead of reading the parameters again, and
// reads them when the reading is missing or not of the shape the readers give.
describe("the journal's own reading of a request", () => {
  const entry = (params: Record<string, string>, request?: unknown): AnalyzableEntry =>
    ({ seq: 1, order: 1, action: params.Action ?? null, params, code: 'Success', applied: true, ...(request === undefined ? {} : { request }) }) as AnalyzableEntry;
  const reading = (record: Record<string, string>): unknown => JSON.parse(JSON.stringify(readRequest(new Params(Object.entries(record))) ?? null));

  it('gives the operation that reading the parameters gives', () => {
    fc.assert(
      fc.property(action, fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n, maxLength: 20 }), (act, pairs) => {
        const record = JSON.parse(JSON.stringify(Object.fromEntries([['Action', act], ...pairs]))) as Record<string, string>;
        expect(toOp(entry(record, reading(record)), 0)).toEqual(toOp(entry(record), 0));
      }),
      { numRuns: 2000 },
    );
  });

  it('is what the analysis reads when the journal has it', () => {
    // No parameters at all: only the reading says what the request was.
    const op = toOp(entry({}, { action: 'PutAttributes', domain: 'd', item: 'i', attributes: [{ name: 'n', value: '1', replace: true }], expected: [] }), 0);
    expect(op).toMatchObject({ kind: 'write', place: { domain: 'd' }, changes: [{ place: { item: 'i' }, puts: [{ name: 'n', value: '1', replace: true }] }] });
  });

  it('is set aside for the parameters when it is not of the readers’ shape', () => {
    const params = { Action: 'PutAttributes', DomainName: 'd', ItemName: 'i', 'Attribute.1.Name': 'n', 'Attribute.1.Value': '1', 'Expected.1.Name': 'n', 'Expected.1.Exists': 'false' };
    const good = reading(params) as Record<string, unknown>;
    const fromParams = toOp(entry(params), 0);
    expect(fromParams).toMatchObject({ kind: 'write', conditional: true, changes: [{ place: { item: 'i' } }] });
    // Each part of the reading wrong in turn, as a file edited by hand or written by something else may have it.
    const attribute = { name: 'x', value: '9', replace: false };
    const broken: unknown[] = [
      null, 'PutAttributes', 7, [good],
      { ...good, action: 'Frobnicate' },
      { ...good, domain: 5 },
      { ...good, item: ['i'] },
      { ...good, attributes: 'n=1' },
      { ...good, attributes: [{ ...attribute, name: 1 }] },
      { ...good, attributes: [{ ...attribute, value: null }] },
      { ...good, attributes: [{ ...attribute, replace: 'true' }] },
      { ...good, attributes: [null] },
      { ...good, expected: { name: 'n' } },
      { ...good, expected: [{ name: 'n', exists: false }] },
      { ...good, expected: [7] },
    ];
    for (const request of broken) expect(toOp(entry(params, request), 0)).toEqual(fromParams);
    const get = { Action: 'GetAttributes', DomainName: 'd', ItemName: 'i' };
    const getGood = reading(get) as Record<string, unknown>;
    for (const request of [{ ...getGood, attributeNames: [1] }, { ...getGood, consistentRead: 'true' }, { ...getGood, attributeNames: undefined }]) {
      expect(toOp(entry(get, request), 0)).toEqual(toOp(entry(get), 0));
    }
    const batch = { Action: 'BatchPutAttributes', DomainName: 'd', 'Item.1.ItemName': 'i', 'Item.1.Attribute.1.Name': 'n', 'Item.1.Attribute.1.Value': '1' };
    const batchGood = reading(batch) as Record<string, unknown>;
    for (const request of [{ ...batchGood, items: [{ item: 3, attributes: [] }] }, { ...batchGood, items: [{ item: 'j', attributes: [{ name: 'n' }] }] }, { ...batchGood, items: 'i' }]) {
      expect(toOp(entry(batch, request), 0)).toEqual(toOp(entry(batch), 0));
    }
  });
});

// What a read returned (`read.returned`) decides which read a write was built on. A journal
// edited by hand, or written by something else, may hold anything there: a record of another
// shape says nothing, and the analysis goes on as for an older journal that did not record it.
describe("the journal's record of what a read returned", () => {
  const get = (seq: number, client: string, returned: unknown): AnalyzableEntry =>
    readEntry(seq, client, 'd', 'i', {}, { read: { consistentRead: false, stale: false, returned } as AnalyzableEntry['read'] });
  const put = (seq: number, client: string): AnalyzableEntry => putEntry(seq, client, 'd', 'i', 'n', '1');
  // Two clients read n = 0, then each writes 1: one lost increment.
  const race = (returned: unknown) => analyze([get(1, 'a', returned), get(2, 'b', returned), put(3, 'a'), put(4, 'b')]).summary;

  it('of another shape, counts as not recorded: the loss is possible, and nothing throws', () => {
    expect(race({ items: [{ name: 'i', attributes: { n: ['0'] } }] })).toMatchObject({ anomalies: 1, possible: 0 });
    const shapes: unknown[] = [
      null, 'x', 7, {}, { items: 'x' }, { items: [null] }, { items: ['i'] },
      { items: [{ attributes: { n: ['0'] } }] },
      { items: [{ name: 'i', attributes: null }] },
      { items: [{ name: 'i', attributes: ['0'] }] },
      { items: [{ name: 'i', attributes: { n: '0' } }] },
      { items: [{ name: 'i', attributes: { n: [0] } }] },
      { items: [{ name: 'i', attributes: { n: ['0', null] } }] },
      JSON.parse('{"items":[{"name":"i","attributes":{"__proto__":"0"}}]}'),
    ];
    for (const returned of shapes) expect(race(returned), JSON.stringify(returned)).toMatchObject({ anomalies: 0, possible: 1 });
  });

  it('beside a list of faults of another shape, still decides: such a list says nothing of what a fault did', () => {
    const returned = { items: [{ name: 'i', attributes: { n: ['0'] } }] };
    const withFaults = (faults: unknown) => {
      const [a, b, w1, w2] = [get(1, 'a', returned), get(2, 'b', returned), put(3, 'a'), { ...put(4, 'b'), faults } as AnalyzableEntry];
      return analyze([a, b, w1, w2]).summary;
    };
    // A fault that failed the request with an error: the write did not happen, nothing was lost.
    expect(withFaults([{ rule: 'f1', effect: 'error:InternalError' }])).toMatchObject({ anomalies: 0 });
    for (const faults of ['x', 7, [null], ['error:InternalError'], [{ effect: 5 }], { effect: 'error:InternalError' }]) {
      expect(withFaults(faults), JSON.stringify(faults)).toMatchObject({ anomalies: 1 });
    }
  });
});
