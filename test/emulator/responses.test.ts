// Every action's success path and response envelope, over GET and over POST with each
// Content-Type real clients send.
import { afterAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import {
  call,
  emulator,
  NS,
  pairsInOrder,
  pairsOf,
  PROLOG,
  resultOf,
  type CallOptions,
} from '../support/protocol.js';

const started: Emulator[] = [];
afterAll(async () => {
  await Promise.all(started.map((e) => e.close()));
});

async function fresh(): Promise<Emulator> {
  const emu = await emulator();
  started.push(emu);
  return emu;
}

const transports: [string, CallOptions][] = [
  ['GET', { method: 'GET' }],
  ['POST charset=UTF-8 (boto 2)', { contentType: 'application/x-www-form-urlencoded; charset=UTF-8' }],
  ['POST charset=utf-8 (botocore, aws-sdk)', { contentType: 'application/x-www-form-urlencoded; charset=utf-8' }],
  ['POST without charset', { contentType: 'application/x-www-form-urlencoded' }],
];

describe.each(transports)('every action over %s', (_label, transport) => {
  it('answers each action with the service envelope and the documented BoxUsage', async () => {
    const emu = await fresh();
    const ids = new Set<string>();
    const run = async (params: Record<string, string>, action: string, boxUsage: string) => {
      const res = await call(emu, params, transport);
      const result = resultOf(res, action, boxUsage);
      expect(res.headers['server']).toBe('Amazon SimpleDB');
      const id = /<RequestId>([^<]+)<\/RequestId>/.exec(res.text)?.[1] ?? '';
      expect(ids.has(id)).toBe(false);
      ids.add(id);
      return { res, result };
    };

    // No domains yet: the Result element is still there, empty (boto3 needs it).
    const empty = await run({ Action: 'ListDomains' }, 'ListDomains', '0.0000071759');
    expect(empty.res.text).toContain('<ListDomainsResult/>');
    expect(empty.result).toBe('');

    // Actions without result members carry ResponseMetadata only, exactly this document.
    const created = await run({ Action: 'CreateDomain', DomainName: 'dom', Version: '2009-04-15' }, 'CreateDomain', '0.0055590278');
    expect(created.result).toBeUndefined();
    expect(created.res.text).toMatch(
      new RegExp(
        `^${escape(PROLOG)}<CreateDomainResponse xmlns="${escape(NS)}"><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId>` +
          '<BoxUsage>0\\.0055590278</BoxUsage></ResponseMetadata></CreateDomainResponse>$',
      ),
    );

    const listed = await run({ Action: 'ListDomains' }, 'ListDomains', '0.0000071759');
    expect(listed.res.text).toContain('<ListDomainsResult><DomainName>dom</DomainName></ListDomainsResult>');

    const meta = await run({ Action: 'DomainMetadata', DomainName: 'dom' }, 'DomainMetadata', '0.0000071759');
    expect(meta.res.text).toMatch(
      /<DomainMetadataResult><ItemCount>0<\/ItemCount><ItemNamesSizeBytes>0<\/ItemNamesSizeBytes><AttributeNameCount>0<\/AttributeNameCount><AttributeNamesSizeBytes>0<\/AttributeNamesSizeBytes><AttributeValueCount>0<\/AttributeValueCount><AttributeValuesSizeBytes>0<\/AttributeValuesSizeBytes><Timestamp>\d+<\/Timestamp><\/DomainMetadataResult>/,
    );

    const put = await run(
      { Action: 'PutAttributes', DomainName: 'dom', ItemName: 'i1', 'Attribute.1.Name': 'color', 'Attribute.1.Value': 'red' },
      'PutAttributes',
      '0.0000219907',
    );
    expect(put.result).toBeUndefined();

    const got = await run({ Action: 'GetAttributes', DomainName: 'dom', ItemName: 'i1' }, 'GetAttributes', '0.0000093282');
    expect(got.res.text).toContain(
      '<GetAttributesResult><Attribute><Name>color</Name><Value>red</Value></Attribute></GetAttributesResult>',
    );

    const missing = await run({ Action: 'GetAttributes', DomainName: 'dom', ItemName: 'nope' }, 'GetAttributes', '0.0000093282');
    expect(missing.res.text).toContain('<GetAttributesResult/>');
    expect(pairsOf(missing.result)).toEqual([]);

    // Batch BoxUsage is the per-item base times the number of items.
    const batchPut = await run(
      {
        Action: 'BatchPutAttributes',
        DomainName: 'dom',
        'Item.1.ItemName': 'b1',
        'Item.1.Attribute.1.Name': 'a',
        'Item.1.Attribute.1.Value': '1',
        'Item.2.ItemName': 'b2',
        'Item.2.Attribute.1.Name': 'a',
        'Item.2.Attribute.1.Value': '2',
      },
      'BatchPutAttributes',
      '0.0000439814',
    );
    expect(batchPut.result).toBeUndefined();

    await run({ Action: 'DeleteAttributes', DomainName: 'dom', ItemName: 'i1' }, 'DeleteAttributes', '0.0000219907');
    await run(
      { Action: 'BatchDeleteAttributes', DomainName: 'dom', 'Item.1.ItemName': 'b1', 'Item.2.ItemName': 'b2' },
      'BatchDeleteAttributes',
      '0.0000439814',
    );
    await run({ Action: 'DeleteDomain', DomainName: 'dom' }, 'DeleteDomain', '0.0055590278');
    const after = await run({ Action: 'ListDomains' }, 'ListDomains', '0.0000071759');
    expect(after.result).toBe('');
  });
});

describe('BoxUsage beyond the base (the documented formula)', () => {
  it('adds per byte over 1 KB on puts and per pair over 8 on gets', async () => {
    const emu = await fresh();
    await call(emu, { Action: 'CreateDomain', DomainName: 'box' });
    // 1 + 2047 bytes of name and value: 1024 bytes beyond the base at 0.0000000015 each.
    const big = await call(emu, {
      Action: 'PutAttributes',
      DomainName: 'box',
      ItemName: 'i',
      'Attribute.1.Name': 'a',
      'Attribute.1.Value': 'v'.repeat(1023),
      'Attribute.2.Name': 'b',
      'Attribute.2.Value': 'w'.repeat(1023),
    });
    resultOf(big, 'PutAttributes', (0.0000219907 + 1024 * 0.0000000015).toFixed(10));
    expect((0.0000219907 + 1024 * 0.0000000015).toFixed(10)).toBe('0.0000235267');

    const ten: Record<string, string> = { Action: 'PutAttributes', DomainName: 'box', ItemName: 'j' };
    for (let i = 1; i <= 10; i++) Object.assign(ten, { [`Attribute.${i}.Name`]: `n${i}`, [`Attribute.${i}.Value`]: 'v' });
    await call(emu, ten);
    const got = await call(emu, { Action: 'GetAttributes', DomainName: 'box', ItemName: 'j' });
    resultOf(got, 'GetAttributes', '0.0000093322');
  });
});

describe('GetAttributes rendering', () => {
  it('repeats the name for each value of a multi-valued attribute, in name then value order', async () => {
    const emu = await fresh();
    await call(emu, { Action: 'CreateDomain', DomainName: 'dom' });
    await call(emu, {
      Action: 'PutAttributes',
      DomainName: 'dom',
      ItemName: 'Item_03',
      'Attribute.1.Name': 'Size',
      'Attribute.1.Value': 'Large',
      'Attribute.2.Name': 'Color',
      'Attribute.2.Value': 'Pink',
      'Attribute.3.Name': 'Color',
      'Attribute.3.Value': 'Blue',
    });
    const res = await call(emu, { Action: 'GetAttributes', DomainName: 'dom', ItemName: 'Item_03', ConsistentRead: 'true' });
    expect(pairsInOrder(resultOf(res, 'GetAttributes'))).toEqual([
      ['Color', 'Blue'],
      ['Color', 'Pink'],
      ['Size', 'Large'],
    ]);

    const named = await call(emu, {
      Action: 'GetAttributes',
      DomainName: 'dom',
      ItemName: 'Item_03',
      'AttributeName.1': 'Size',
      'AttributeName.2': 'absent',
    });
    expect(pairsOf(resultOf(named, 'GetAttributes'))).toEqual([['Size', 'Large']]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
