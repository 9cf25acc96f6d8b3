// Request sizes real clients reach: the largest legal batch over POST, boto 2's
// long GET URLs, and what happens past the caps (a SimpleDB error document, never HTML).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import { MAX_HEADER_BYTES } from '../../emulator/index.js';
import { MAX_BODY_BYTES } from '../../emulator/http/body.js';
import { call, emulator, encodeParams, expectError, FORM, getPairs, metadata, ok, resultOf, send } from '../support/protocol.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await emulator();
  await ok(emu, { Action: 'CreateDomain', DomainName: 'dom' });
});
afterAll(async () => {
  await emu.close();
});

it('a legal BatchPutAttributes of 25 items × 256 attributes, near 1 MB of data, succeeds over POST', async () => {
  const params: [string, string][] = [
    ['Action', 'BatchPutAttributes'],
    ['DomainName', 'dom'],
  ];
  const value = (i: number, j: number) => `${i}-${j}-`.padEnd(150, 'v');
  for (let i = 0; i < 25; i++) {
    params.push([`Item.${i + 1}.ItemName`, `item${i}`]);
    for (let j = 0; j < 256; j++) {
      params.push([`Item.${i + 1}.Attribute.${j + 1}.Name`, `attr${j}`]);
      params.push([`Item.${i + 1}.Attribute.${j + 1}.Value`, value(i, j)]);
      params.push([`Item.${i + 1}.Attribute.${j + 1}.Replace`, 'true']);
    }
  }
  expect(params.length).toBeGreaterThan(19_000);
  const res = await call(emu, params);
  resultOf(res, 'BatchPutAttributes', (0.0000219907 * 25).toFixed(10));
  const m = await metadata(emu, 'dom');
  expect(m.ItemCount).toBe('25');
  expect(m.AttributeValueCount).toBe(String(25 * 256));
  expect(Number(m.AttributeValuesSizeBytes)).toBe(25 * 256 * 150);
  expect(Number(m.AttributeValuesSizeBytes) + Number(m.AttributeNamesSizeBytes)).toBeGreaterThan(950_000);
  const pairs = await getPairs(emu, 'dom', 'item24');
  expect(pairs).toHaveLength(256);
  expect(pairs).toContainEqual(['attr255', value(24, 255)]);
});

it("a PutAttributes of 256 attributes × 200-byte values in a GET URL (boto 2's way) succeeds", async () => {
  const params: [string, string][] = [
    ['Action', 'PutAttributes'],
    ['DomainName', 'dom'],
    ['ItemName', 'long-url'],
  ];
  for (let j = 0; j < 256; j++) {
    params.push([`Attribute.${j}.Name`, `attribute-${j}`]);
    params.push([`Attribute.${j}.Value`, 'é'.repeat(100)]);
    params.push([`Attribute.${j}.Replace`, 'true']);
  }
  const path = `/?${encodeParams(params)}`;
  expect(path.length).toBeGreaterThan(256 * 600);
  resultOf(await send(emu, { path }), 'PutAttributes');
  expect(await getPairs(emu, 'dom', 'long-url')).toHaveLength(256);
});

it('a body over the cap gets a SimpleDB error document, not an HTML 413', async () => {
  const body = `Action=ListDomains&Pad=${'x'.repeat(MAX_BODY_BYTES)}`;
  const res = await send(emu, {
    method: 'POST',
    path: '/',
    headers: { 'Content-Type': FORM, 'Content-Length': String(body.length) },
    body,
  });
  expectError(
    res,
    400,
    'InvalidHttpRequest',
    `The HTTP request is invalid. Reason: The request body exceeds ${MAX_BODY_BYTES} bytes.`,
  );
  // The server is still fine afterwards.
  await ok(emu, { Action: 'ListDomains' });
});

it('a request line over the header cap gets URITooLong as a SimpleDB error document', async () => {
  const res = await send(emu, { path: `/?Action=ListDomains&Pad=${'x'.repeat(MAX_HEADER_BYTES)}` });
  expectError(res, 400, 'URITooLong', `The URI exceeded the maximum limit of ${MAX_HEADER_BYTES}.`);
  await ok(emu, { Action: 'ListDomains' });
});
