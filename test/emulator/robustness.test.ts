// Hostile and broken input: random parameter maps on every action, an
// unexpected exception, malformed percent-encoding, bytes that are not UTF-8 and broken HTTP.
// Whatever comes in, the answer is a SimpleDB XML document, never a 500 (except InternalError),
// never HTML, never a hang.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import {
  call,
  emulator,
  errorOf,
  expectError,
  FORM,
  getPairs,
  ok,
  parseXml,
  resultOf,
  send,
  type HttpResult,
} from '../support/protocol.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await emulator();
  await ok(emu, { Action: 'CreateDomain', DomainName: 'dom' });
});
afterAll(async () => {
  await emu.close();
});

const ACTIONS = [
  'CreateDomain',
  'DeleteDomain',
  'ListDomains',
  'DomainMetadata',
  'PutAttributes',
  'BatchPutAttributes',
  'GetAttributes',
  'DeleteAttributes',
  'BatchDeleteAttributes',
  'Select',
];

/** A well-formed SimpleDB answer: a success document for the action, or an error document below 500. */
function expectSimpleDbAnswer(res: HttpResult, action: string): void {
  expect(res.headers['content-type']).toBe('text/xml');
  if (res.status === 200) {
    resultOf(res, action);
    return;
  }
  const { code } = errorOf(res);
  expect(res.status, code).toBeLessThan(500);
}

describe('random parameters', () => {
  const index = fc.oneof(fc.constantFrom('0', '1', '2', '01', '256', '-1', 'x', ''), fc.nat(300).map(String));
  const key = fc.oneof(
    fc.constantFrom(
      'DomainName',
      'ItemName',
      'MaxNumberOfDomains',
      'NextToken',
      'ConsistentRead',
      'SelectExpression',
      'Version',
      'Replace',
      'Expected.Name',
      'Expected.Value',
      'Expected.Exists',
    ),
    fc.tuple(fc.constantFrom('Attribute', 'AttributeName', 'Expected', 'Item'), index, fc.constantFrom('', '.Name', '.Value', '.Replace', '.Exists', '.ItemName')).map(
      ([p, i, s]) => `${p}.${i}${s}`,
    ),
    fc.tuple(index, index, fc.constantFrom('Name', 'Value', 'Replace')).map(([i, j, s]) => `Item.${i}.Attribute.${j}.${s}`),
    fc.string({ maxLength: 12 }),
  );
  const value = fc.oneof(
    fc.constantFrom('dom', 'true', 'false', '', '0', '100', '2009-04-15', 'select * from `dom`', 'L1.x.y'),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ maxLength: 1100 }),
  );
  const request = fc.record({
    action: fc.oneof(fc.constantFrom(...ACTIONS), fc.string({ maxLength: 10 })),
    params: fc.dictionary(key, value, { maxKeys: 12 }),
    method: fc.constantFrom('GET' as const, 'POST' as const),
  });

  it('never yield a 500, HTML or a hang, on any action', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ action, params, method }) => {
        const res = await call(emu, { ...params, Action: action }, { method });
        expectSimpleDbAnswer(res, action);
      }),
      { numRuns: 400 },
    );
    // Still serving normally afterwards.
    await ok(emu, { Action: 'CreateDomain', DomainName: 'dom' });
    await ok(emu, { Action: 'ListDomains' });
  });

  // Any Unicode text (control characters included) must come back exactly, whatever the
  // transport: this drives percent-decoding, XML escaping and base64 fallback together. Lone
  // surrogates are left out: UTF-8 cannot carry them, so no client can send one.
  const anyText = (minLength: number) =>
    fc.string({ unit: 'binary', minLength, maxLength: 30 }).filter((s) => !/\p{Cs}/u.test(s));
  it('any well-formed Unicode item name, attribute name and value round-trips exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText(1),
        fc.uniqueArray(fc.tuple(anyText(1), anyText(0)), { minLength: 1, maxLength: 5, selector: ([n, v]) => `${n}\u0000${v}` }),
        fc.constantFrom('GET' as const, 'POST' as const),
        async (item, pairs, method) => {
          await ok(emu, { Action: 'DeleteAttributes', DomainName: 'dom', ItemName: item });
          const params: [string, string][] = [['Action', 'PutAttributes'], ['DomainName', 'dom'], ['ItemName', item]];
          pairs.forEach(([n, v], i) => params.push([`Attribute.${i}.Name`, n], [`Attribute.${i}.Value`, v]));
          resultOf(await call(emu, params, { method }), 'PutAttributes');
          expect(await getPairs(emu, 'dom', item)).toEqual([...pairs].sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('malformed encodings', () => {
  it('malformed percent-encoding is taken literally, as URLSearchParams does', async () => {
    const res = await send(emu, { path: '/?Action=ListDomains&MaxNumberOfDomains=%zz' });
    expectError(res, 400, 'InvalidParameterValue', 'Value (%zz) for parameter MaxNumberOfDomains is invalid. MaxNumberOfDomains must be between 1 and 100.');
    const body = 'Action=PutAttributes&DomainName=dom&ItemName=pct&Attribute.1.Name=a&Attribute.1.Value=100%&Attribute.2.Name=b&Attribute.2.Value=%4';
    resultOf(await send(emu, { method: 'POST', path: '/', headers: { 'Content-Type': FORM }, body }), 'PutAttributes');
    expect(await getPairs(emu, 'dom', 'pct')).toEqual([
      ['a', '100%'],
      ['b', '%4'],
    ]);
  });

  it('a malformed path is InvalidURI', async () => {
    expectError(await send(emu, { path: '/%zz?Action=ListDomains' }), 400, 'InvalidURI', 'The URI /%zz is not valid.');
  });

  it('bytes that are not UTF-8 become U+FFFD, in the query string and in the body', async () => {
    const get = await send(emu, { path: '/?Action=PutAttributes&DomainName=dom&ItemName=bad1&Attribute.1.Name=a&Attribute.1.Value=x%FF%E6%97y' });
    resultOf(get, 'PutAttributes');
    expect(await getPairs(emu, 'dom', 'bad1')).toEqual([['a', 'x\uFFFD\uFFFDy']]);
    const body = Buffer.concat([
      Buffer.from('Action=PutAttributes&DomainName=dom&ItemName=bad2&Attribute.1.Name=a&Attribute.1.Value='),
      Buffer.from([0x78, 0xff, 0xfe, 0x79]),
    ]);
    resultOf(await send(emu, { method: 'POST', path: '/', headers: { 'Content-Type': FORM }, body }), 'PutAttributes');
    expect(await getPairs(emu, 'dom', 'bad2')).toEqual([['a', 'x\uFFFD\uFFFDy']]);
  });

  it('a POST whose body is not a form is read as one anyway, yielding a protocol error', async () => {
    const res = await send(emu, { method: 'POST', path: '/', headers: { 'Content-Type': 'application/json' }, body: '{"Action":"ListDomains"}' });
    expectError(res, 400, 'MissingAction', 'No action was supplied with this request.');
  });
});

describe('broken HTTP', () => {
  it('garbage on the socket gets an InvalidHttpRequest document', async () => {
    const socket = connect(emu.port, emu.host);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.end('THIS IS NOT HTTP\r\n\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    const raw = Buffer.concat(chunks).toString('utf8');
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toContain('Content-Type: text/xml');
    const error = (parseXml(body)['Response'] as Record<string, Record<string, Record<string, string>>>)['Errors']?.['Error'];
    expect(error?.['Code']).toBe('InvalidHttpRequest');
  });

  it('a request without a Host header still gets a SimpleDB document', async () => {
    const res = await send(emu, { path: '/?Action=ListDomains', headers: [] });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml');
    expect(resultOf(res, 'ListDomains')).toBeDefined();
  });

  it('other verbs are UnsupportedHttpVerb', async () => {
    for (const method of ['PATCH', 'OPTIONS']) {
      expectError(await send(emu, { method, path: '/' }), 400, 'UnsupportedHttpVerb', `The requested HTTP verb is not supported: ${method}.`);
    }
  });
});

describe('an unexpected exception', () => {
  it('is answered InternalError 500 as a SimpleDB document, with the action BoxUsage', async () => {
    const broken = await emulator();
    try {
      await ok(broken, { Action: 'CreateDomain', DomainName: 'dom' });
      // The database goes away under a running server: every store call now throws.
      broken.store.close();
      const res = await call(broken, { Action: 'GetAttributes', DomainName: 'dom', ItemName: 'i' });
      expectError(res, 500, 'InternalError', 'Request could not be executed due to an internal service error.', '0.0000093282');
    } finally {
      await broken.close();
    }
  });
});
