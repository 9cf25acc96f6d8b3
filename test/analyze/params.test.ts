// The analysis reads each journal entry's parameters over the entry's own object
// (sync/analyze/ops.ts `RecordParams`) instead of listing them first: the readers must see
// exactly what they see through Params over the same pairs, odd names and lists included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRequest } from '../../emulator/actions/readers.js';
import { Params } from '../../emulator/core/params.js';
import { RecordParams } from '../../emulator/sync/analyze/ops.js';

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
