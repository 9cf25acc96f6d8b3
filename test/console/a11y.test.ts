// Every console view, in a real browser, has no serious or critical accessibility violation as
// axe-core sees it: with data in it, with a lot of data (about 500 findings), empty, and failing.
// DOCS_IMAGES=1 also re-takes the README's screenshots (docs/images), checked by the same rules.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { as } from '../analyze/support.js';
import { createDomain } from '../support/sync.js';
import { browserSession, SKIP_BROWSER } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS_IMAGES = process.env.DOCS_IMAGES === '1';

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

let axeSource = '';
let emu: Emulator | undefined;

beforeAll(() => {
  if (!SKIP_BROWSER) axeSource = readFileSync(`${ROOT}node_modules/axe-core/axe.min.js`, 'utf8');
});

afterEach(async () => {
  await emu?.close();
  emu = undefined;
});
// Registered after the hook above, so its own after-each runs first (Vitest runs after-hooks in
// reverse): the pages close before their emulator does.
const session = browserSession(/status of [45]\d\d/);

async function open(e: Emulator, hash: string, ready: string): Promise<Page> {
  // bypassCSP only so that axe can be injected as an inline script: the page's own CSP refuses it.
  const page = await session.page({ viewport: { width: 1280, height: 800 }, bypassCSP: true }, true);
  await page.goto(`${e.url}/_simpledb/console/${hash}`);
  // axe checks what is on screen: wait until the view has rendered its data, not a fixed time.
  await page.locator(ready).first().waitFor({ timeout: 10_000 });
  return page;
}

/** axe's serious and critical violations on the page as it is now. */
async function violations(page: Page): Promise<Violation[]> {
  if ((await page.evaluate('typeof axe')) === 'undefined') await page.addScriptTag({ content: axeSource });
  // A string, so this file needs no DOM types; color-contrast is included (the CSS is real).
  const run = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => ({ passes: r.passes.length, violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary),
  })) }))`)) as { passes: number; violations: Violation[] };
  // Rules that passed prove axe ran against the rendered view, not an empty document.
  expect(run.passes).toBeGreaterThan(5);
  const all = run.violations;
  if (process.env.A11Y_VERBOSE) console.log(page.url(), run.passes, all.map((v) => `${v.impact} ${v.id}`));
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function expectAccessible(page: Page, view: string): Promise<void> {
  const found = await violations(page);
  expect(found, `${view}: ${JSON.stringify(found, null, 2)}`).toEqual([]);
}

describe.skipIf(SKIP_BROWSER)('console accessibility (axe-core, serious and critical)', () => {
  it('domains, items (long value, filter form), item, Select results, traffic, timeline and shape with a fault rule', async () => {
    emu = await startEmulator({ port: 0 });
    const e = emu;
    await createDomain(e, 'orders');
    await createDomain(e, 'users');
    const app = as(e, 'checkout');
    // Under SimpleDB's 1024-byte limit, long enough to be folded in the items table.
    const long = 'A delivery note that goes on and on, '.repeat(26).trim();
    for (let i = 1; i <= 12; i++) {
      const status = i % 3 === 0 ? 'shipped' : 'open';
      expect(await app.put('orders', `o${String(i).padStart(3, '0')}`, { status, total: String(10 * i), customer: `c${i % 4}`, ...(i === 2 ? { note: long } : {}) })).toBe(200);
    }
    expect(await as(e, 'support').put('orders', 'o002', { status: 'held' })).toBe(200);
    expect(await as(e, 'billing').get('orders', 'o002', true)).toMatchObject({ status: ['held'] });

    const domains = await open(e, '#/domains', 'a[href="#/domains/orders"]');
    await expectAccessible(domains, '#/domains');

    const items = await open(e, '#/domains/orders', 'text=o012');
    await expectAccessible(items, '#/domains/orders');
    // The filter and sort form in use (its controls hold values), and the confirmation dialog.
    const filtered = await open(e, '#/domains/orders?attr=status&op=%3D&value=open&sort=total&desc=1', 'text=o001');
    expect(await filtered.getByRole('form', { name: 'Filter and sort the items' }).getByLabel('Where attribute').inputValue()).toBe('status');
    await expectAccessible(filtered, '#/domains/orders, filtered and sorted');
    await filtered.getByRole('button', { name: 'Delete all items…' }).click();
    await filtered.getByRole('dialog').waitFor();
    await expectAccessible(filtered, '#/domains/orders, Delete all items dialog');

    const item = await open(e, '#/domains/orders/items/o002', 'text=delivery note');
    await expectAccessible(item, '#/domains/orders/items/o002');
    // The JSON editor's refusal is an error state of its own.
    const json = item.getByRole('form', { name: 'Edit the item as JSON' });
    await json.getByLabel('The item as JSON').fill('not json');
    await json.getByRole('button', { name: 'Save JSON' }).click();
    await item.locator('.notice.error').first().waitFor();
    await expectAccessible(item, '#/domains/orders/items/o002, JSON refused');

    const q = encodeURIComponent("select * from `orders` where status = 'open'");
    const select = await open(e, `#/select?q=${q}&consistent=1`, 'a:text("o001")');
    await expectAccessible(select, '#/select with results');

    const traffic = await open(e, '#/traffic', '.journal .action:text("PutAttributes")');
    await expectAccessible(traffic, '#/traffic');

    const timeline = await open(e, '#/timeline/orders/o002', '.timeline-list li');
    await expectAccessible(timeline, '#/timeline/orders/o002');

    const rule = e.control.faults.add({ action: 'GetAttributes', domain: 'orders', delayMs: 1 });
    const shape = await open(e, '#/shape', `tr[data-rule="${rule.id}"]`);
    await expectAccessible(shape, '#/shape with a fault rule');
  }, 60_000);

  it('findings: about 500 of them from a naive read-then-write pattern on a frozen replica', async () => {
    emu = await startEmulator({ port: 0, journalSize: 10_000 });
    const e = emu;
    await createDomain(e, 'users');
    const setup = as(e, 'setup');
    const N = 250;
    for (let i = 0; i < N; i++) await setup.put('users', `u${i}`, { plan: 'free' });
    e.control.freeze();
    // Per user, an upgrade undone by a client that reads the frozen replica and writes back what it
    // saw: one lost update and one write built on a stale read, two findings per user.
    const clients = ['support', 'sales', 'ops', 'batch', 'mobile'];
    await Promise.all(
      clients.map(async (name, c) => {
        const worker = as(e, name);
        const billing = as(e, `billing-${c}`);
        for (let i = c; i < N; i += clients.length) {
          await billing.put('users', `u${i}`, { plan: 'pro' });
          const seen = await worker.get('users', `u${i}`, false);
          await worker.put('users', `u${i}`, { plan: seen.plan?.[0] ?? '' });
        }
      }),
    );
    const findings = e.control.analyze().findings.length;
    expect(findings).toBeGreaterThanOrEqual(480);
    if (process.env.A11Y_VERBOSE) console.log('findings', findings);

    const page = await open(e, '#/findings', '.group');
    await expectAccessible(page, `#/findings with ${findings} findings`);
  }, 60_000);

  it('empty and error states: no domains, an empty domain, no findings, no such item, a failing analysis, an unknown view', async () => {
    emu = await startEmulator({ port: 0 });
    const e = emu;
    const none = await open(e, '#/domains', 'main .notice');
    await expectAccessible(none, '#/domains, none');

    await createDomain(e, 'empty');
    const empty = await open(e, '#/domains/empty', 'main .notice.empty');
    await expectAccessible(empty, '#/domains/empty');

    const missing = await open(e, '#/domains/empty/items/nobody', 'main .notice');
    await expectAccessible(missing, '#/domains/empty/items/nobody');

    const noDomain = await open(e, '#/domains/nothing_here', 'main .notice.error');
    await expectAccessible(noDomain, '#/domains/nothing_here');

    const badSelect = await open(e, `#/select?q=${encodeURIComponent('select * from nowhere_at_all')}&consistent=1`, 'main .notice.error');
    await expectAccessible(badSelect, '#/select, an error');

    const clean = await open(e, '#/findings', 'main .notice.empty');
    await expectAccessible(clean, '#/findings, none');

    // On the context, so the page opened next sees the refusal from its first request.
    await clean.context().route('**/_simpledb/analysis', (r) => r.fulfill({ status: 400, contentType: 'application/json', body: '{"error":{"message":"bad thresholds"}}' }));
    const failing = await open(e, '#/findings', 'main [role=alert]');
    await expectAccessible(failing, '#/findings, failing');

    const unknown = await open(e, '#/nowhere', 'main [role=alert]');
    await expectAccessible(unknown, '#/nowhere');
  }, 60_000);
});

// Not run by default: it rewrites files under docs/. `DOCS_IMAGES=1 npx vitest run test/console/a11y.test.ts`.
describe.runIf(!SKIP_BROWSER && DOCS_IMAGES)('README screenshots (docs/images, 1280x800)', () => {
  it('console-items.png: a filtered, sorted items page with a folded long value', async () => {
    emu = await startEmulator({ port: 0 });
    const e = emu;
    await createDomain(e, 'catalog');
    const app = as(e, 'shop');
    const note = 'Ships in a padded box; fragile, keep upright, do not stack more than two high, signature on delivery. '.repeat(6).trim();
    for (let i = 0; i < 121; i++) {
      const attrs: Record<string, string> = { n: String(i).padStart(3, '0'), tag: i % 2 ? 'a' : 'b', status: i % 5 ? 'in stock' : 'back order' };
      if (i % 7 === 3) attrs.note = note;
      expect(await app.put('catalog', `item-${String(i).padStart(3, '0')}`, attrs)).toBe(200);
    }
    const page = await open(e, `#/domains/catalog`, 'text=item-003');
    // Filled in through the form, as a user would: the picture shows the form in use.
    const form = page.getByRole('form', { name: 'Filter and sort the items' });
    await form.getByLabel('Where attribute').fill('status');
    await form.getByLabel('Value').fill('in stock');
    await form.getByLabel('Sort by').fill('n');
    await form.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/sort=n/);
    await page.locator('text=item-003').first().waitFor({ timeout: 10_000 });
    await expectAccessible(page, 'items screenshot');
    await page.screenshot({ path: `${ROOT}docs/images/console-items.png` });
  }, 60_000);

  it('console-timeline.png: two clients on one cart, a conflict and a lost response', async () => {
    emu = await startEmulator({ port: 0 });
    const e = emu;
    await createDomain(e, 'carts');
    const web = as(e, 'web-checkout');
    const mobile = as(e, 'mobile-app');
    expect(await web.put('carts', 'c1', { qty: '1' })).toBe(200);
    expect(await web.put('carts', 'c1', { qty: '2' }, { name: 'qty', value: '1' })).toBe(200);
    expect(await web.get('carts', 'c1', true)).toEqual({ qty: ['2'] });
    expect(await mobile.get('carts', 'c1', true)).toEqual({ qty: ['2'] });
    expect(await web.put('carts', 'c1', { qty: '3' }, { name: 'qty', value: '2' })).toBe(200);
    // The mobile app writes from what it read before: refused, a conflict.
    expect(await mobile.put('carts', 'c1', { qty: '3' }, { name: 'qty', value: '2' })).toBe(409);
    // The write is applied but its answer is lost on the way back.
    e.control.faults.add({ action: 'PutAttributes', item: 'c1', loseResponse: '503', count: 1 });
    expect(await web.put('carts', 'c1', { qty: '4' })).toBe(503);
    const page = await open(e, '#/timeline/carts/c1', '.timeline-list li:nth-child(7)');
    await expectAccessible(page, 'timeline screenshot');
    await page.screenshot({ path: `${ROOT}docs/images/console-timeline.png` });
  }, 60_000);
});
