// GetAttributes with a bare `AttributeName` (no `.N`), as the Developer Guide's parameter table
// spells it and as clients of the right_aws family (and Haskell's `aws`) send it for one
// attribute. The request below is built in right_aws's form: a signed GET, parameters sorted,
// SignatureVersion 2 with HmacSHA256. The service returns just the named attribute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { authParams, KEY, SECRET, signV2 } from '../auth/support.js';
import { emulator, pairsOf, resultOf, send } from '../support/protocol.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await emulator({ accessKeyId: KEY, secretAccessKey: SECRET, journalSize: 100 });
});
afterAll(() => emu.close());

function rightAwsGet(host: string, extra: [string, string][]): string {
  const params: [string, string][] = [...authParams(Date.now()), ...extra];
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signed = [...params, ['Signature', signV2(params, { method: 'GET', host })] as [string, string]];
  return '/?' + signed.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
}

async function get(extra: [string, string][]) {
  const host = `${emu.host}:${emu.port}`;
  const res = await send(emu, { path: rightAwsGet(host, extra), headers: { Host: host } });
  expect(res.status, res.text).toBe(200);
  return pairsOf(resultOf(res, 'GetAttributes'));
}

describe('GetAttributes with a bare AttributeName', () => {
  beforeAll(async () => {
    const signedPut = async (extra: [string, string][]) => {
      const host = `${emu.host}:${emu.port}`;
      const res = await send(emu, { path: rightAwsGet(host, extra), headers: { Host: host } });
      expect(res.status, res.text).toBe(200);
    };
    await signedPut([['Action', 'CreateDomain'], ['DomainName', 'ra_dom']]);
    await signedPut([
      ['Action', 'PutAttributes'], ['DomainName', 'ra_dom'], ['ItemName', 'i'],
      ['Attribute.1.Name', 'x'], ['Attribute.1.Value', '1'],
      ['Attribute.2.Name', 'z'], ['Attribute.2.Value', '26'],
      ['Attribute.3.Name', 'y'], ['Attribute.3.Value', '2'],
    ]);
  });

  it('returns just that attribute (the signature covers the bare name)', async () => {
    expect(await get([['Action', 'GetAttributes'], ['DomainName', 'ra_dom'], ['ItemName', 'i'], ['AttributeName', 'z'], ['ConsistentRead', 'true']])).toEqual([
      ['z', '26'],
    ]);
  });

  it('adds to the indexed names when both are sent', async () => {
    const pairs = await get([
      ['Action', 'GetAttributes'], ['DomainName', 'ra_dom'], ['ItemName', 'i'],
      ['AttributeName', 'z'], ['AttributeName.1', 'x'], ['ConsistentRead', 'true'],
    ]);
    expect(pairs.sort()).toEqual([['x', '1'], ['z', '26']]);
  });

  it('the journal reads it as the action did: a read of that one attribute', () => {
    const entry = emu.control.journal({ action: 'GetAttributes' }).find((e) => e.params.AttributeName === 'z' && !('AttributeName.1' in e.params));
    expect(entry?.request).toEqual({ action: 'GetAttributes', domain: 'ra_dom', item: 'i', attributeNames: ['z'], consistentRead: true });
  });
});
