/** Select through a real emulator over HTTP. */
import { exactXmlParser } from '../support/xml.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { post, selectAll, selectPage } from './http.js';

const xml = exactXmlParser();
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  const id = emu.store.createDomain('', 'movies-2', 0);
  const put = (item: string, pairs: [string, string][]) =>
    emu.store.putAttributes(id, item, pairs.map(([name, value]) => ({ name, value, replace: false })));
  put('Item_03', [['Color', 'Blue'], ['Color', 'Pink'], ['Size', 'Large']]);
  put('Item_06', [['Color', 'Blue']]);
  put('Item_01', [['Color', 'Red'], ['Year', '1999']]);
  put('x<&>', [['Color', 'Blue\r\n'], ['bin', 'a\u0001b']]);
});
afterAll(async () => {
  await emu.close();
});

describe('Select over HTTP', () => {
  test('a page renders as the service does: Item (Name, Attribute*), NextToken last, BoxUsage', async () => {
    const r = await post(emu, { Action: 'Select', SelectExpression: "select * from `movies-2` where Color like 'Blue%' limit 2" });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(
      /^<\?xml version="1\.0"\?>\n<SelectResponse xmlns="http:\/\/sdb\.amazonaws\.com\/doc\/2009-04-15\/"><SelectResult><Item><Name>Item_03<\/Name><Attribute><Name>Color<\/Name><Value>Blue<\/Value><\/Attribute><Attribute><Name>Color<\/Name><Value>Pink<\/Value><\/Attribute><Attribute><Name>Size<\/Name><Value>Large<\/Value><\/Attribute><\/Item><Item><Name>Item_06<\/Name><Attribute><Name>Color<\/Name><Value>Blue<\/Value><\/Attribute><\/Item><NextToken>[A-Za-z0-9_-]+<\/NextToken><\/SelectResult><ResponseMetadata><RequestId>[0-9a-f-]+<\/RequestId><BoxUsage>0\.\d{10}<\/BoxUsage><\/ResponseMetadata><\/SelectResponse>$/,
    );
  });

  test('NextToken round trip over the wire', async () => {
    const all = await selectAll(emu, "select itemName() from `movies-2` where Color like 'B%' limit 1");
    expect(all.map((i) => i.name)).toEqual(['Item_03', 'Item_06', 'x<&>']);
  });

  test('escaped and base64-encoded names and values come back intact', async () => {
    const page = await selectPage(emu, "select * from `movies-2` where itemName() = 'x<&>'");
    expect(page.items).toEqual([{ name: 'x<&>', attrs: [['Color', 'Blue\r\n'], ['bin', 'a\u0001b']] }]);
  });

  test('count(*)', async () => {
    const r = await post(emu, { Action: 'Select', SelectExpression: 'select count(*) from `movies-2`' });
    const doc = xml.parse(r.body) as { SelectResponse: { SelectResult: { Item: unknown } } };
    expect(doc.SelectResponse.SelectResult.Item).toEqual({ Name: 'Domain', Attribute: { Name: 'Count', Value: '4' } });
  });

  test('no match is an empty SelectResult element', async () => {
    const r = await post(emu, { Action: 'Select', SelectExpression: "select * from `movies-2` where Color = 'none'", ConsistentRead: 'true' });
    expect(r.body).toContain('<SelectResult/>');
  });

  test.each([
    [{}, 400, 'MissingParameter', 'The request must contain the parameter SelectExpression'],
    [{ SelectExpression: 'select * from movies-2' }, 400, 'InvalidQueryExpression', 'The specified query expression syntax is not valid.'],
    [{ SelectExpression: 'select * from `movies-2` order by Color' }, 400, 'InvalidSortExpression', 'The sort attribute must be present in at least one of the predicates, and the predicate cannot contain the is null operator.'],
    [{ SelectExpression: 'select * from nope' }, 400, 'NoSuchDomain', 'The specified domain does not exist.'],
    [{ SelectExpression: 'select * from `movies-2`', NextToken: 'abc' }, 400, 'InvalidNextToken', 'The specified next token is not valid.'],
    [{ SelectExpression: 'select * from `movies-2` limit 3000' }, 400, 'InvalidParameterValue', 'Value (3000) for parameter MaxNumberOfItems is invalid. MaxNumberOfItems must be between 1 and 2500.'],
    [{ SelectExpression: "select * from `movies-2` where a in ('1','2','3','4','5','6','7','8','9','10','11','12','13','14','15','16','17','18','19','20','21')" }, 400, 'InvalidNumberValueTests', 'Too many value tests per predicate in the query expression.'],
  ])('%j → %i %s', async (params, status, code, message) => {
    const r = await post(emu, { Action: 'Select', ...params });
    expect(r.status).toBe(status);
    const doc = xml.parse(r.body) as { Response: { Errors: { Error: { Code: string; Message: string; BoxUsage: string } } } };
    expect(doc.Response.Errors.Error.Code).toBe(code);
    expect(doc.Response.Errors.Error.Message).toBe(message);
    expect(doc.Response.Errors.Error.BoxUsage).toBe('0.0000137200');
  });

  test('hostile expressions answer 400, never 500', async () => {
    for (const expr of [`select * from d where ${'('.repeat(50_000)}`, "select * from `movies-2` where a like '" + '%'.repeat(60_000) + "x'", '\u0000\uFFFF']) {
      const r = await post(emu, { Action: 'Select', SelectExpression: expr });
      expect(r.status).toBeLessThan(500);
    }
  });
});
