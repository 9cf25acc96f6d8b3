// Cross-origin attacks made by a real page in Debian's chromium: a page served
// from another origin fires the "simple" requests a browser sends without asking (text/plain
// POSTs, a GET), and the emulator must have changed nothing. With --cors naming the page's origin,
// the same page may drive the control routes with JSON, through the browser's preflight.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';

const CHROMIUM = '/usr/bin/chromium';
const RULE = JSON.stringify({ action: 'ListDomains', error: 'ServiceUnavailable' });

let pages: Server;
let pageOrigin = '';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  pages = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>');
  });
  pages.listen(0, '127.0.0.1');
  await once(pages, 'listening');
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
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
