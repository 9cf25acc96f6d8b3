// mirror from a source that implements only part of the API: a small independent fake (plain
// node:http, none of the emulator's code) that answers ListDomains and Select and nothing else.
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cli, removeTempDirs, tempDir } from './support.js';

afterAll(removeTempDirs);

const NS = 'http://sdb.amazonaws.com/doc/2009-04-15/';
const META = '<ResponseMetadata><RequestId>fake</RequestId><BoxUsage>0.0000071759</BoxUsage></ResponseMetadata>';
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const DATA: Record<string, Record<string, [string, string][]>> = {
  users: { u1: [['name', 'Ada'], ['tag', 'a'], ['tag', 'b']], u2: [['name', 'Grace']] },
  orders: { o1: [['total', '12']] },
};
const HTML_500 = '<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>';

interface Fake {
  url: string;
  calls: string[];
}

/** What the fake lacks: `select` answers InvalidAction; `list` answers 501 with a text body. */
function startFake(lacks: { select?: boolean; list?: boolean } = {}): Promise<Fake & { server: Server }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const params = new URLSearchParams(req.method === 'POST' ? body : (req.url ?? '').split('?')[1]);
      const action = params.get('Action') ?? '';
      calls.push(action);
      const xml = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(`<?xml version="1.0"?>\n${text}`);
      };
      if (action === 'ListDomains' && !lacks.list) {
        return xml(200, `<ListDomainsResponse xmlns="${NS}"><ListDomainsResult>${Object.keys(DATA).map((d) => `<DomainName>${d}</DomainName>`).join('')}</ListDomainsResult>${META}</ListDomainsResponse>`);
      }
      if (action === 'ListDomains') {
        res.writeHead(501, { 'content-type': 'text/plain' });
        return res.end('not implemented');
      }
      if (action === 'Select' && lacks.select) {
        return xml(400, `<Response><Errors><Error><Code>InvalidAction</Code><Message>The action Select is not valid for this web service.</Message></Error></Errors><RequestID>fake</RequestID></Response>`);
      }
      if (action === 'Select') {
        const domain = /from `?([\w.-]+)`?/.exec(params.get('SelectExpression') ?? '')?.[1] ?? '';
        const items = Object.entries(DATA[domain] ?? {})
          .map(([name, pairs]) => `<Item><Name>${esc(name)}</Name>${pairs.map(([n, v]) => `<Attribute><Name>${esc(n)}</Name><Value>${esc(v)}</Value></Attribute>`).join('')}</Item>`)
          .join('');
        return xml(200, `<SelectResponse xmlns="${NS}"><SelectResult>${items}</SelectResult>${META}</SelectResponse>`);
      }
      // Everything else, DomainMetadata included: what a web framework answers for a route it lacks.
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end(HTML_500);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, calls, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })),
  );
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});
async function fake(lacks: { select?: boolean; list?: boolean } = {}): Promise<Fake> {
  const f = await startFake(lacks);
  servers.push(f.server);
  return f;
}

describe('mirror from a partial implementation', () => {
  it('without DomainMetadata: says so once, copies everything without totals', async () => {
    const source = await fake();
    const dir = tempDir();
    const db = join(dir, 'copy.db');
    const run = await cli(['mirror', '--from', source.url, '--db', db, '--checkpoint', join(dir, 'cp.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('mirror: the source does not support DomainMetadata (it answers HTTP 500 without a SimpleDB error document); copying without totals');
    expect(run.stderr).toContain('mirror: copying (no totals from the source)');
    expect(run.stderr).not.toContain('<html>');
    // Asked once (one call, retried by the client), not once per domain.
    const metadata = source.calls.filter((c) => c === 'DomainMetadata').length;
    expect(metadata).toBeGreaterThan(0);
    expect(metadata).toBeLessThanOrEqual(5);
    const exported = await cli(['export', '--db', db]);
    expect(exported.stdout).toBe(
      '{"domain":"orders"}\n{"domain":"orders","item":"o1","attributes":{"total":["12"]}}\n' +
        '{"domain":"users"}\n{"domain":"users","item":"u1","attributes":{"name":["Ada"],"tag":["a","b"]}}\n{"domain":"users","item":"u2","attributes":{"name":["Grace"]}}\n',
    );
  });

  it('without Select: stops naming the action, prints no HTML, keeps no database', async () => {
    const source = await fake({ select: true });
    const dir = tempDir();
    const run = await cli(['mirror', '--from', source.url, '--db', join(dir, 'copy.db'), '--checkpoint', join(dir, 'cp.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('simpledb-local mirror: the source does not support Select (it answers InvalidAction, HTTP 400): a mirror reads items only through Select, so users cannot be copied');
    expect(run.stderr).not.toContain('<html>');
    expect(readdirSync(dir)).toEqual([]);
    expect(source.calls.filter((c) => c === 'Select')).toHaveLength(1);
  });

  it('without ListDomains: copies the domains --domain names, and asks for them when none are named', async () => {
    const source = await fake({ list: true });
    const dir = tempDir();
    const unnamed = await cli(['mirror', '--from', source.url, '--db', join(dir, 'a.db'), '--checkpoint', join(dir, 'cp.json')]);
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toContain('the source does not support ListDomains (it answers NotImplemented, HTTP 501); name the domains to copy with --domain');
    expect(existsSync(join(dir, 'a.db'))).toBe(false);
    const named = await cli(['mirror', '--from', source.url, '--db', join(dir, 'b.db'), '--domain', 'users', '--checkpoint', join(dir, 'cp.json')]);
    expect(named.code, named.stderr).toBe(0);
    expect((await cli(['export', '--db', join(dir, 'b.db')])).stdout).toContain('"item":"u2"');
  });
});
