// XML for every answer on the protocol space: request targets that Express's
// router cannot parse used to get its HTML "Cannot GET null" page. They are sent byte for byte
// over a raw socket, since an HTTP client would normalise them. Under the control prefixes the
// answer is JSON instead, and never an HTML page either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { exchange, parseResponse } from './raw.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu.close();
});

async function get(target: string, method = 'GET'): Promise<ReturnType<typeof parseResponse>> {
  const { received } = await exchange(emu.port, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  return parseResponse(received);
}

describe('targets the router cannot parse', () => {
  // The three shapes the fuzzer found (115 of 40,000 requests), and relatives.
  it.each(['//?@a#', '//?@a?#', '//?a=@i.W?f#', '//?@', '//@x?Action=ListDomains', '///?@a'])(
    'GET %s answers a SimpleDB InvalidURI document',
    async (target) => {
      const r = await get(target);
      expect(r.status).toBe(400);
      expect(r.headers).toMatch(/\r\nContent-Type: text\/xml\r\n/);
      expect(r.body).toMatch(/^<\?xml version="1.0"\?>\n<Response><Errors><Error><Code>InvalidURI<\/Code><Message>The URI \/\/+[^<]* is not valid\.<\/Message>/);
      expect(r.body).not.toMatch(/<html|Cannot GET/i);
    },
  );

  it('journals them like any other protocol request', async () => {
    await get('//?@a#', 'POST');
    const [entry] = emu.control.journal({ limit: 1 });
    expect(entry).toMatchObject({ method: 'POST', status: 400, code: 'InvalidURI' });
  });
});

describe('no framework page anywhere', () => {
  it('CONNECT, which Node keeps from the app, is answered UnsupportedHttpVerb', async () => {
    const { received } = await exchange(emu.port, 'CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n');
    const r = parseResponse(received);
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>UnsupportedHttpVerb</Code><Message>The requested HTTP verb is not supported: CONNECT.</Message>');
  });

  it.each([
    ['GET', '/_simpledb/nothing'],
    ['GET', '/moto-api/'],
    ['DELETE', '/_simpledb/faults/%E0%A4%A'],
    ['PATCH', '/_simpledb/reset'],
  ])('%s %s answers JSON under the control prefix', async (method, target) => {
    const r = await exchange(
      emu.port,
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    const { status, headers, body } = parseResponse(r.received);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(headers).toMatch(/\r\nContent-Type: application\/json/);
    expect(JSON.parse(body)).toMatchObject({ error: { message: expect.any(String) } });
  });

  it.each(['/%', '/%E0%A4%A?Action=ListDomains', '/x/../?Action=ListDomains', '*', 'http://127.0.0.1/_x'])(
    'GET %s answers XML on the protocol space',
    async (target) => {
      const r = await get(target);
      expect(r.status).toBe(400);
      expect(r.headers).toMatch(/\r\nContent-Type: text\/xml\r\n/);
      expect(r.body).toContain('<Code>');
    },
  );
});
