import { describe, expect, it } from 'vitest';
import {
  BatchDeleteAttributesCommand,
  BatchPutAttributesCommand,
  CreateDomainCommand,
  DeleteAttributesCommand,
  DeleteDomainCommand,
  DomainMetadataCommand,
  GetAttributesCommand,
  ListDomainsCommand,
  PutAttributesCommand,
  SelectCommand,
  type UpdateCondition,
} from '../../client/index.js';
import { actionParams, loadWire } from './wire.js';

const DomainName = 'capture_dom';
const SPECIAL = 'a b*c~d/e+f&g=h%i é 日本';

/** The inputs the capture driver gave boto3 (botocore is the service model this client follows). */
const BOTO3_STEPS = {
  CreateDomain: new CreateDomainCommand({ DomainName }),
  ListDomains: new ListDomainsCommand(),
  'ListDomains:max': new ListDomainsCommand({ MaxNumberOfDomains: 2 }),
  'ListDomains:next-token': new ListDomainsCommand({ MaxNumberOfDomains: 2, NextToken: 'Y2FwdHVyZS1kb21haW4tdG9rZW4=' }),
  DomainMetadata: new DomainMetadataCommand({ DomainName }),
  'PutAttributes:plain': new PutAttributesCommand({
    DomainName,
    ItemName: 'item1',
    Attributes: [
      { Name: 'color', Value: 'red' },
      { Name: 'text', Value: SPECIAL },
    ],
  }),
  'PutAttributes:replace': new PutAttributesCommand({ DomainName, ItemName: 'item1', Attributes: [{ Name: 'color', Value: 'green', Replace: true }] }),
  'PutAttributes:replace-false': new PutAttributesCommand({
    DomainName,
    ItemName: 'item1',
    Attributes: [{ Name: 'color', Value: 'green', Replace: false }],
  }),
  'PutAttributes:expected-value': new PutAttributesCommand({
    DomainName,
    ItemName: 'counter',
    Attributes: [{ Name: 'n', Value: '2', Replace: true }],
    Expected: { Name: 'n', Value: '1' },
  }),
  'PutAttributes:expected-exists-true': new PutAttributesCommand({
    DomainName,
    ItemName: 'counter',
    Attributes: [{ Name: 'n', Value: '3', Replace: true }],
    Expected: { Name: 'n', Value: '2', Exists: true },
  }),
  'PutAttributes:expected-exists-false': new PutAttributesCommand({
    DomainName,
    ItemName: 'counter',
    Attributes: [{ Name: 'n', Value: '1', Replace: true }],
    Expected: { Name: 'n', Exists: false },
  }),
  BatchPutAttributes: new BatchPutAttributesCommand({
    DomainName,
    Items: [
      {
        Name: 'b1',
        Attributes: [
          { Name: 'color', Value: 'red' },
          { Name: 'color', Value: 'blue' },
          { Name: 'size', Value: 's', Replace: true },
        ],
      },
      { Name: 'b2', Attributes: [{ Name: 'text', Value: SPECIAL }] },
    ],
  }),
  'GetAttributes:all': new GetAttributesCommand({ DomainName, ItemName: 'item1' }),
  'GetAttributes:named': new GetAttributesCommand({ DomainName, ItemName: 'item1', AttributeNames: ['color', 'size'] }),
  'GetAttributes:consistent': new GetAttributesCommand({ DomainName, ItemName: 'item1', ConsistentRead: true }),
  'GetAttributes:consistent-false': new GetAttributesCommand({ DomainName, ItemName: 'item1', ConsistentRead: false }),
  'DeleteAttributes:item': new DeleteAttributesCommand({ DomainName, ItemName: 'b2' }),
  'DeleteAttributes:value': new DeleteAttributesCommand({ DomainName, ItemName: 'item1', Attributes: [{ Name: 'color', Value: 'red' }] }),
  'DeleteAttributes:expected-value': new DeleteAttributesCommand({ DomainName, ItemName: 'counter', Expected: { Name: 'n', Value: '2' } }),
  'DeleteAttributes:expected-exists-false': new DeleteAttributesCommand({
    DomainName,
    ItemName: 'counter',
    Attributes: [{ Name: 'n', Value: '1' }],
    Expected: { Name: 'lock', Exists: false },
  }),
  BatchDeleteAttributes: new BatchDeleteAttributesCommand({
    DomainName,
    Items: [{ Name: 'b1' }, { Name: 'item1', Attributes: [{ Name: 'color', Value: 'blue' }] }],
  }),
  Select: new SelectCommand({ SelectExpression: "select * from `capture_dom` where color = 'red'" }),
  'Select:consistent': new SelectCommand({ SelectExpression: 'select * from `capture_dom`', ConsistentRead: true }),
  'Select:next-token': new SelectCommand({ SelectExpression: 'select * from `capture_dom` limit 2', NextToken: 'cmxvY2FsLWNhcHR1cmUtdG9rZW4=' }),
  'Select:count': new SelectCommand({ SelectExpression: 'select count(*) from `capture_dom`' }),
  DeleteDomain: new DeleteDomainCommand({ DomainName }),
};

const boto3 = new Map(loadWire().filter((r) => r.client === 'boto3').map((r) => [r.step, r]));

describe('wire parameters match botocore (boto3 captures)', () => {
  it.each(Object.entries(BOTO3_STEPS))('%s', (step, command) => {
    const record = boto3.get(step);
    expect(record, `no boto3 capture for ${step}`).toBeDefined();
    expect(command.action).toBe(record?.action);
    expect(command.serialize()).toEqual(record && actionParams(record));
  });
});

describe('Expected is sent exactly as written', () => {
  const expected = (condition: UpdateCondition) =>
    new PutAttributesCommand({ DomainName, ItemName: 'c', Attributes: [{ Name: 'n', Value: '1', Replace: true }], Expected: condition })
      .serialize()
      .filter(([name]) => name.startsWith('Expected.'));

  it('a value of "0" is a value test: Expected.Value=0 and no Exists', () => {
    expect(expected({ Name: 'n', Value: '0' })).toEqual([
      ['Expected.Name', 'n'],
      ['Expected.Value', '0'],
    ]);
  });

  it('an empty string is a value too', () => {
    expect(expected({ Name: 'n', Value: '' })).toEqual([
      ['Expected.Name', 'n'],
      ['Expected.Value', ''],
    ]);
  });

  it('Exists=false carries no value; Exists=true is sent only when written', () => {
    expect(expected({ Name: 'n', Exists: false })).toEqual([
      ['Expected.Name', 'n'],
      ['Expected.Exists', 'false'],
    ]);
    expect(expected({ Name: 'n', Value: '0', Exists: true })).toEqual([
      ['Expected.Name', 'n'],
      ['Expected.Value', '0'],
      ['Expected.Exists', 'true'],
    ]);
  });

  it('the types refuse the ambiguous forms (checked by tsc)', () => {
    // @ts-expect-error Exists=false with a value is contradictory
    const both: UpdateCondition = { Name: 'n', Exists: false, Value: '0' };
    // @ts-expect-error Exists=true needs the value to compare with
    const noValue: UpdateCondition = { Name: 'n', Exists: true };
    // @ts-expect-error values are strings; a number is never coerced into a condition
    const numeric: UpdateCondition = { Name: 'n', Value: 0 };
    expect([both, noValue, numeric]).toHaveLength(3);
  });

  it('only writes with Expected count as conditional writes', () => {
    const put = { DomainName, ItemName: 'c', Attributes: [{ Name: 'n', Value: '1' }] };
    expect(new PutAttributesCommand(put).isConditionalWrite).toBe(false);
    expect(new PutAttributesCommand({ ...put, Expected: { Name: 'n', Value: '0' } }).isConditionalWrite).toBe(true);
    expect(new DeleteAttributesCommand({ DomainName, ItemName: 'c' }).isConditionalWrite).toBe(false);
    expect(new DeleteAttributesCommand({ DomainName, ItemName: 'c', Expected: { Name: 'n', Exists: false } }).isConditionalWrite).toBe(true);
  });

  it('DeleteAttributes can name an attribute without a value (boto3 cannot)', () => {
    expect(new DeleteAttributesCommand({ DomainName, ItemName: 'c', Attributes: [{ Name: 'n' }] }).serialize()).toEqual([
      ['DomainName', DomainName],
      ['ItemName', 'c'],
      ['Attribute.1.Name', 'n'],
    ]);
  });
});
