// The console destroys nothing it was not explicitly asked to, in a real browser: a confirmation
// left open when the user navigates away acts on nothing, and deleting an item refuses when any
// attribute changed since it was shown (SimpleDB's Expected checks one attribute only).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BatchPutAttributesCommand, CreateDomainCommand, GetAttributesCommand, ListDomainsCommand, PutAttributesCommand, SelectCommand, SimpleDBClient } from '../../client/index.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { buildPage, LAUNCH, SKIP_BROWSER } from './support.js';

let emu: Emulator;
let browser: Browser;
let client: SimpleDBClient;
let context: BrowserContext | undefined;

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  buildPage();
  emu = await startEmulator({ port: 0 });
  client = new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  browser = await chromium.launch(LAUNCH);
}, 60_000);

afterEach(async () => {
  await context?.close();
  context = undefined;
});

afterAll(async () => {
  await browser?.close();
  await emu?.close();
});

async function open(hash: string): Promise<Page> {
  context ??= await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${emu.url}/_simpledb/console/${hash}`);
  return page;
}

const domains = async () => (await client.send(new ListDomainsCommand({}))).DomainNames ?? [];

describe.skipIf(SKIP_BROWSER)('nothing destructive without a fresh confirmation bound to what it names', () => {
  it("a delete-domain dialog left open through the browser's Back deletes nothing when confirmed afterwards", async () => {
    for (const d of ['keep_one', 'keep_two']) await client.send(new CreateDomainCommand({ DomainName: d }));
    const page = await open('#/domains/keep_two');
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('button', { name: 'Delete domain keep_one' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    await page.goBack();
    await page.waitForURL(/#\/domains\/keep_two$/);
    // Whatever the page shows now, a confirmation from before must not act: the dialog is gone,
    // and a confirm button, were one left, would be clicked here.
    const stale = page.getByRole('dialog').getByRole('button', { name: 'Delete domain' });
    if ((await stale.count()) > 0) await stale.click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await domains()).toEqual(expect.arrayContaining(['keep_one', 'keep_two']));
  });

  it('deleting an item after another client changed a later attribute is refused with the difference, and deletes nothing', async () => {
    await client.send(new CreateDomainCommand({ DomainName: 'orders' }));
    await client.send(
      new PutAttributesCommand({ DomainName: 'orders', ItemName: 'o1', Attributes: [{ Name: 'a_status', Value: 'open' }, { Name: 'z_total', Value: '10' }] }),
    );
    const page = await open('#/domains/orders/items/o1');
    await expect.poll(() => page.getByRole('table').textContent()).toContain('z_total');
    // Meanwhile another client changes the attribute shown last, and adds one.
    await client.send(
      new PutAttributesCommand({ DomainName: 'orders', ItemName: 'o1', Attributes: [{ Name: 'z_total', Value: '12', Replace: true }, { Name: 'note', Value: 'rush' }] }),
    );
    await page.getByRole('button', { name: 'Delete item' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete item' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Not deleted: the item changed since it was shown');
    const alert = (await page.getByRole('alert').textContent()) ?? '';
    expect(alert).toContain('z_total: shown ["10"], now ["12"]');
    expect(alert).toContain('note: shown [], now ["rush"]');
    const now = await client.send(new GetAttributesCommand({ DomainName: 'orders', ItemName: 'o1', ConsistentRead: true }));
    expect(now.Attributes?.map((a) => `${a.Name}=${a.Value}`).sort()).toEqual(['a_status=open', 'note=rush', 'z_total=12']);

    // Reloaded, the item as it is now can be deleted.
    await page.getByRole('button', { name: 'Reload the item' }).click();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('rush');
    await page.getByRole('button', { name: 'Delete item' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete item' }).click();
    await expect.poll(async () => (await client.send(new GetAttributesCommand({ DomainName: 'orders', ItemName: 'o1', ConsistentRead: true }))).Attributes ?? []).toEqual([]);
  });

  it('the CSV export escapes cells a spreadsheet would evaluate as formulas', async () => {
    await client.send(new CreateDomainCommand({ DomainName: 'sheet' }));
    const values = ['=HYPERLINK("http://x.test","click")', '+1+2', '-3', '@SUM(A1)', '\t=1', 'plain', '2-1'];
    for (const [i, v] of values.entries()) {
      await client.send(new PutAttributesCommand({ DomainName: 'sheet', ItemName: `r${i}`, Attributes: [{ Name: 'v', Value: v }] }));
    }
    const page = await open(`#/select?q=${encodeURIComponent('select v from `sheet`')}&consistent=1`);
    await expect.poll(() => page.getByRole('table').count()).toBeGreaterThan(0);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const text = readFileSync((await (await download).path()) ?? '', 'utf8');
    const cells = text.trim().split('\r\n').slice(1).map((line) => line.slice(line.indexOf(',') + 1));
    expect(cells.sort()).toEqual(
      [`"'=HYPERLINK(""http://x.test"",""click"")"`, `"'+1+2"`, `"'-3"`, `"'@SUM(A1)"`, `"'\t=1"`, 'plain', '2-1'].sort(),
    );
  });

});

describe.skipIf(SKIP_BROWSER)('wide data stays readable', () => {
  it('a 1,024-character value leaves the item column readable, in the items view and the workbench', async () => {
    await client.send(new CreateDomainCommand({ DomainName: 'wide' }));
    const long = 'x'.repeat(1024);
    await client.send(new PutAttributesCommand({ DomainName: 'wide', ItemName: 'customer-0001', Attributes: [{ Name: 'blob', Value: long }, { Name: 'name', Value: 'Ann' }] }));
    for (const hash of ['#/domains/wide', `#/select?q=${encodeURIComponent('select * from `wide`')}&consistent=1`]) {
      const page = await open(hash);
      const itemCell = page.getByRole('rowheader', { name: 'customer-0001' });
      await expect.poll(() => itemCell.count()).toBe(1);
      // Measured in the page (a string, so this file needs no DOM types): the column, the name's
      // width on one line, and the table.
      const sizes = (await page.evaluate(`(() => {
        const th = document.querySelector('tbody th');
        const probe = document.createElement('span');
        probe.textContent = 'customer-0001';
        probe.style.cssText = 'position:absolute;white-space:nowrap;font-weight:600';
        th.append(probe);
        const word = probe.getBoundingClientRect().width;
        probe.remove();
        return { column: th.getBoundingClientRect().width, word, table: document.querySelector('table').getBoundingClientRect().width };
      })()`)) as { column: number; word: number; table: number };
      // The name fits on its line, and the table stays within a screen or two.
      expect(sizes.column, hash).toBeGreaterThanOrEqual(sizes.word);
      expect(sizes.table, hash).toBeLessThan(2600);
      // The whole value is a click away, and the item view shows it whole.
      await page.getByText('(1,024 characters)').click();
      await expect.poll(() => page.locator('details.long[open] .full').textContent()).toBe(long);
    }
  });
});

describe.skipIf(SKIP_BROWSER)('links to the console open from anywhere', () => {
  it('a link clicked on a page served from another port opens the console, and a reload keeps it; that page still cannot read the journal', async () => {
    const other = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><title>chat</title><a id="go" href="${emu.url}/_simpledb/console/#/domains">console</a>`);
    });
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    try {
      const { port } = other.address() as AddressInfo;
      context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      const answer = page.waitForResponse((r) => r.url().startsWith(`${emu.url}/_simpledb/console/`));
      await page.click('#go');
      expect((await answer).status()).toBe(200);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Domains');
      const reloaded = await page.reload();
      expect(reloaded?.status()).toBe(200);
      // The other origin's own requests are refused as before.
      await page.goto(`http://127.0.0.1:${port}/`);
      const status = await page.evaluate((url) => fetch(`${url}/_simpledb/journal`).then((r) => r.status, () => 0), emu.url);
      expect([0, 403]).toContain(status);
    } finally {
      other.close();
    }
  });
});

describe.skipIf(SKIP_BROWSER)('traffic filters see the whole journal', () => {
  it('a client filter finds entries older than the newest 300, pages further back, and keeps its empty state across polls', async () => {
    const alpha = new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1', clientId: 'alpha', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const beta = new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1', clientId: 'beta', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    await alpha.send(new CreateDomainCommand({ DomainName: 'traffic_old' }));
    for (let i = 0; i < 3; i++) await alpha.send(new PutAttributesCommand({ DomainName: 'traffic_old', ItemName: `a${i}`, Attributes: [{ Name: 'n', Value: String(i) }] }));
    for (let i = 0; i < 350; i++) await beta.send(new GetAttributesCommand({ DomainName: 'traffic_old', ItemName: 'a0' }));

    const page = await open('#/traffic?client=alpha');
    await expect.poll(() => page.locator('details.entry').count()).toBe(4);
    expect(await page.locator('details.entry time').first().textContent()).toMatch(/ UTC$/);

    const none = await open('#/traffic?client=nobody');
    await expect.poll(() => none.getByText('No requests match yet.').count()).toBe(1);
    // Through more than one poll of the journal (one a second), the notice stays.
    await none.waitForResponse((r) => r.url().includes('/_simpledb/journal?') && r.url().includes('since='));
    await none.waitForResponse((r) => r.url().includes('/_simpledb/journal?') && r.url().includes('since='));
    expect(await none.getByText('No requests match yet.').count()).toBe(1);

    const betaPage = await open('#/traffic?client=beta');
    await expect.poll(() => betaPage.locator('details.entry').count()).toBe(300);
    await betaPage.getByRole('button', { name: 'Older entries' }).click();
    await expect.poll(() => betaPage.locator('details.entry').count()).toBe(350);
  });
});

describe.skipIf(SKIP_BROWSER)('browsing', () => {
  it('Select results link to their items; counts have thousands separators; fault counters refresh by themselves', async () => {
    await client.send(new CreateDomainCommand({ DomainName: 'browse_me' }));
    for (let b = 0; b < 48; b++) {
      const items = Array.from({ length: 25 }, (_, i) => ({ Name: `i${b * 25 + i}`, Attributes: [{ Name: 'n', Value: String(b * 25 + i) }] }));
      await client.send(new BatchPutAttributesCommand({ DomainName: 'browse_me', Items: items }));
    }
    const domainsPage = await open('#/domains');
    await expect.poll(() => domainsPage.getByRole('row', { name: /browse_me/ }).locator('td').first().textContent()).toBe('1,200');

    const selectPage = await open(`#/select?q=${encodeURIComponent("select * from `browse_me` where n = '7'")}&consistent=1`);
    const link = selectPage.getByRole('link', { name: 'i7' });
    await expect.poll(() => link.getAttribute('href')).toBe('#/domains/browse_me/items/i7');

    const rule = emu.control.faults.add({ action: 'GetAttributes', domain: 'browse_me', delayMs: 1 });
    try {
      const shape = await open('#/shape');
      const row = shape.locator(`tr[data-rule="${rule.id}"] td.num`);
      await expect.poll(() => row.first().textContent()).toBe('0');
      for (let i = 0; i < 3; i++) await client.send(new GetAttributesCommand({ DomainName: 'browse_me', ItemName: 'i1' }));
      await expect.poll(() => row.allTextContents(), { timeout: 10_000 }).toEqual(['3', '3']);
    } finally {
      emu.control.faults.remove(rule.id);
    }
  });
});

describe.skipIf(SKIP_BROWSER)('the items view browses like a console', () => {
  it('filters with a where on an attribute, sorts by one, and pages back as well as forward', async () => {
    await client.send(new CreateDomainCommand({ DomainName: 'browse_pages' }));
    for (let b = 0; b < 10; b++) {
      const items = Array.from({ length: 25 }, (_, i) => {
        const n = b * 25 + i;
        return { Name: `p${String(n).padStart(3, '0')}`, Attributes: [{ Name: 'n', Value: String(n).padStart(3, '0') }, { Name: 'colour', Value: n % 2 ? 'red' : 'blue' }] };
      });
      await client.send(new BatchPutAttributesCommand({ DomainName: 'browse_pages', Items: items }));
    }
    const page = await open('#/domains/browse_pages');
    const names = () => page.locator('table.items tbody th').allTextContents();
    // Expected pages spelled out: while a page loads the table is empty, so "not the old first row" would pass early.
    const pageOf = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `p${String(from + i).padStart(3, '0')}`);
    const [first, second, third] = [pageOf(0, 100), pageOf(100, 200), pageOf(200, 250)];
    await expect.poll(names).toEqual(first);
    await page.getByRole('link', { name: 'Next page »' }).click();
    await expect.poll(names).toEqual(second);
    await page.getByRole('link', { name: 'Next page »' }).click();
    await expect.poll(names).toEqual(third);
    await page.getByRole('link', { name: '‹ Previous page' }).click();
    await expect.poll(names).toEqual(second);
    await page.getByRole('link', { name: '‹ Previous page' }).click();
    await expect.poll(names).toEqual(first);

    // where colour = 'red', sorted by n descending: the odd numbers from 249 down.
    const form = page.getByRole('form', { name: 'Filter and sort the items' });
    await form.getByLabel('Where attribute').fill('colour');
    await form.getByLabel('Value').fill('red');
    await form.getByLabel('Sort by').fill('n');
    await form.getByLabel('Descending').check();
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => (await names()).slice(0, 3)).toEqual(['p249', 'p247', 'p245']);
    expect(page.url()).toContain('attr=colour');
    await form.getByLabel('Operator').selectOption('is null');
    await form.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByText('No items match.').count()).toBe(1);
  });
});

describe.skipIf(SKIP_BROWSER)('bulk deletes', () => {
  it('"Delete selected" deletes the ticked items, and nothing when one of them changed since it was shown', async () => {
    await client.send(new CreateDomainCommand({ DomainName: 'pick_me' }));
    await client.send(new BatchPutAttributesCommand({ DomainName: 'pick_me', Items: ['s1', 's2', 's3'].map((Name) => ({ Name, Attributes: [{ Name: 'v', Value: '1' }] })) }));
    const page = await open('#/domains/pick_me');
    await expect.poll(() => page.locator('table.items tbody tr').count()).toBe(3);
    await page.getByLabel('Select item s1').check();
    await page.getByLabel('Select item s3').check();
    // s3 changes after the page showed it: the delete is refused whole.
    await client.send(new PutAttributesCommand({ DomainName: 'pick_me', ItemName: 's3', Attributes: [{ Name: 'v', Value: '2', Replace: true }] }));
    await page.getByRole('button', { name: 'Delete selected…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete 2 items' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Nothing deleted: changed since shown: s3 (v: shown ["1"], now ["2"])');
    const names = async () => (await client.send(new SelectCommand({ SelectExpression: 'select itemName() from `pick_me`', ConsistentRead: true }))).Items?.map((i) => i.Name).sort();
    expect(await names()).toEqual(['s1', 's2', 's3']);

    await page.reload();
    await expect.poll(() => page.locator('table.items tbody tr').count()).toBe(3);
    await page.getByLabel('Select item s1').check();
    await page.getByLabel('Select item s3').check();
    await page.getByRole('button', { name: 'Delete selected…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete 2 items' }).click();
    await expect.poll(names).toEqual(['s2']);
  });

  it('"Delete all items" deletes what it listed when confirmed, names the count, and keeps an item added meanwhile', async () => {
    await client.send(new CreateDomainCommand({ DomainName: 'purge_me' }));
    for (let b = 0; b < 3; b++) {
      const items = Array.from({ length: 20 }, (_, i) => ({ Name: `q${b * 20 + i}`, Attributes: [{ Name: 'v', Value: '1' }] }));
      await client.send(new BatchPutAttributesCommand({ DomainName: 'purge_me', Items: items }));
    }
    const page = await open('#/domains/purge_me');
    await expect.poll(() => page.locator('table.items tbody tr').count()).toBe(60);
    await page.getByRole('button', { name: 'Delete all items…' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain('Delete the 60 items of purge_me listed now?');
    await client.send(new PutAttributesCommand({ DomainName: 'purge_me', ItemName: 'late', Attributes: [{ Name: 'v', Value: '2' }] }));
    await dialog.getByRole('button', { name: 'Delete 60 items' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Deleted 60 items.' }).count()).toBe(1);
    const left = await client.send(new SelectCommand({ SelectExpression: 'select itemName() from `purge_me`', ConsistentRead: true }));
    expect(left.Items?.map((i) => i.Name)).toEqual(['late']);
    expect(await domains()).toContain('purge_me');
  });
});

describe.skipIf(SKIP_BROWSER)('editing a whole item as JSON', () => {
  it('saves replaced, added and removed attributes at once, and refuses when the item changed since it was shown', async () => {
    await client.send(new CreateDomainCommand({ DomainName: 'json_edit' }));
    await client.send(new PutAttributesCommand({ DomainName: 'json_edit', ItemName: 'j1', Attributes: [{ Name: 'a', Value: '1' }, { Name: 'b', Value: 'x' }, { Name: 'b', Value: 'y' }, { Name: 'gone', Value: 'z' }] }));
    const page = await open('#/domains/json_edit/items/j1');
    const editor = page.getByLabel('The item as JSON', { exact: true });
    await expect.poll(() => editor.inputValue()).toContain('"gone"');
    await editor.fill(JSON.stringify({ a: '2', b: ['x', 'y'], c: ['new', 'two'] }));
    await page.getByRole('button', { name: 'Save JSON' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved: 2 attributes written, 1 removed.' }).count()).toBe(1);
    const got = await client.send(new GetAttributesCommand({ DomainName: 'json_edit', ItemName: 'j1', ConsistentRead: true }));
    expect(got.Attributes?.map((a) => `${a.Name}=${a.Value}`).sort()).toEqual(['a=2', 'b=x', 'b=y', 'c=new', 'c=two']);

    // Another client changes b meanwhile: the save is refused, nothing is written.
    await client.send(new PutAttributesCommand({ DomainName: 'json_edit', ItemName: 'j1', Attributes: [{ Name: 'b', Value: 'w' }] }));
    await editor.fill(JSON.stringify({ a: '3' }));
    await page.getByRole('button', { name: 'Save JSON' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('b: shown ["x","y"], now ["w","x","y"]');
    const after = await client.send(new GetAttributesCommand({ DomainName: 'json_edit', ItemName: 'j1', ConsistentRead: true }));
    expect(after.Attributes?.find((a) => a.Name === 'a')?.Value).toBe('2');

    await editor.fill('{"a": 5}');
    await page.getByRole('button', { name: 'Save JSON' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('a: a string or a list of strings, not 5');
  });
});

describe.skipIf(SKIP_BROWSER)('importing NDJSON from the page', () => {
  it('merges a good file into new and existing domains, and writes nothing from a file with a bad line', async () => {
    const page = await open('#/domains');
    const input = page.getByRole('form', { name: 'Import an NDJSON file' }).locator('input[type=file]');
    const good = ['{"domain":"imported_a","item":"i1","attributes":{"k":["v1","v2"]}}', '{"domain":"imported_b","item":"i2","attributes":{"n":["1"]}}'].join('\n');
    await input.setInputFiles({ name: 'good.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(good) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Imported 2 items into imported_a, imported_b.' }).count()).toBe(1);
    const got = await client.send(new GetAttributesCommand({ DomainName: 'imported_a', ItemName: 'i1', ConsistentRead: true }));
    expect(got.Attributes?.map((a) => a.Value).sort()).toEqual(['v1', 'v2']);

    const bad = ['{"domain":"imported_c","item":"i3","attributes":{"k":["v"]}}', '{"domain":"imported_c","item":"i4","attributes":{"k":"v"}}', 'not json'].join('\n');
    await input.setInputFiles({ name: 'bad.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Not imported (nothing was written): line 2: "attributes" maps each name to a list of strings; line 3: not JSON');
    expect(await domains()).not.toContain('imported_c');
  });
});

