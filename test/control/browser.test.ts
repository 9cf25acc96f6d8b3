// Cross-origin attacks made by a real page in Debian's chromium: a page served from another origin
// fires the "simple" requests a browser sends without asking (text/plain POSTs, a GET), and the
// emulator must have changed nothing. The same page then names the emulator in ways Chromium does
// not trust (an IPv4-mapped IPv6 address, a host name resolving to 127.0.0.1), for which it sends
// neither Origin nor Sec-Fetch-*; and a rebound page (its document served under a host name that
// resolves to the emulator) tries to read and act same-origin. With --cors naming the page's
// origin, the same page may drive the control routes with JSON, through the browser's preflight.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';

const CHROMIUM = '/usr/bin/chromium';
const RULE = JSON.stringify({ action: 'ListDomains', error: 'ServiceUnavailable' });

let pages: Server;
let pageOrigin = '';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  pages = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const to = url.searchParams.get('to');
    const base = url.searchParams.get('base');
    // An image whose source redirects to the emulator.
    if (to !== null) res.writeHead(302, { location: to }).end();
    else if (base !== null) res.writeHead(200, { 'content-type': 'text/html' }).end(vectorsPage(base));
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>');
  });
  pages.listen(0, '127.0.0.1');
  await once(pages, 'listening');
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  // Any *.test name resolves to the emulator's address, as an attacker's DNS would make it. The
  // features switched off are Chromium's own checks on pages calling loopback addresses, which
  // Firefox and Safari do not have: the emulator must hold without them.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--host-resolver-rules=MAP *.test 127.0.0.1', '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks'] });
  page = await browser.newPage();
  await page.goto(pageOrigin);
});

afterAll(async () => {
  await browser?.close();
  pages.close();
  await once(pages, 'close');
});

/** Runs fetch in the page; an opaque or failed answer is reported, not thrown. */
function pageFetch(url: string, init: { method?: string; mode?: 'cors' | 'no-cors'; headers?: Record<string, string>; body?: string }) {
  return page.evaluate(
    async ([u, i]) => {
      try {
        const r = await fetch(u, i);
        return { status: r.status, type: r.type, text: r.type === 'opaque' ? '' : await r.text() };
      } catch (err) {
        return { status: -1, type: 'error', text: String(err) };
      }
    },
    [url, init] as const,
  );
}

describe.skipIf(!existsSync(CHROMIUM))('a page on another origin', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('cannot reset, inject faults or delete a domain, authentication off', async () => {
    await fetch(`${emu.url}/?Action=CreateDomain&DomainName=precious&Version=2009-04-15`);
    const simple = { method: 'POST', mode: 'no-cors' as const, headers: { 'content-type': 'text/plain' } };
    await pageFetch(`${emu.url}/_simpledb/reset`, { ...simple, body: '{}' });
    await pageFetch(`${emu.url}/moto-api/reset`, { method: 'POST', mode: 'no-cors' });
    await pageFetch(`${emu.url}/_simpledb/faults`, { ...simple, body: RULE });
    await pageFetch(`${emu.url}/?Action=DeleteDomain&DomainName=precious&Version=2009-04-15`, { mode: 'no-cors' });
    const read = await pageFetch(`${emu.url}/_simpledb/journal`, {});
    expect(read.status).toBe(-1); // the refusal carries no CORS header, so the page cannot read it

    expect(emu.control.faults.list()).toEqual([]);
    const list = await (await fetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15`)).text();
    expect(list).toContain('<DomainName>precious</DomainName>');
    // The protocol attempt reached the emulator and was refused there, before its parameters were read.
    const refused = emu.control.journal({ code: 'AccessFailure' });
    expect(refused.map((e) => [e.method, e.status, e.action])).toEqual([['GET', 403, null]]);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('a page whose origin --cors allows', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, cors: [pageOrigin] });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('drives the control and protocol routes with JSON, through the preflight', async () => {
    const added = await pageFetch(`${emu.url}/_simpledb/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: RULE,
    });
    expect(added.status).toBe(201);
    expect(emu.control.faults.list()).toHaveLength(1);
    emu.control.faults.clear();
    const listed = await pageFetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15`, {});
    expect(listed.status).toBe(200);
    expect(listed.text).toContain('<ListDomainsResult');
  });
});

/** The no-Origin vectors of a page: every element that loads a URL, a no-cors fetch and a form GET. */
const VECTORS = ['img', 'script', 'iframe', 'prefetch', 'stylesheet', 'background', 'object', 'video', 'fetch', 'redirect', 'form'];

/** A page firing each vector at `base` + a DeleteDomain of its own domain (`v-<vector>`). */
function vectorsPage(base: string): string {
  const url = (v: string) => `${base}/?Action=DeleteDomain&amp;Version=2009-04-15&amp;DomainName=v-${v}`;
  const raw = (v: string) => url(v).replaceAll('&amp;', '&');
  return `<!doctype html><title>vectors</title>
<img src="${url('img')}">
<script src="${url('script')}"></script>
<iframe src="${url('iframe')}"></iframe>
<link rel="prefetch" href="${url('prefetch')}">
<link rel="stylesheet" href="${url('stylesheet')}">
<div style="width:9px;height:9px;background-image:url('${url('background')}')"></div>
<object data="${url('object')}"></object>
<video src="${url('video')}" preload="auto"></video>
<img src="/redirect?to=${encodeURIComponent(raw('redirect'))}">
<iframe name="sink"></iframe>
<form id="f" method="GET" target="sink" action="${base}/">
  <input name="Action" value="DeleteDomain"><input name="Version" value="2009-04-15"><input name="DomainName" value="v-form">
</form>
<script>
  fetch(${JSON.stringify(raw('fetch'))}, { mode: 'no-cors' }).catch(() => undefined);
  document.getElementById('f').submit();
</script>`;
}

describe.skipIf(!existsSync(CHROMIUM))('a page naming the emulator another way, authentication off', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it.each([
    ['an IPv4-mapped IPv6 address', (port: number) => `http://[::ffff:127.0.0.1]:${port}`],
    ['a host name that resolves to 127.0.0.1', (port: number) => `http://alias.test:${port}`],
  ])('deletes nothing through %s, by any vector', async (_name, base) => {
    for (const v of VECTORS) await fetch(`${emu.url}/?Action=CreateDomain&DomainName=v-${v}&Version=2009-04-15`);
    const before = emu.control.journal().length;
    await page.goto(`${pageOrigin}/vectors?base=${encodeURIComponent(base(emu.port))}`);
    // Every vector's request has reached the emulator (a video may ask twice): the test's timeout bounds the wait.
    await vi.waitFor(() => expect(emu.control.journal().length - before).toBeGreaterThanOrEqual(VECTORS.length), { timeout: 20_000, interval: 50 });
    const seen = emu.control.journal().slice(before);
    expect(seen.filter((e) => e.status !== 403 || e.code !== 'AccessFailure')).toEqual([]);
    const list = await (await fetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15`)).text();
    expect(VECTORS.filter((v) => !list.includes(`<DomainName>v-${v}</DomainName>`))).toEqual([]);
  });

  it('a rebound page can neither read nor act, on the protocol or the control routes', async () => {
    await fetch(`${emu.url}/?Action=CreateDomain&DomainName=precious&Version=2009-04-15`);
    const origin = `http://rebind.test:${emu.port}`;
    // The attacker's document, as their server sent it before the name was rebound to 127.0.0.1.
    await page.route(`${origin}/attack`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }));
    await page.goto(`${origin}/attack`);
    const answers = await page.evaluate(async () => {
      const json = { 'content-type': 'application/json' };
      const tries: [string, RequestInit][] = [
        ['/?Action=ListDomains&Version=2009-04-15', {}],
        ['/?Action=DeleteDomain&DomainName=precious&Version=2009-04-15', {}],
        ['/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=CreateDomain&DomainName=rebound&Version=2009-04-15' }],
        ['/_simpledb/action', { method: 'POST', headers: json, body: JSON.stringify({ Action: 'CreateDomain', DomainName: 'rebound' }) }],
        ['/_simpledb/journal', {}],
        ['/_simpledb/reset', { method: 'POST', headers: json, body: '{}' }],
      ];
      const out: [number, string][] = [];
      for (const [path, init] of tries) {
        try {
          const r = await fetch(path, init);
          out.push([r.status, await r.text()]);
        } catch (err) {
          out.push([-1, String(err)]);
        }
      }
      return out;
    });
    await page.unroute(`${origin}/attack`);
    expect(answers.map(([status]) => status)).toEqual([403, 403, 403, 403, 403, 403]);
    for (const [, text] of answers) expect(text).not.toContain('precious');
    const list = await (await fetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15`)).text();
    expect(list).toContain('<DomainName>precious</DomainName>');
    expect(list).not.toContain('<DomainName>rebound</DomainName>');
  });
});
