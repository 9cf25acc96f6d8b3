/**
 * The web console's first page of a 100,000-item domain: from navigation to the
 * 100th row drawn in Debian's chromium, median of several loads, against the same page fetched
 * by a Select through our client (its baseline, measured in the same run). The page costs
 * more than the Select alone: loading its modules, DomainMetadata, parsing XML, building rows.
 *
 * `npm run bench:console` runs it alone; `npm run bench` includes it. Skipped without chromium.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SelectCommand, SimpleDBClient } from '../client/index.js';
import { spawnEmulator } from './children.js';
import { load, post } from './load.js';
import { markdownTable, ms, num, ratio, type Row } from './report.js';
import { median } from './stats.js';
import { BATCH_ITEMS, batchPutBody, createDomainBody, DOMAIN, itemRange } from './workload.js';

const CHROMIUM = '/usr/bin/chromium';
const ROUNDS = process.env.BENCH_QUICK === '1' ? 3 : 9;
/** A Select without LIMIT answers 100 items: the page's first page. */
const PAGE_ROWS = 100;

export async function consoleFirstPage(items: number): Promise<Row[]> {
  const measurement = `Console: first page of a ${num(items)}-item domain drawn in chromium, median of ${ROUNDS}`;
  if (!existsSync(CHROMIUM)) return [{ measurement, result: `skipped: no ${CHROMIUM} (apt-get install chromium)` }];
  const { chromium } = await import('playwright-core');
  const server = await spawnEmulator();
  try {
    await post(server.url, createDomainBody());
    const batches = items / BATCH_ITEMS;
    const bodies = Array.from({ length: batches }, (_, k) => batchPutBody(itemRange(BATCH_ITEMS * k, BATCH_ITEMS), false));
    let next = 0;
    await load({ url: server.url, connections: 8, seconds: 600, amount: batches, nextBody: () => bodies[next++] ?? '' });

    const client = new SimpleDBClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'x' } });
    const select = async () => {
      const t = performance.now();
      const out = await client.send(new SelectCommand({ SelectExpression: `select * from \`${DOMAIN}\``, ConsistentRead: true }));
      if (out.Items?.length !== PAGE_ROWS) throw new Error(`Select answered ${out.Items?.length} items`);
      return performance.now() - t;
    };
    await select();
    const selectMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) selectMs.push(await select());

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const pageMs: number[] = [];
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const url = `${server.url}/_simpledb/console/#/domains/${DOMAIN}`;
      // One warm-up load, as the client had one: both then run with warm caches.
      for (let i = 0; i <= ROUNDS; i++) {
        const page = await context.newPage();
        const t = performance.now();
        await page.goto(url);
        await page.locator('table.items tbody tr').nth(PAGE_ROWS - 1).waitFor({ timeout: 60_000 });
        if (i > 0) pageMs.push(performance.now() - t);
        // The figures come after the page; waiting for them keeps this load's DomainMetadata
        // (a count over the whole domain) out of the next load's time.
        await page.locator('p.meta', { hasText: 'items' }).waitFor({ timeout: 60_000 });
        await page.close();
      }
    } finally {
      await browser.close();
    }
    const page = median(pageMs);
    const baseline = median(selectMs);
    return [{ measurement, result: ms(page), baseline: `Select of the same page through the client: ${ms(baseline)}`, ratio: ratio(page / baseline) }];
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(markdownTable(await consoleFirstPage(process.env.BENCH_QUICK === '1' ? 10_000 : 100_000)));
}
