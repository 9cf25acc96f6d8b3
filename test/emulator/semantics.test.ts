// What the actions do to the data: replace and set semantics, deletes,
// domain lifecycle, ListDomains paging, DomainMetadata byte counts, all-or-nothing writes,
// exact round trips of awkward values and boto 2's numbering.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import {
  attrs,
  call,
  emulator,
  expectError,
  getPairs,
  list,
  metadata,
  ok,
  pairsInOrder,
  resultOf,
  send,
  text,
  type Pairs,
} from '../support/protocol.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  emu.reset();
  await ok(emu, { Action: 'CreateDomain', DomainName: 'dom' });
});

const put = (item: string, p: Pairs, replace = false, domain = 'dom') =>
  ok(emu, [['Action', 'PutAttributes'], ['DomainName', domain], ['ItemName', item], ...attrs(p, replace)]);
const del = (item: string, p: [string, string?][] = []) =>
  ok(emu, [
    ['Action', 'DeleteAttributes'],
    ['DomainName', 'dom'],
    ['ItemName', item],
    ...p.flatMap(([n, v], i): [string, string][] => [
      [`Attribute.${i + 1}.Name`, n],
      ...(v === undefined ? [] : [[`Attribute.${i + 1}.Value`, v] as [string, string]]),
    ]),
  ]);

describe('PutAttributes', () => {
  it('Replace: the documentation example {a:1,b:2,b:3} + b=4 Replace → {a:1,b:4}', async () => {
    await put('item', [['a', '1'], ['b', '2'], ['b', '3']]);
    await put('item', [['b', '4']], true);
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['a', '1'], ['b', '4']]);
  });

  it('without Replace a value is added: the attribute becomes multi-valued', async () => {
    await put('item', [['b', '1']]);
    await put('item', [['b', '2']]);
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['b', '1'], ['b', '2']]);
  });

  it('pairs are a set: the same pair twice in one request, or again later, is stored once', async () => {
    await put('item', [['a', '1'], ['a', '1']]);
    await put('item', [['a', '1']]);
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['a', '1']]);
    expect((await metadata(emu, 'dom')).AttributeValueCount).toBe('1');
  });

  it('several values for one name with Replace replace the old values with all of them', async () => {
    await put('item', [['b', 'old'], ['c', 'keep']]);
    await ok(emu, {
      Action: 'PutAttributes',
      DomainName: 'dom',
      ItemName: 'item',
      'Attribute.1.Name': 'b',
      'Attribute.1.Value': 'x',
      'Attribute.1.Replace': 'true',
      'Attribute.2.Name': 'b',
      'Attribute.2.Value': 'y',
    });
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['b', 'x'], ['b', 'y'], ['c', 'keep']]);
  });

  it('Replace of a name the item does not have, or on a new item, just adds', async () => {
    await put('new', [['z', '1']], true);
    expect(await getPairs(emu, 'dom', 'new')).toEqual([['z', '1']]);
  });

  it('the counter pattern: Replace with Expected on the same attribute sees the state before the request', async () => {
    const bump = (from: string | null, to: string) =>
      call(emu, {
        Action: 'PutAttributes',
        DomainName: 'dom',
        ItemName: 'counter',
        'Attribute.1.Name': 'n',
        'Attribute.1.Value': to,
        'Attribute.1.Replace': 'true',
        'Expected.1.Name': 'n',
        ...(from === null ? { 'Expected.1.Exists': 'false' } : { 'Expected.1.Value': from }),
      });
    expect((await bump(null, '1')).status).toBe(200);
    expect((await bump(null, '1')).status).toBe(409);
    expect((await bump('1', '2')).status).toBe(200);
    expect((await bump('1', '2')).status).toBe(409);
    expect(await getPairs(emu, 'dom', 'counter')).toEqual([['n', '2']]);
  });

  it('domain names are case-sensitive', async () => {
    await ok(emu, { Action: 'CreateDomain', DomainName: 'Dom' });
    await put('item', [['a', 'upper']], false, 'Dom');
    expect(await getPairs(emu, 'dom', 'item')).toEqual([]);
    expect(await getPairs(emu, 'Dom', 'item')).toEqual([['a', 'upper']]);
  });
});

describe('DeleteAttributes', () => {
  beforeEach(async () => {
    await put('item', [['a', '1'], ['b', '1'], ['b', '2'], ['c', '3']]);
    await put('other', [['a', '1']]);
  });

  it('a specific value, then a whole attribute, then the whole item', async () => {
    await del('item', [['b', '1']]);
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['a', '1'], ['b', '2'], ['c', '3']]);
    await del('item', [['a']]);
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['b', '2'], ['c', '3']]);
    await del('item');
    expect(await getPairs(emu, 'dom', 'item')).toEqual([]);
    expect(await getPairs(emu, 'dom', 'other')).toEqual([['a', '1']]);
  });

  it('deleting what does not exist is not an error and changes nothing', async () => {
    await del('item', [['b', 'nope'], ['zz']]);
    await del('ghost');
    expect(await getPairs(emu, 'dom', 'item')).toHaveLength(4);
  });

  it('the item disappears with its last pair: ItemCount drops', async () => {
    expect((await metadata(emu, 'dom')).ItemCount).toBe('2');
    await del('other', [['a', '1']]);
    const m = await metadata(emu, 'dom');
    expect([m.ItemCount, m.ItemNamesSizeBytes, m.AttributeValueCount]).toEqual(['1', '4', '4']);
    await del('item', [['a'], ['b'], ['c', '3']]);
    expect((await metadata(emu, 'dom')).ItemCount).toBe('0');
  });

  it('BatchDeleteAttributes: whole items, named attributes and values in one call', async () => {
    await ok(emu, {
      Action: 'BatchDeleteAttributes',
      DomainName: 'dom',
      'Item.1.ItemName': 'item',
      'Item.1.Attribute.1.Name': 'b',
      'Item.1.Attribute.2.Name': 'c',
      'Item.1.Attribute.2.Value': '3',
      'Item.2.ItemName': 'other',
      'Item.3.ItemName': 'ghost',
    });
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['a', '1']]);
    expect(await getPairs(emu, 'dom', 'other')).toEqual([]);
    expect((await metadata(emu, 'dom')).ItemCount).toBe('1');
  });
});

describe('domain lifecycle', () => {
  it('CreateDomain is idempotent and keeps the data; DeleteDomain drops it and is idempotent', async () => {
    await put('item', [['a', '1']]);
    await ok(emu, { Action: 'CreateDomain', DomainName: 'dom' });
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['a', '1']]);
    await ok(emu, { Action: 'DeleteDomain', DomainName: 'dom' });
    await ok(emu, { Action: 'DeleteDomain', DomainName: 'dom' });
    expectError(
      await call(emu, { Action: 'GetAttributes', DomainName: 'dom', ItemName: 'item' }),
      400,
      'NoSuchDomain',
      'The specified domain does not exist.',
    );
    await ok(emu, { Action: 'CreateDomain', DomainName: 'dom' });
    expect(await getPairs(emu, 'dom', 'item')).toEqual([]);
    expect((await metadata(emu, 'dom')).ItemCount).toBe('0');
  });
});

describe('ListDomains paging', () => {
  async function page(max?: number, token?: string): Promise<{ names: string[]; token: string | undefined }> {
    const params: Record<string, string> = { Action: 'ListDomains' };
    if (max !== undefined) params['MaxNumberOfDomains'] = String(max);
    if (token !== undefined) params['NextToken'] = token;
    const result = resultOf(await ok(emu, params), 'ListDomains');
    if (result === undefined || typeof result === 'string') return { names: [], token: undefined };
    const next = result['NextToken'];
    return { names: list(result['DomainName']).map((n) => text(n)), token: next === undefined ? undefined : text(next) };
  }

  async function all(max: number): Promise<{ names: string[]; pages: number }> {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await page(max, token);
      expect(p.names.length).toBeLessThanOrEqual(max);
      names.push(...p.names);
      token = p.token;
      pages++;
    } while (token !== undefined);
    return { names, pages };
  }

  it('pages in byte order with every MaxNumberOfDomains, the last page without a NextToken', async () => {
    const domains = ['dom', 'Zeta', 'alpha', 'beta', 'a-b', 'a.b', 'a_b', '012'];
    for (const d of domains) await ok(emu, { Action: 'CreateDomain', DomainName: d });
    const sorted = [...domains].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(sorted.slice(0, 4)).toEqual(['012', 'Zeta', 'a-b', 'a.b']);
    for (const max of [1, 2, 3, 7, 8, 100]) {
      const { names, pages } = await all(max);
      expect(names).toEqual(sorted);
      expect(pages).toBe(Math.ceil(sorted.length / max));
    }
  });

  it('defaults to 100 per page; a domain created between pages appears', async () => {
    emu.reset();
    for (let i = 0; i < 101; i++) await ok(emu, { Action: 'CreateDomain', DomainName: `d${String(i).padStart(3, '0')}` });
    const first = await page();
    expect(first.names).toHaveLength(100);
    expect(first.token).toBeDefined();
    await ok(emu, { Action: 'CreateDomain', DomainName: 'zzz' });
    await ok(emu, { Action: 'DeleteDomain', DomainName: 'd100' });
    const second = await page(undefined, first.token);
    expect(second).toEqual({ names: ['zzz'], token: undefined });
  });
});

describe('DomainMetadata', () => {
  it('counts the seven fields in UTF-8 bytes', async () => {
    const before = Math.floor(Date.now() / 1000);
    await put('é1', [['ñame', '日本'], ['ñame', 'x'], ['b', '']]);
    await put('i2', [['b', 'yy']]);
    const m = await metadata(emu, 'dom');
    expect(m).toEqual({
      ItemCount: '2',
      ItemNamesSizeBytes: String(3 + 2),
      AttributeNameCount: '2',
      AttributeNamesSizeBytes: String(5 + 1),
      AttributeValueCount: '4',
      AttributeValuesSizeBytes: String(6 + 1 + 0 + 2),
      Timestamp: expect.stringMatching(/^\d+$/) as unknown as string,
    });
    const ts = Number(m.Timestamp);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('uses the injected clock for Timestamp', async () => {
    await using clocked = await emulator({ now: () => 1_225_486_466_000 });
    await ok(clocked, { Action: 'CreateDomain', DomainName: 'dom' });
    const res = await ok(clocked, { Action: 'DomainMetadata', DomainName: 'dom' });
    expect(res.text).toContain('<Timestamp>1225486466</Timestamp>');
  });
});

describe('all-or-nothing writes', () => {
  it('a batch whose third item breaks the item limit writes none of its items', async () => {
    await put('full', Array.from({ length: 256 }, (_, i): [string, string] => [`n${i}`, 'v']));
    const res = await call(emu, [
      ['Action', 'BatchPutAttributes'],
      ['DomainName', 'dom'],
      ...['one', 'two', 'full', 'four'].flatMap((item, i): [string, string][] => [
        [`Item.${i + 1}.ItemName`, item],
        [`Item.${i + 1}.Attribute.1.Name`, 'extra'],
        [`Item.${i + 1}.Attribute.1.Value`, 'v'],
      ]),
    ]);
    expectError(res, 409, 'NumberItemAttributesExceeded', 'Too many attributes in this item.');
    expect(await getPairs(emu, 'dom', 'one')).toEqual([]);
    expect(await getPairs(emu, 'dom', 'two')).toEqual([]);
    expect((await metadata(emu, 'dom')).ItemCount).toBe('1');
  });

  it('a batch that breaks the domain byte limit at its third item writes nothing', async () => {
    await using small = await emulator({ limits: { maxDomainBytes: 10 } });
    await ok(small, { Action: 'CreateDomain', DomainName: 'dom' });
    const res = await call(small, [
      ['Action', 'BatchPutAttributes'],
      ['DomainName', 'dom'],
      ...['aaaa', 'bbbb', 'cccc'].flatMap((v, i): [string, string][] => [
        [`Item.${i}.ItemName`, `i${i}`],
        [`Item.${i}.Attribute.0.Name`, 'k'],
        [`Item.${i}.Attribute.0.Value`, v],
      ]),
    ]);
    expectError(res, 409, 'NumberDomainBytesExceeded', 'Too many bytes in this domain.');
    const m = await ok(small, { Action: 'DomainMetadata', DomainName: 'dom' });
    expect(m.text).toContain('<ItemCount>0</ItemCount>');
    await ok(small, { Action: 'PutAttributes', DomainName: 'dom', ItemName: 'i', 'Attribute.1.Name': 'k', 'Attribute.1.Value': 'v'.repeat(9) });
  });

  it('a failed conditional put or delete changes nothing', async () => {
    await put('item', [['a', '1'], ['v', '1']]);
    const cond = { 'Expected.Name': 'v', 'Expected.Value': '2' };
    expect((await call(emu, { Action: 'PutAttributes', DomainName: 'dom', ItemName: 'item', ...Object.fromEntries(attrs([['a', 'z']], true)), ...cond })).status).toBe(409);
    expect((await call(emu, { Action: 'DeleteAttributes', DomainName: 'dom', ItemName: 'item', ...cond })).status).toBe(409);
    expect(await getPairs(emu, 'dom', 'item')).toEqual([['a', '1'], ['v', '1']]);
  });
});

describe('values round-trip exactly', () => {
  const awkward: [string, string][] = [
    ['zero', '0'],
    ['leading zeros', '007'],
    ['spaces kept', ' x '],
    ['empty', ''],
    ['boolean-looking', 'true'],
    ['CRLF', 'line1\r\nline2\r'],
    ['tab and LF', '\ta\nb'],
    ['markup', '&<>"\'&amp;'],
    ['wire capture', 'a b*c~d/e+f&g=h%i é 日本'],
    ['astral', '𝄞 🎉'],
    ['control character', 'bell\u0007end'],
    ['NUL', 'a\u0000b'],
    ['U+FFFF', 'x\uFFFF'],
  ];

  for (const method of ['GET', 'POST'] as const) {
    it(`over ${method}: values, attribute names and item names`, async () => {
      for (const [i, [label, value]] of awkward.entries()) {
        const item = `it${i}${value}`;
        const res = await call(
          emu,
          { Action: 'PutAttributes', DomainName: 'dom', ItemName: item, 'Attribute.1.Name': `n${value}`, 'Attribute.1.Value': value },
          { method },
        );
        expect(res.status, label).toBe(200);
        const got = await call(emu, { Action: 'GetAttributes', DomainName: 'dom', ItemName: item, ConsistentRead: 'true' }, { method });
        expect(pairsInOrder(resultOf(got, 'GetAttributes')), label).toEqual([[`n${value}`, value]]);
      }
    });
  }

  it('only elements XML cannot carry are base64-encoded, with encoding="base64"', async () => {
    await put('x\u0001y', [['plain', 'bell\u0007'], ['ok', '&<>\r']]);
    const res = await call(emu, { Action: 'GetAttributes', DomainName: 'dom', ItemName: 'x\u0001y' });
    expect(res.text).toContain(
      `<Attribute><Name>ok</Name><Value>&amp;&lt;&gt;&#13;</Value></Attribute>` +
        `<Attribute><Name>plain</Name><Value encoding="base64">${Buffer.from('bell\u0007').toString('base64')}</Value></Attribute>`,
    );
  });
});

describe("boto 2's numbering", () => {
  it('Attribute.0 and index gaps (.1 .2 then .4) in PutAttributes over GET', async () => {
    const res = await send(emu, {
      path:
        '/?Action=PutAttributes&DomainName=dom&ItemName=b2' +
        '&Attribute.0.Name=first&Attribute.0.Value=0' +
        '&Attribute.1.Name=list&Attribute.1.Value=x&Attribute.1.Replace=true' +
        '&Attribute.2.Name=list&Attribute.2.Value=y&Attribute.2.Replace=true' +
        '&Attribute.4.Name=next&Attribute.4.Value=z&Attribute.4.Replace=true',
    });
    resultOf(res, 'PutAttributes');
    expect(await getPairs(emu, 'dom', 'b2')).toEqual([['first', '0'], ['list', 'x'], ['list', 'y'], ['next', 'z']]);
  });

  it('Item.0.Attribute.0 in BatchPutAttributes', async () => {
    await ok(emu, {
      Action: 'BatchPutAttributes',
      DomainName: 'dom',
      'Item.0.ItemName': 'b1',
      'Item.0.Attribute.0.Name': 'color',
      'Item.0.Attribute.0.Value': 'red',
      'Item.0.Attribute.1.Name': 'color',
      'Item.0.Attribute.1.Value': 'blue',
      'Item.1.ItemName': 'b2',
      'Item.1.Attribute.0.Name': 'size',
      'Item.1.Attribute.0.Value': 's',
    });
    expect(await getPairs(emu, 'dom', 'b1')).toEqual([['color', 'blue'], ['color', 'red']]);
    expect(await getPairs(emu, 'dom', 'b2')).toEqual([['size', 's']]);
  });
});
