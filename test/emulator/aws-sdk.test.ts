// An independent real client, aws-sdk for JavaScript v2, doing CRUD and meeting the conditional
// errors. Its own XML parser and error mapping must accept our documents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { emulator } from '../support/protocol.js';

// The SDK prints a maintenance-mode notice on load unless told not to.
process.env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] = '1';
const { default: AWS } = await import('aws-sdk');

let emu: Emulator;
let sdb: InstanceType<typeof AWS.SimpleDB>;
beforeAll(async () => {
  emu = await emulator();
  sdb = new AWS.SimpleDB({
    endpoint: emu.url,
    region: 'us-east-1',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'x',
    maxRetries: 0,
  });
});
afterAll(async () => {
  await emu.close();
});

interface SdkError {
  code: string;
  statusCode: number;
  message: string;
  retryable: boolean;
}

async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the call to fail');
}

const sorted = (attrs: AWS.SimpleDB.AttributeList | undefined) =>
  (attrs ?? []).map((a) => [a.Name, a.Value] as const).sort((a, b) => (a.join('=') < b.join('=') ? -1 : 1));

describe('aws-sdk v2 SimpleDB against the emulator', () => {
  it('does CRUD', async () => {
    await sdb.createDomain({ DomainName: 'sdk' }).promise();
    const listed = await sdb.listDomains({}).promise();
    expect(listed.DomainNames).toEqual(['sdk']);

    await sdb
      .putAttributes({
        DomainName: 'sdk',
        ItemName: 'item1',
        Attributes: [
          { Name: 'color', Value: 'red' },
          { Name: 'text', Value: 'a b*c~d/e+f&g=h%i é 日本 <&>' },
          { Name: 'empty', Value: '' },
        ],
      })
      .promise();
    const got = await sdb.getAttributes({ DomainName: 'sdk', ItemName: 'item1', ConsistentRead: true }).promise();
    expect(sorted(got.Attributes)).toEqual([
      ['color', 'red'],
      ['empty', ''],
      ['text', 'a b*c~d/e+f&g=h%i é 日本 <&>'],
    ]);

    await sdb
      .batchPutAttributes({
        DomainName: 'sdk',
        Items: [
          { Name: 'b1', Attributes: [{ Name: 'n', Value: '1' }, { Name: 'n', Value: '2' }] },
          { Name: 'b2', Attributes: [{ Name: 'n', Value: '3' }] },
        ],
      })
      .promise();
    const b1 = await sdb.getAttributes({ DomainName: 'sdk', ItemName: 'b1', ConsistentRead: true }).promise();
    expect(sorted(b1.Attributes)).toEqual([
      ['n', '1'],
      ['n', '2'],
    ]);

    const meta = await sdb.domainMetadata({ DomainName: 'sdk' }).promise();
    expect(meta).toMatchObject({ ItemCount: 3, AttributeNameCount: 4, AttributeValueCount: 6 });
    expect(typeof meta.Timestamp).toBe('number');

    await sdb.batchDeleteAttributes({ DomainName: 'sdk', Items: [{ Name: 'b1' }, { Name: 'b2', Attributes: [{ Name: 'n', Value: '3' }] }] }).promise();
    await sdb.deleteAttributes({ DomainName: 'sdk', ItemName: 'item1', Attributes: [{ Name: 'color' }] }).promise();
    const after = await sdb.getAttributes({ DomainName: 'sdk', ItemName: 'item1', ConsistentRead: true }).promise();
    expect(sorted(after.Attributes).map(([n]) => n)).toEqual(['empty', 'text']);
    const gone = await sdb.getAttributes({ DomainName: 'sdk', ItemName: 'b1', ConsistentRead: true }).promise();
    expect(gone.Attributes ?? []).toEqual([]);
    expect((await sdb.domainMetadata({ DomainName: 'sdk' }).promise()).ItemCount).toBe(1);

    await sdb.deleteDomain({ DomainName: 'sdk' }).promise();
    expect((await sdb.listDomains({}).promise()).DomainNames ?? []).toEqual([]);
  });

  it('pages ListDomains with its NextToken', async () => {
    for (const d of ['p1x', 'p2x', 'p3x']) await sdb.createDomain({ DomainName: d }).promise();
    const first = await sdb.listDomains({ MaxNumberOfDomains: 2 }).promise();
    expect(first.DomainNames).toEqual(['p1x', 'p2x']);
    const second = await sdb.listDomains({ MaxNumberOfDomains: 2, NextToken: first.NextToken ?? '' }).promise();
    expect(second.DomainNames).toEqual(['p3x']);
    expect(second.NextToken).toBeUndefined();
  });

  it('gets the conditional errors with the right code and statusCode', async () => {
    await sdb.createDomain({ DomainName: 'cond' }).promise();
    const put = (value: string, expected: AWS.SimpleDB.UpdateCondition) =>
      sdb
        .putAttributes({
          DomainName: 'cond',
          ItemName: 'counter',
          Attributes: [{ Name: 'n', Value: value, Replace: true }],
          Expected: expected,
        })
        .promise();

    const absent = await sdkError(put('1', { Name: 'n', Value: '0' }));
    expect(absent).toMatchObject({ code: 'AttributeDoesNotExist', statusCode: 404, message: 'Attribute (n) does not exist', retryable: false });

    await put('1', { Name: 'n', Exists: false });
    const exists = await sdkError(put('1', { Name: 'n', Exists: false }));
    expect(exists).toMatchObject({
      code: 'ConditionalCheckFailed',
      statusCode: 409,
      message: 'Conditional check failed. Attribute (n) value exists',
    });

    await put('2', { Name: 'n', Value: '1', Exists: true });
    const stale = await sdkError(put('3', { Name: 'n', Value: '1' }));
    expect(stale).toMatchObject({
      code: 'ConditionalCheckFailed',
      statusCode: 409,
      message: 'Conditional check failed. Attribute (n) value is (2) but was expected (1)',
    });

    const del = await sdkError(sdb.deleteAttributes({ DomainName: 'cond', ItemName: 'counter', Expected: { Name: 'n', Value: '9' } }).promise());
    expect(del).toMatchObject({ code: 'ConditionalCheckFailed', statusCode: 409 });
    await sdb.deleteAttributes({ DomainName: 'cond', ItemName: 'counter', Expected: { Name: 'n', Value: '2' } }).promise();

    const noDomain = await sdkError(sdb.domainMetadata({ DomainName: 'absent' }).promise());
    expect(noDomain).toMatchObject({ code: 'NoSuchDomain', statusCode: 400 });
  });
});
