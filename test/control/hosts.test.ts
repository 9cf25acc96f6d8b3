// DNS rebinding and browser signals: the emulator answers only Host names it was told about (IP
// literals in any form, loopback names, the service's endpoint names, --allowed-hosts), on the
// protocol route in SimpleDB XML and on the control routes in JSON; and a browser's GET to the
// protocol route that names no page (neither Origin nor Sec-Fetch-Site, as Chromium sends to an
// address it does not trust) is refused. Tools that are not browsers keep working with their own
// Host values, as the Docker and compose files need.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { exchange, parseResponse } from './raw.js';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const LIST = '/?Action=ListDomains&Version=2009-04-15';

interface Reply {
  status: number;
  type: string | undefined;
  nosniff: string | undefined;
  body: string;
}

/** One request with exactly these headers (Host included), over a fresh connection. */
function send(emu: Emulator, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: emu.port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], nosniff: res.headers['x-content-type-options'] as string | undefined, body: text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function code(reply: Reply): string | undefined {
  if (reply.type?.startsWith('application/json')) return (JSON.parse(reply.body) as { error?: { code?: string } }).error?.code;
  return /<Code>([^<]+)<\/Code>/.exec(reply.body)?.[1];
}

describe('Host names, authentication off', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    await send(emu, '/?Action=CreateDomain&DomainName=precious&Version=2009-04-15', { host: `127.0.0.1:${emu.port}` });
  });
  afterAll(async () => {
    await emu.close();
  });

  const ALLOWED = [
    '127.0.0.1:PORT',
    '127.0.0.1',
    'localhost:PORT',
    'LOCALHOST',
    'app.localhost:PORT',
    '[::1]:PORT',
    '[::ffff:127.0.0.1]:PORT',
    '2130706433:PORT',
    '0x7f.1',
    '10.1.2.3:8080',
    'sdb.amazonaws.com',
    'sdb.eu-west-1.amazonaws.com',
    'sdb.amazonaws.com:443',
  ];
  it.each(ALLOWED)('answers Host %s on both spaces', async (host) => {
    const h = { host: host.replace('PORT', String(emu.port)) };
    const list = await send(emu, LIST, h);
    expect([list.status, list.body]).toEqual([200, expect.stringContaining('<DomainName>precious</DomainName>')]);
    expect((await send(emu, '/_simpledb/journal?limit=1', h)).status).toBe(200);
  });

  it('answers a request without Host (HTTP/1.0): no browser sends one', async () => {
    const { received } = await exchange(emu.port, `GET ${LIST} HTTP/1.0\r\n\r\n`);
    expect(parseResponse(received).status).toBe(200);
  });

  const REFUSED = [
    'rebind.test:PORT',
    'evil.example',
    'localhost.evil.example',
    'sdb.amazonaws.com.evil.example',
    'evil-sdb.amazonaws.com',
    'user@127.0.0.1',
    '127.0.0.1/x',
    'a b',
  ];
  it.each(REFUSED)('refuses Host %s: AccessFailure in XML on the protocol route, JSON on the control routes, nothing done', async (host) => {
    const h = { host: host.replace('PORT', String(emu.port)) };
    for (const path of [LIST, '/?Action=DeleteDomain&DomainName=precious&Version=2009-04-15']) {
      const r = await send(emu, path, h);
      expect([r.status, r.type, code(r)]).toEqual([403, 'text/xml', 'AccessFailure']);
      expect(r.body).not.toContain('precious');
    }
    const form = await send(emu, '/', { ...h, 'content-type': 'application/x-www-form-urlencoded' }, 'POST', 'Action=DeleteDomain&DomainName=precious&Version=2009-04-15');
    expect([form.status, code(form)]).toEqual([403, 'AccessFailure']);
    const json = { ...h, 'content-type': 'application/json', origin: `http://${h.host}` };
    for (const [path, method, body] of [
      ['/_simpledb/journal', 'GET', undefined],
      ['/_simpledb/reset', 'POST', '{}'],
      ['/_simpledb/action', 'POST', JSON.stringify({ Action: 'DeleteDomain', DomainName: 'precious' })],
      ['/moto-api/reset', 'POST', undefined],
    ] as const) {
      const r = await send(emu, path, json, method, body);
      expect([path, r.status, r.type, code(r)]).toEqual([path, 403, 'application/json; charset=utf-8', 'ForeignHost']);
    }
    const list = await send(emu, LIST, { host: '127.0.0.1' });
    expect(list.body).toContain('<DomainName>precious</DomainName>');
  });
});

describe('--allowed-hosts', () => {
  it('adds names and domains, and * answers any name', async () => {
    await using named = await startEmulator({ port: 0, allowedHosts: ['simpledb', '.internal'] });
    for (const host of ['simpledb:8080', 'internal', 'db.internal', 'SIMPLEDB']) expect((await send(named, LIST, { host })).status, host).toBe(200);
    for (const host of ['simpledb.evil', 'xinternal', 'rebind.test']) expect((await send(named, LIST, { host })).status, host).toBe(403);
    await using open = await startEmulator({ port: 0, allowedHosts: ['*'] });
    expect((await send(open, LIST, { host: 'rebind.test' })).status).toBe(200);
  });

  it('refuses an entry that is not a host name', async () => {
    for (const bad of ['http://simpledb', 'simpledb:8080', 'a b', '*.internal']) {
      await expect(startEmulator({ port: 0, allowedHosts: [bad] }), bad).rejects.toThrow(/not a host name/);
    }
  });
});

describe('a browser GET that names no page', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('is refused on the protocol route, and changes nothing', async () => {
    await send(emu, '/?Action=CreateDomain&DomainName=precious&Version=2009-04-15', { host: '127.0.0.1' });
    const r = await send(emu, '/?Action=DeleteDomain&DomainName=precious&Version=2009-04-15', { host: `[::ffff:7f00:1]:${emu.port}`, 'user-agent': CHROME, accept: 'image/avif,image/webp,*/*' });
    expect([r.status, code(r)]).toEqual([403, 'AccessFailure']);
    expect((await send(emu, LIST, { host: '127.0.0.1' })).body).toContain('<DomainName>precious</DomainName>');
  });

  it('is answered when the browser says the user typed it or the page is the emulator own (Sec-Fetch-Site none, same-origin)', async () => {
    for (const site of ['none', 'same-origin']) {
      const r = await send(emu, LIST, { host: `127.0.0.1:${emu.port}`, 'user-agent': CHROME, 'sec-fetch-site': site });
      expect(r.status, site).toBe(200);
    }
  });

  it('still reads a control route: nothing there changes on GET, and another page cannot read the answer', async () => {
    const r = await send(emu, '/_simpledb/journal?limit=1', { host: `[::ffff:7f00:1]:${emu.port}`, 'user-agent': CHROME });
    expect(r.status).toBe(200);
  });

  it('is not how tools are told apart: an SDK or curl user agent is answered without any browser header', async () => {
    for (const agent of ['Boto/2.49.0 Python/3.11', 'Boto3/1.26 Python/3.11', 'aws-sdk-nodejs/2.1692.0', 'curl/7.88.1', 'python-requests/2.28']) {
      expect((await send(emu, LIST, { host: '127.0.0.1', 'user-agent': agent })).status, agent).toBe(200);
    }
  });
});
