import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { KEY, SECRET, authParams, formEncode, formPost, send, signV2, signedPost } from './support.js';

const NOW = Date.parse('2026-11-21T04:53:52Z');

describe('Signature V2 with a key configured', () => {
  let emu: Emulator;
  let host: string;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, credentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }], now: () => NOW });
    host = `127.0.0.1:${emu.port}`;
  });
  afterAll(() => emu.close());

  const listDomains = (overrides: Record<string, string | undefined> = {}) =>
    authParams(NOW, { Action: 'ListDomains', ...overrides });

  it('accepts HmacSHA1 when signed with SHA-1', async () => {
    const params = listDomains({ SignatureMethod: 'HmacSHA1' });
    expect((await send(emu.url, signedPost(host, params, { algorithm: 'sha1' }))).status).toBe(200);
    const mismatched = await send(emu.url, signedPost(host, params, { algorithm: 'sha256' }));
    expect(mismatched).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('refuses an unknown SignatureMethod or SignatureVersion with InvalidParameterValue', async () => {
    const method = await send(emu.url, signedPost(host, listDomains({ SignatureMethod: 'HmacMD5' })));
    expect(method).toMatchObject({ status: 400, code: 'InvalidParameterValue', hasBoxUsage: true });
    expect(method.body).toContain('Value (HmacMD5) for parameter SignatureMethod is invalid.');
    const version = await send(emu.url, signedPost(host, listDomains({ SignatureVersion: '1' })));
    expect(version).toMatchObject({ status: 400, code: 'InvalidParameterValue' });
    expect(version.body).toContain('Value (1) for parameter SignatureVersion is invalid.');
  });

  it('answers IncompleteSignature when SignatureMethod or SignatureVersion is missing', async () => {
    for (const missing of ['SignatureMethod', 'SignatureVersion']) {
      const reply = await send(emu.url, signedPost(host, listDomains({ [missing]: undefined })));
      expect(reply, missing).toMatchObject({ status: 400, code: 'IncompleteSignature' });
    }
  });

  it('accepts a space sent as + or as %20, and * sent bare', async () => {
    const params = authParams(NOW, { Action: 'GetAttributes', DomainName: 'missing', ItemName: 'a b*c' });
    for (const space of ['+', '%20'] as const) {
      const reply = await send(emu.url, signedPost(host, params, { space }));
      expect(reply.code, space).toBe('NoSuchDomain');
    }
    const bare = signedPost(host, params);
    expect((await send(emu.url, { ...bare, body: bare.body.replace(/%2A/g, '*') })).code).toBe('NoSuchDomain');
  });

  it('verifies GET query strings, and POST query parameters merged with the body', async () => {
    const params = listDomains();
    const signature = signV2(params, { method: 'GET', host });
    const get = await send(emu.url, {
      method: 'GET',
      path: `/?${formEncode([...params, ['Signature', signature]])}`,
      headers: [['Host', host]],
      body: '',
    });
    expect(get.status).toBe(200);
    // The same signature does not hold for POST: the verb is signed.
    const asPost = await send(emu.url, formPost(host, [...params, ['Signature', signature]]));
    expect(asPost.code).toBe('SignatureDoesNotMatch');

    const signed = signedPost(host, [...params, ['MaxNumberOfDomains', '5']]);
    const split = new URLSearchParams(signed.body);
    const inQuery = `MaxNumberOfDomains=5&Action=ListDomains`;
    split.delete('MaxNumberOfDomains');
    split.delete('Action');
    const merged = { ...signed, path: `/?${inQuery}`, body: split.toString() };
    expect((await send(emu.url, merged)).status).toBe(200);
    const unsigned = { ...merged, path: `/?${inQuery}&NextToken=x` };
    expect((await send(emu.url, unsigned)).code).toBe('SignatureDoesNotMatch');
  });

  it('signs the Host header lower-cased', async () => {
    const req = signedPost(`localhost:${emu.port}`, listDomains());
    const shouted = req.headers.map(([n, v]): [string, string] => [n, n === 'Host' ? v.toUpperCase() : v]);
    expect((await send(emu.url, { ...req, headers: shouted })).status).toBe(200);
  });

  it('falls back to the Host without its port, bracketed IPv6 included, but never drops more', async () => {
    const pairs: [signed: string, sent: string][] = [
      ['[::1]', '[::1]:8080'],
      ['localhost', 'localhost:8080'],
    ];
    for (const [signed, sent] of pairs) {
      const req = signedPost(signed, listDomains());
      const headers = req.headers.map(([n, v]): [string, string] => [n, n === 'Host' ? sent : v]);
      expect((await send(emu.url, { ...req, headers })).status, sent).toBe(200);
    }
    const req = signedPost('localhost', listDomains());
    const headers = req.headers.map(([n, v]): [string, string] => [n, n === 'Host' ? 'localhost.localhost:8080' : v]);
    expect((await send(emu.url, { ...req, headers })).code).toBe('SignatureDoesNotMatch');
  });

  it('signs SecurityToken like any parameter', async () => {
    const params = listDomains({ SecurityToken: 'session-token/with+odd=chars' });
    const req = signedPost(host, params);
    expect((await send(emu.url, req)).status).toBe(200);
    const altered = { ...req, body: req.body.replace('session-token', 'session-tokex') };
    expect((await send(emu.url, altered)).code).toBe('SignatureDoesNotMatch');
  });

  it('reads Timestamp offsets, fractions and zoneless times (as UTC)', async () => {
    for (const ts of ['2026-11-21T05:53:52+01:00', '2026-11-21T04:53:52.881Z', '2026-11-21T04:53:52', '2026-11-21T00:53:52-0400']) {
      const reply = await send(emu.url, signedPost(host, listDomains({ Timestamp: ts })));
      expect(reply.status, ts).toBe(200);
    }
    const bad = await send(emu.url, signedPost(host, listDomains({ Timestamp: 'Sat, 21 Nov 2026 04:53:52 GMT' })));
    expect(bad).toMatchObject({ status: 400, code: 'InvalidParameterValue' });
  });

  it('accepts an Expires in the future and refuses one in the past', async () => {
    const ahead = listDomains({ Timestamp: undefined, Expires: '2026-11-21T05:00:00Z' });
    expect((await send(emu.url, signedPost(host, ahead))).status).toBe(200);
    const past = listDomains({ Timestamp: undefined, Expires: '2026-11-21T04:53:51Z' });
    const reply = await send(emu.url, signedPost(host, past));
    expect(reply).toMatchObject({ status: 400, code: 'RequestExpired' });
    expect(reply.body).toContain('Request has expired. Expires date is 2026-11-21T04:53:51Z');
  });

  it('refuses Timestamp with Expires, and neither', async () => {
    const both = await send(emu.url, signedPost(host, listDomains({ Expires: '2026-11-21T05:00:00Z' })));
    expect(both).toMatchObject({ status: 400, code: 'InvalidParameterCombination' });
    expect(both.body).toContain('The parameter Timestamp cannot be used with the parameter Expires.');
    const neither = await send(emu.url, signedPost(host, listDomains({ Timestamp: undefined })));
    expect(neither).toMatchObject({ status: 400, code: 'MissingParameter' });
    expect(neither.body).toContain('The request must contain the parameter Timestamp');
  });

  it('checks in the order the service does', async () => {
    // The key before the signature's presence.
    const unknown = formPost(host, listDomains({ AWSAccessKeyId: 'AKIDOTHER' }));
    expect((await send(emu.url, unknown)).code).toBe('InvalidClientTokenId');
    // The signature before the clock.
    const staleAndWrong = signedPost(host, listDomains({ Timestamp: '2020-01-01T00:00:00Z' }), { secret: 'wrong' });
    expect((await send(emu.url, staleAndWrong)).code).toBe('SignatureDoesNotMatch');
    // Authentication before the action.
    const noAction = authParams(NOW);
    expect((await send(emu.url, signedPost(host, noAction, { secret: 'wrong' }))).code).toBe('SignatureDoesNotMatch');
    expect((await send(emu.url, signedPost(host, noAction))).code).toBe('MissingAction');
  });
});

describe('authentication off (the default)', () => {
  it('accepts any key and signature, or none, whatever the clock', async () => {
    await using emu = await startEmulator({ port: 0, now: () => 0 });
    const host = `127.0.0.1:${emu.port}`;
    const forged = signedPost(host, authParams(NOW, { Action: 'ListDomains', AWSAccessKeyId: 'anyone' }), { secret: 'x' });
    expect((await send(emu.url, forged)).status).toBe(200);
    expect((await send(emu.url, formPost(host, [['Action', 'ListDomains']]))).status).toBe(200);
  });
});
