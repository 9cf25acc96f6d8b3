// The console's Findings view: the sync-bug detector's findings in a real browser,
// each linked to its item's timeline, where the requests it names are marked.
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { as, plantStaleReadWrite } from '../analyze/support.js';
import { createDomain } from '../support/sync.js';
import { browserSession, SHOTS, SKIP_BROWSER } from './support.js';

let emu: Emulator | undefined;

afterEach(async () => {
  await emu?.close();
  emu = undefined;
});
// Registered after the hook above, so its own after-each runs first (Vitest runs after-hooks in
// reverse): the pages close before their emulator does.
const session = browserSession(/status of 4\d\d/);

async function open(e: Emulator, hash: string): Promise<Page> {
  const page = await session.page({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${e.url}/_simpledb/console/${hash}`);
  return page;
}

describe.skipIf(SKIP_BROWSER)('console findings', () => {
  it('lists a write built on a stale read, links to the timeline, and marks the requests it names', async () => {
    emu = await startEmulator({ port: 0 });
    await plantStaleReadWrite(emu);
    const stale = emu.control.analyze().findings.find((f) => f.kind === 'stale-read-write');
    expect(stale).toBeDefined();
    const seqs = stale?.seqs ?? [];

    const page = await open(emu, '#/findings');
    const card = page.locator(`.finding[data-finding="${stale?.id}"]`);
    await card.waitFor();
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Findings');
    const text = await card.textContent();
    expect(text).toContain('stale-read-write');
    expect(text).toContain('users / alice (plan)');
    expect(text).toContain('support');
    expect(text).toContain('billing');
    for (const s of seqs) expect(text).toContain(`#${s} `);
    await page.screenshot({ path: `${SHOTS}/findings.png` });

    // Keyboard: the finding's link takes focus and Enter opens the item's timeline.
    // The link's name is its visible text.
    const link = card.getByRole('link', { name: 'Timeline of users / alice (plan)', exact: true });
    expect(await link.textContent()).toBe('Timeline of users / alice (plan)');
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/timeline\/users\/alice$/);
    await expect.poll(() => page.locator('.timeline .mark.flagged').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))).toEqual(expect.arrayContaining(seqs));
    const rows = page.locator('.timeline-list li.flagged');
    for (const s of seqs) expect(await page.locator(`.timeline-list li[data-seq="${s}"]`).textContent()).toContain(`${stale?.id} stale-read-write`);
    // The setup write is named by no finding: not marked.
    expect(await rows.count()).toBeLessThan(await page.locator('.timeline-list li').count());
  }, 20_000);

  it('groups findings by item, attributes and kind, filters them, and pages them twenty groups at a time', async () => {
    emu = await startEmulator({ port: 0, journalSize: 10_000 });
    await createDomain(emu, 'users');
    const setup = as(emu, 'setup');
    for (let i = 0; i < 13; i++) await setup.put('users', `u${i}`, { plan: 'free' });
    emu.control.freeze();
    // Per user, an upgrade undone by a write-back from the frozen replica: one lost update and one stale-read write each.
    for (let i = 0; i < 13; i++) {
      await as(emu, 'billing').put('users', `u${i}`, { plan: 'pro' });
      const support = as(emu, 'support');
      const seen = await support.get('users', `u${i}`, false);
      await support.put('users', `u${i}`, { plan: seen.plan?.[0] ?? '' });
    }
    const a = emu.control.analyze();
    expect(a.groups).toHaveLength(26);

    const page = await open(emu, '#/findings');
    const count = page.locator('.count');
    await expect.poll(() => count.textContent()).toMatch(/^26 groups of 26 findings in \d+ requests \(26 definite, 0 possible anomalies, 0 hot spots\); page 1 of 2\.$/);
    expect(await page.locator('.group').count()).toBe(20);
    expect(await page.locator('.group h2').first().textContent()).toMatch(/^1 lost update on users\/u\d+ plan, clients billing, support; e\.g\. F\d+: #\d+ lost-write \(billing\)/);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => count.textContent()).toMatch(/page 2 of 2\.$/);
    expect(await page.locator('.group').count()).toBe(6);
    await page.locator('select[name=kind]').selectOption('stale-read-write');
    await expect.poll(() => count.textContent()).toMatch(/^13 groups .*page 1 of 1\.$/);
    expect(await page.locator('.group[data-kind="lost-update"]').count()).toBe(0);
    await page.locator('select[name=confidence]').selectOption('possible');
    await expect.poll(() => count.textContent()).toMatch(/^0 groups /);
  }, 30_000);

  it('says no anomalies were found on a clean journal, and shows an error when the analysis fails', async () => {
    emu = await startEmulator({ port: 0 });
    await createDomain(emu, 'users');
    await as(emu, 'a').put('users', 'bob', { n: '1' });
    expect(await as(emu, 'a').get('users', 'bob', true)).toEqual({ n: ['1'] });
    const page = await open(emu, '#/findings');
    await expect.poll(() => page.locator('.notice.empty').textContent()).toMatch(/^No anomalies found in \d+ requests\.$/);
    expect(await page.locator('.finding').count()).toBe(0);

    // The route refuses: the view says so in an alert rather than staying silent.
    await page.route('**/_simpledb/analysis', (r) => r.fulfill({ status: 400, contentType: 'application/json', body: '{"error":{"message":"bad thresholds"}}' }));
    await page.reload();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Cannot run the analysis: 400: bad thresholds/);
  }, 20_000);
});
