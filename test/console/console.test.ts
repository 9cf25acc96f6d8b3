// The web console in a real browser: Debian's chromium driven by playwright-core,
// against a real emulator, with data made and checked by aws-sdk v2 and our own client.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetAttributesCommand, PutAttributesCommand, SimpleDBClient } from '../../client/index.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { browserSession, SHOTS, SKIP_BROWSER } from './support.js';

process.env['AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE'] = '1';
const { default: AWS } = await import('aws-sdk');

let emu: Emulator;
const session = browserSession(/status of 4\d\d|status of 5\d\d/);
let sdk: InstanceType<typeof AWS.SimpleDB>;
let client: SimpleDBClient;

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

beforeAll(async () => {
  if (SKIP_BROWSER) return;
  emu = await startEmulator({ port: 0 });
  sdk = new AWS.SimpleDB({ endpoint: emu.url, region: 'us-east-1', ...credentials, maxRetries: 0 });
  client = new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  await emu?.close();
});

async function open(hash: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await session.page({ viewport, acceptDownloads: true });
  await page.goto(`${emu.url}/_simpledb/console/${hash}`);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

async function putItems(domain: string, items: Record<string, Record<string, string | string[]>>): Promise<void> {
  await sdk.createDomain({ DomainName: domain }).promise();
  const all = Object.entries(items).map(([name, attrs]) => ({
    Name: name,
    Attributes: Object.entries(attrs).flatMap(([n, v]) => (Array.isArray(v) ? v : [v]).map((Value) => ({ Name: n, Value }))),
  }));
  // The service takes 25 items per BatchPutAttributes.
  for (let i = 0; i < all.length; i += 25) await sdk.batchPutAttributes({ DomainName: domain, Items: all.slice(i, i + 25) }).promise();
}

async function attributes(domain: string, item: string, consistent = true): Promise<Record<string, string[]>> {
  const out = await sdk.getAttributes({ DomainName: domain, ItemName: item, ConsistentRead: consistent }).promise();
  const map: Record<string, string[]> = {};
  for (const a of out.Attributes ?? []) (map[a.Name] ??= []).push(a.Value);
  return map;
}

describe.skipIf(SKIP_BROWSER)('web console in chromium', () => {
  it('1. domains: what aws-sdk made is listed with its figures; create and delete (with confirmation) from the page', async () => {
    await putItems('fruit', { apple: { colour: 'red', size: 'm' }, kiwi: { colour: 'green' } });
    const page = await open('#/domains');
    const row = page.getByRole('row', { name: /fruit/ });
    await expect.poll(() => row.locator('td').first().textContent()).toBe('2');
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe('3');

    await page.getByLabel('New domain').fill('made-in-console');
    await page.getByRole('button', { name: 'Create domain' }).click();
    await page.getByRole('link', { name: 'made-in-console' }).waitFor();
    expect((await sdk.listDomains().promise()).DomainNames).toContain('made-in-console');
    await shot(page, 'domains');

    await page.getByRole('button', { name: 'Delete domain made-in-console' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await sdk.listDomains().promise()).DomainNames).toContain('made-in-console');
    await page.getByRole('button', { name: 'Delete domain made-in-console' }).click();
    await dialog.getByRole('button', { name: 'Delete domain' }).click();
    await page.getByText('Deleted made-in-console.').waitFor();
    expect((await sdk.listDomains().promise()).DomainNames).not.toContain('made-in-console');
  });

  it('2. items: a paged table with sets; edits reach GetAttributes; a concurrent change fails the conditional edit with the service message', async () => {
    const items: Record<string, Record<string, string | string[]>> = {};
    for (let i = 0; i < 120; i++) items[`item-${String(i).padStart(3, '0')}`] = { n: String(i), tags: ['a', 'b'] };
    await putItems('catalog', items);
    await client.send(new PutAttributesCommand({ DomainName: 'catalog', ItemName: 'lamp', Attributes: [{ Name: 'price', Value: '10' }, { Name: 'tags', Value: 'x' }, { Name: 'tags', Value: 'y' }] }));

    const page = await open('#/domains/catalog');
    await page.getByText('121 items', { exact: false }).first().waitFor();
    await expect.poll(() => page.locator('table.items tbody tr').count()).toBe(100);
    await expect.poll(() => page.getByRole('row', { name: /item-007/ }).locator('.chip').allTextContents()).toEqual(['a', 'b']);
    await shot(page, 'items');
    // The second page is its own URL (the NextToken in the fragment): reload shows the same page.
    await page.getByRole('link', { name: 'Next page »' }).click();
    await expect.poll(() => page.locator('table.items tbody tr').count()).toBe(21);
    await page.reload();
    await expect.poll(() => page.locator('table.items tbody tr').count()).toBe(21);
    await expect.poll(() => page.getByRole('row', { name: /lamp/ }).locator('.chip').allTextContents()).toEqual(['x', 'y']);

    await page.goto(`${emu.url}/_simpledb/console/#/domains/catalog/items/lamp`);
    await page.getByLabel('New value of price').fill('12');
    await page.getByLabel('New value of price').press('Enter');
    await page.getByText('Replace price: done.').waitFor();
    expect((await client.send(new GetAttributesCommand({ DomainName: 'catalog', ItemName: 'lamp', ConsistentRead: true }))).Attributes).toContainEqual({ Name: 'price', Value: '12' });

    await page.getByLabel('Value to add to tags').fill('z');
    await page.getByLabel('Value to add to tags').press('Enter');
    await page.getByText('Add to tags: done.').waitFor();
    await page.getByRole('button', { name: 'Delete value x of tags' }).click();
    await page.getByText('Delete tags=x: done.').waitFor();
    expect((await attributes('catalog', 'lamp')).tags?.sort()).toEqual(['y', 'z']);
    await shot(page, 'item');

    // Someone else changes the price after the page showed 12: the console's edit must not win.
    await sdk.putAttributes({ DomainName: 'catalog', ItemName: 'lamp', Attributes: [{ Name: 'price', Value: '15', Replace: true }] }).promise();
    await page.getByLabel('New value of price').fill('13');
    await page.getByLabel('New value of price').press('Enter');
    await page.getByRole('alert').getByText('ConditionalCheckFailed: Conditional check failed. Attribute (price) value is (15) but was expected (12)').waitFor();
    expect((await attributes('catalog', 'lamp')).price).toEqual(['15']);
    // The console's own requests are journalled under its name: its lane in the item's timeline.
    await page.getByRole('link', { name: 'Timeline of this item' }).click();
    await expect.poll(() => page.locator('.timeline .lane-label').allTextContents()).toContain('console');
    expect(await page.locator('.timeline-list li.conflict').last().textContent()).toMatch(/console: PutAttributes \(conditional write\) price=13 if price=12 → ConditionalCheckFailed/);
  });

  it('3. select workbench: results with paging and count, error with message and position, history, NDJSON and CSV export, a bookmarkable URL', async () => {
    await putItems('books', Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`b${i}`, { year: String(1990 + i), title: `Title, "${i}"` }])));
    const page = await open('#/select');
    const editor = page.getByRole('textbox', { name: /Select expression/ });
    await editor.fill("select * from books where year >= '2000' limit 8");
    await editor.press('Control+Enter');
    await page.getByText('8 items so far (more pages)').waitFor();
    expect(page.url()).toContain('#/select?q=');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('16 items so far').waitFor();
    await shot(page, 'select-results');

    const ndjson = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export NDJSON' }).click();
    const lines = readFileSync((await (await ndjson).path()) ?? '', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toHaveLength(20);
    expect(lines).toContainEqual({ domain: 'books', item: 'b12', attributes: { title: ['Title, "12"'], year: ['2002'] } });
    const csv = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csvText = readFileSync((await (await csv).path()) ?? '', 'utf8');
    expect(csvText.split('\r\n')[0]).toBe('itemName(),title,year');
    expect(csvText).toContain('b12,"Title, ""12""",2002');

    // Reloading the URL runs the same query again; the history remembers it.
    await page.reload();
    await page.getByText('8 items so far').waitFor();
    await expect.poll(() => page.locator('.history li').first().textContent()).toBe("select * from books where year >= '2000' limit 8");

    await editor.fill('select * from books wher year > 1');
    await page.getByRole('button', { name: 'Run' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('InvalidQueryExpression').waitFor();
    expect(await alert.textContent()).toContain('The specified query expression syntax is not valid.');
    expect(await alert.textContent()).toContain('at position 21');
    expect(await alert.locator('mark').textContent()).toBe('wher');
    await shot(page, 'select');
  });

  it('4. traffic: a request made by aws-sdk appears live; filters are in the URL; the timeline marks conflicts and lost responses', async () => {
    await putItems('carts', { c1: { qty: '1' } });
    const page = await open('#/traffic?domain=carts&action=PutAttributes');
    // The first read of the journal is done (nothing matches yet), so what follows arrives live.
    await page.getByText('No requests match yet').waitFor();
    await sdk.putAttributes({ DomainName: 'carts', ItemName: 'c1', Attributes: [{ Name: 'qty', Value: '2', Replace: true }], Expected: { Name: 'qty', Value: '1' } }).promise();
    const entry = page.locator('details.entry', { hasText: 'c1' }).first();
    await entry.waitFor({ timeout: 15_000 });
    await entry.locator('summary').click();
    expect(await entry.locator('pre').first().textContent()).toContain('"Expected.Value": "1"');
    // The filter drops what it does not match, also when it arrives live.
    await sdk.getAttributes({ DomainName: 'carts', ItemName: 'c1' }).promise();
    await page.reload();
    await entry.waitFor();
    expect(await page.locator('details.entry').allTextContents()).not.toContainEqual(expect.stringContaining('GetAttributes'));

    // A lost update: our client read qty=2, aws-sdk wrote 3, our client's conditional write on 2 conflicts.
    await client.send(new GetAttributesCommand({ DomainName: 'carts', ItemName: 'c1', ConsistentRead: true }));
    await sdk.putAttributes({ DomainName: 'carts', ItemName: 'c1', Attributes: [{ Name: 'qty', Value: '3', Replace: true }], Expected: { Name: 'qty', Value: '2' } }).promise();
    await expect(client.send(new PutAttributesCommand({ DomainName: 'carts', ItemName: 'c1', Attributes: [{ Name: 'qty', Value: '3', Replace: true }], Expected: { Name: 'qty', Value: '2' } }))).rejects.toThrow(/Conditional check failed/);
    // And a write whose answer is lost after it committed.
    const rule = emu.control.faults.add({ action: 'PutAttributes', item: 'c1', loseResponse: '503', count: 1 });
    await expect(sdk.putAttributes({ DomainName: 'carts', ItemName: 'c1', Attributes: [{ Name: 'qty', Value: '4', Replace: true }] }).promise()).rejects.toMatchObject({ statusCode: 503 });
    emu.control.faults.remove(rule.id);

    await page.goto(`${emu.url}/_simpledb/console/#/timeline/carts/c1`);
    await page.locator('.timeline svg').waitFor();
    // One lane per client as the analysis tells them apart: aws-sdk v2 by its User-Agent, our client by the id it sends.
    await expect.poll(() => page.locator('.timeline .lane-label').allTextContents()).toEqual([expect.stringMatching(/^aws-sdk-nodejs/), expect.stringMatching(/^auto-[0-9a-f]{8}$/)]);
    expect(await page.locator('.timeline .mark.conflict').count()).toBe(1);
    expect(await page.locator('.timeline .mark.lost').count()).toBe(1);
    expect(await page.locator('.timeline-list li.conflict').textContent()).toMatch(/PutAttributes \(conditional write\) qty=3 if qty=2 → ConditionalCheckFailed — conflict/);
    await shot(page, 'timeline');
    await page.goto(`${emu.url}/_simpledb/console/#/traffic?domain=carts`);
    await page.locator('details.entry.conflict summary').click();
    await shot(page, 'traffic');
  });

  it('5. shape: freezing from the page makes an eventually consistent read stale; fault rules are added and removed', async () => {
    await putItems('shaped', { s: { v: 'old' } });
    const page = await open('#/shape');
    await page.getByRole('button', { name: 'Freeze' }).click();
    await page.getByText(/Mode: frozen/).waitFor();
    expect(emu.control.consistency().mode).toBe('frozen');
    await sdk.putAttributes({ DomainName: 'shaped', ItemName: 's', Attributes: [{ Name: 'v', Value: 'new', Replace: true }] }).promise();
    expect(await attributes('shaped', 's', false)).toEqual({ v: ['old'] });
    expect(await attributes('shaped', 's', true)).toEqual({ v: ['new'] });

    await page.getByLabel('Action').selectOption('GetAttributes');
    await page.getByLabel('Item pattern').fill('s*');
    await page.getByLabel('Effect').selectOption('reset');
    await page.getByLabel('Times').fill('2');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('row', { name: /GetAttributes, item s\*/ }).waitFor();
    expect(emu.control.faults.list()).toMatchObject([{ action: 'GetAttributes', item: 's*', loseResponse: 'reset', count: 2 }]);
    // The console's own reads are never faulted: the item view still loads.
    await shot(page, 'shape');
    const rule = emu.control.faults.list()[0]?.id ?? '';
    await page.getByRole('button', { name: `Remove rule ${rule}` }).click();
    await page.getByText('No fault rules').waitFor();
    expect(emu.control.faults.list()).toEqual([]);
    await page.getByRole('button', { name: 'Thaw' }).click();
    await page.getByText(/Mode: consistent/).waitFor();
    expect(await attributes('shaped', 's', false)).toEqual({ v: ['new'] });
  });

  it('6, 7. every view loads from its URL; usable: labelled controls, keyboard navigation, a narrow window, clear empty and error states, a strict CSP', async () => {
    const page = await open('#/domains/no-such-domain', { width: 390, height: 800 });
    await page.getByRole('alert').getByText('NoSuchDomain').first().waitFor();
    await shot(page, 'narrow-error');
    // No horizontal scrolling of the page itself at phone width.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    const response = await fetch(`${emu.url}/_simpledb/console/`);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'.*style-src 'self'/);
    for (const hash of ['#/domains', '#/select', '#/traffic', '#/shape', '#/domains/catalog/items/lamp']) {
      await page.goto(`${emu.url}/_simpledb/console/${hash}`);
      await page.locator('main section > *:nth-child(2)').waitFor();
      // Evaluated in the page (a string: this file is type-checked without the DOM library).
      const unlabelled = await page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea, button')]
        .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim()))
        .map((el) => el.outerHTML)`);
      expect(unlabelled, hash).toEqual([]);
    }
    // The keyboard reaches the views: skip link first, then the navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Select');
    await page.keyboard.press('Enter');
    await page.getByRole('textbox', { name: /Select expression/ }).waitFor();
    expect(page.url()).toContain('#/select');
    await page.goto(`${emu.url}/_simpledb/console/#/nowhere`);
    await page.getByText('Nothing lives at #/nowhere').waitFor();
  });
});
