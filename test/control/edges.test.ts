// HTTP edge cases answered as HTTP/1.1 requires, in the documented shape: SimpleDB XML on the protocol
// route, JSON with a code on the control routes, X-Content-Type-Options: nosniff on every answer.
// Raw sockets, so that nothing tidies the bytes up; every wait is on the socket's own events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { exchange, parseResponse } from './raw.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, isolateAccounts: false });
});
afterAll(async () => {
  await emu.close();
});

const FORM = 'Content-Type: application/x-www-form-urlencoded';

/** Every response in `text`, in order (bodies by Content-Length). */
function responses(text: string): { status: number; headers: string; body: string }[] {
  const out: { status: number; headers: string; body: string }[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const split = rest.indexOf('\r\n\r\n');
    const headers = rest.slice(0, split);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(headers)?.[1] ?? 0);
    out.push({ status: Number(headers.slice(9, 12)), headers, body: rest.slice(split + 4, split + 4 + length) });
    rest = rest.slice(split + 4 + length);
  }
  return out;
}

function listed(): Promise<string> {
  return fetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15`).then((r) => r.text());
}

describe('framing', () => {
  it('a valid POST followed by pipelined garbage: the write is answered as it landed, then the connection closes', async () => {
    const body = 'Action=CreateDomain&DomainName=piped&Version=2009-04-15';
    const { received, closedByServer } = await exchange(
      emu.port,
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n${FORM}\r\nContent-Length: ${body.length}\r\n\r\n${body}\u0000\u0001garbage \r\n\r\n`,
    );
    expect(closedByServer).toBe(true);
    const [first, ...others] = responses(received);
    expect(first?.status).toBe(200);
    expect(first?.body).toContain('<CreateDomainResponse');
    expect(first?.headers).toMatch(/\r\nConnection: close/i);
    expect(others).toEqual([]);
    expect(await listed()).toContain('<DomainName>piped</DomainName>');
  });

  it.each([
    ['GET', '/?Action=ListDomains&Version=2009-04-15', 'text/xml', 'InvalidHttpRequest'],
    ['GET', '/_simpledb/health', 'application/json; charset=utf-8', 'InvalidHttpRequest'],
  ])('%s %s with Transfer-Encoding: gzip is answered 400 and the connection closed', async (method, path, type, code) => {
    const { received, closedByServer } = await exchange(
      emu.port,
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\nGET /?Action=ListDomains HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    );
    expect(closedByServer).toBe(true);
    const all = responses(received);
    expect(all).toHaveLength(1);
    expect(all[0]?.status).toBe(400);
    expect(all[0]?.headers).toContain(`\r\nContent-Type: ${type}`);
    expect(all[0]?.headers).toMatch(/\r\nConnection: close/i);
    expect(all[0]?.body).toContain(code);
  });

  it.each([
    ['/?Action=ListDomains&Version=2009-04-15', 'text/xml', '<Code>ExpectationFailed</Code>'],
    ['/_simpledb/faults', 'application/json; charset=utf-8', '"code":"ExpectationFailed"'],
  ])('Expect: other than 100-continue on %s is answered 417 in the route shape', async (path, type, code) => {
    const { received } = await exchange(emu.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 200-ok\r\nConnection: close\r\n\r\n`);
    const r = parseResponse(received);
    expect(r.status).toBe(417);
    expect(r.headers).toContain(`\r\nContent-Type: ${type}`);
    expect(r.body).toContain(code);
  });

  it('a 5 MB header block is a header error, not URITooLong; a 5 MB target is URITooLong', async () => {
    const header = await exchange(emu.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(5 * 1024 * 1024)}\r\n\r\n`);
    const h = parseResponse(header.received);
    expect(h.status).toBe(400);
    expect(h.body).toContain('<Code>InvalidHttpRequest</Code>');
    expect(h.body).toContain('headers');
    const target = await exchange(emu.port, `GET /?x=${'a'.repeat(5 * 1024 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(parseResponse(target.received).body).toContain('<Code>URITooLong</Code>');
  });
});

describe('control routes', () => {
  it('DELETE of an unknown fault rule is JSON with a code', async () => {
    const r = await fetch(`${emu.url}/_simpledb/faults/f999`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error?: { code?: string } }).error?.code).toBe('NoSuchFaultRule');
  });

  it('OPTIONS without Origin is answered in JSON', async () => {
    for (const path of ['/_simpledb/faults', '/_simpledb/journal', '/moto-api/reset']) {
      const r = await fetch(`${emu.url}${path}`, { method: 'OPTIONS' });
      expect(r.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
      const body = (await r.json()) as { error?: { code?: string } };
      expect(body.error?.code, path).toBe('MethodNotAllowed');
    }
  });
});

describe('X-Content-Type-Options: nosniff', () => {
  it('is on every answer: protocol success and error, control JSON, console page, raw-socket errors, CORS preflight', async () => {
    const answers = [
      await fetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15`),
      await fetch(`${emu.url}/?Action=Nope&Version=2009-04-15`),
      await fetch(`${emu.url}/_simpledb/health`),
      await fetch(`${emu.url}/_simpledb/journal?limit=1`),
      await fetch(`${emu.url}/_simpledb/nothing-here`),
      await fetch(`${emu.url}/_simpledb/faults`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }),
    ];
    for (const a of answers) expect(a.headers.get('x-content-type-options'), a.url).toBe('nosniff');
    const raw = await exchange(emu.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n');
    expect(parseResponse(raw.received).headers).toMatch(/\r\nX-Content-Type-Options: nosniff/i);
  });
});
