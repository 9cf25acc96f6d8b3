// Contract C2: POST /_simpledb/action runs the protocol pipeline for the console, and the page
// is served under a strict CSP (or not at all with console: false). Plain HTTP, no browser.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu.close();
});

const action = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${emu.url}/_simpledb/action`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const protocol = (params: Record<string, string>) =>
  fetch(`${emu.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });

/** The documents but for the request id, which differs per request. */
const comparable = (xml: string) => xml.replace(/<RequestId>[^<]*<\/RequestId>|<RequestID>[^<]*<\/RequestID>/g, '');

describe('POST /_simpledb/action', () => {
  it('answers the status and XML document the protocol route answers, success and error alike', async () => {
    await protocol({ Action: 'CreateDomain', DomainName: 'cdom' });
    const put = await action({ Action: 'PutAttributes', DomainName: 'cdom', ItemName: 'i', 'Attribute.1.Name': 'a', 'Attribute.1.Value': 'v' });
    expect(put.status).toBe(200);
    const cases: Record<string, string>[] = [
      { Action: 'Select', SelectExpression: 'select * from cdom', ConsistentRead: 'true' },
      { Action: 'GetAttributes', DomainName: 'cdom', ItemName: 'i' },
      { Action: 'PutAttributes', DomainName: 'cdom', ItemName: 'i', 'Attribute.1.Name': 'a', 'Attribute.1.Value': 'w', 'Expected.1.Name': 'a', 'Expected.1.Value': 'x' },
      { Action: 'Select', SelectExpression: 'select * from cdom wher a = 1' },
      { Action: 'Nope' },
      { DomainName: 'cdom' },
    ];
    for (const params of cases) {
      const [viaConsole, viaProtocol] = [await action(params), await protocol(params)];
      expect(viaConsole.status, JSON.stringify(params)).toBe(viaProtocol.status);
      expect(viaConsole.headers.get('content-type')).toBe('text/xml');
      expect(comparable(await viaConsole.text())).toBe(comparable(await viaProtocol.text()));
    }
  });

  it('tells the console where a Select syntax error is, in a header the protocol route never sends', async () => {
    const params = { Action: 'Select', SelectExpression: "select * from `cdom` where a = 'open" };
    const res = await action(params);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-simpledb-error-position')).toBe(String(params.SelectExpression.indexOf("'")));
    expect((await protocol(params)).headers.get('x-simpledb-error-position')).toBeNull();
    // Ran out of text: the end of the expression.
    const late = await action({ Action: 'Select', SelectExpression: 'select * from cdom limit' });
    expect(late.headers.get('x-simpledb-error-position')).toBe(String('select * from cdom limit'.length));
  });

  it('is journalled like any request, and fault rules leave it alone', async () => {
    const rule = emu.control.faults.add({ action: 'GetAttributes', error: 'ServiceUnavailable' });
    try {
      const res = await action({ Action: 'GetAttributes', DomainName: 'cdom', ItemName: 'i' }, { 'X-SimpleDB-Client': 'console' });
      expect(res.status).toBe(200);
      expect((await protocol({ Action: 'GetAttributes', DomainName: 'cdom', ItemName: 'i' })).status).toBe(503);
    } finally {
      emu.control.faults.remove(rule.id);
    }
    const [consoleRead, protocolRead] = emu.control.journal({ action: 'GetAttributes', limit: 2 });
    expect(consoleRead).toMatchObject({ method: 'POST', client: 'console', domain: 'cdom', items: ['i'], status: 200, code: 'Success', params: { Action: 'GetAttributes', ItemName: 'i' } });
    expect(consoleRead?.faults).toBeUndefined();
    expect(protocolRead).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
  });

  it('refuses a body that is not a JSON object of strings with a JSON 400', async () => {
    for (const body of ['[1]', '"Select"', '{"Action": 1}', '{not json']) {
      const res = await action(body);
      expect(res.status, body).toBe(400);
      const json = (await res.json()) as { error: { message: string } };
      expect(json.error.message, body).toMatch(/.+/);
    }
  });
});

describe('the console page', () => {
  it('is served with a strict Content-Security-Policy; unknown files are a JSON 404', async () => {
    const page = await fetch(`${emu.url}/_simpledb/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const html = await page.text();
    expect(html).toContain('<script type="module" src="app/main.js"></script>');
    expect(html).not.toMatch(/<script>|<style|style=/);
    // Every module is preloaded, so the browser fetches them at once rather than import by import.
    for (const file of readdirSync(new URL('../../emulator/console/app/', import.meta.url)).filter((f) => f.endsWith('.ts'))) {
      expect(html).toContain(`<link rel="modulepreload" href="app/${file.replace(/\.ts$/, '.js')}">`);
    }
    const script = await fetch(`${emu.url}/_simpledb/console/app/main.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const bare = await fetch(`${emu.url}/_simpledb/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/_simpledb/console/']);
    const missing = await fetch(`${emu.url}/_simpledb/console/nothing.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NotFound', message: 'no console file /nothing.js' } });
  });

  it('is off with console: false, and so is its data route', async () => {
    await using off = await startEmulator({ port: 0, console: false });
    for (const [method, path] of [['GET', '/_simpledb/console/'], ['POST', '/_simpledb/action']] as const) {
      const res = await fetch(`${off.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{"Action":"ListDomains"}' } : {}) });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(`no control route ${method} ${path}`);
    }
  });
});

describe('with authentication on', () => {
  it('the page and its data route sit behind the guard; the route acts as the key the browser gave', async () => {
    await using guarded = await startEmulator({ port: 0, accessKeyId: 'AKIDCONSOLE', secretAccessKey: 'console-secret', isolateAccounts: true });
    const page = await fetch(`${guarded.url}/_simpledb/console/`);
    expect(page.status).toBe(401);
    expect(page.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const basic = { authorization: `Basic ${Buffer.from('AKIDCONSOLE:console-secret').toString('base64')}` };
    expect((await fetch(`${guarded.url}/_simpledb/console/`, { headers: basic })).status).toBe(200);
    const unsigned = await fetch(`${guarded.url}/_simpledb/action`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Action":"ListDomains"}' });
    expect(unsigned.status).toBe(401);
    const create = await fetch(`${guarded.url}/_simpledb/action`, { method: 'POST', headers: { 'content-type': 'application/json', ...basic }, body: '{"Action":"CreateDomain","DomainName":"mine"}' });
    expect(create.status).toBe(200);
    // Created in the key's own namespace: a signed ListDomains by that key would list it.
    expect(await fetch(`${guarded.url}/_simpledb/action`, { method: 'POST', headers: { 'content-type': 'application/json', ...basic }, body: '{"Action":"ListDomains"}' }).then((r) => r.text())).toContain('<DomainName>mine</DomainName>');
    expect(guarded.store.listDomains('', '', -1)).toEqual([]);
  });
});

describe('the CLI', () => {
  /** Everything the built CLI prints on standard output from start to a SIGTERM once it serves. */
  async function startLines(args: string[], env: Record<string, string> = {}): Promise<string[]> {
    const cli = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIMPLEDB_LOCAL_')));
    const child = spawn(process.execPath, [cli, '--port', '0', '--log-level', 'silent', ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const lines: string[] = [];
      const rl = createInterface({ input: child.stdout });
      const closed = once(rl, 'close');
      rl.on('line', (line) => lines.push(line));
      const [ready] = (await once(rl, 'line')) as [string];
      const url = /listening on (\S+)/.exec(ready)?.[1];
      expect((await fetch(`${url}/_simpledb/health`)).ok).toBe(true);
      child.kill('SIGTERM');
      await closed;
      return lines;
    } finally {
      child.kill('SIGKILL');
    }
  }

  it('prints the console URL after the ready line, unless --no-console or its variable', async () => {
    const lines = await startLines([]);
    const url = /listening on (\S+)/.exec(lines[0] ?? '')?.[1];
    expect(lines).toContain(`  console:    ${url}/_simpledb/console/`);
    for (const off of [await startLines(['--no-console']), await startLines([], { SIMPLEDB_LOCAL_NO_CONSOLE: '1' })]) {
      expect(off[0]).toMatch(/listening on/);
      expect(off.filter((l) => l.includes('/_simpledb/console/'))).toEqual([]);
    }
  });
});
