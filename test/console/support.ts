import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type LaunchOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** Debian's chromium package: the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

export const LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

/**
 * Without chromium the browser tests skip with the command that installs it; in CI they must
 * run, so a missing browser fails them there instead.
 */
export const SKIP_BROWSER = !existsSync(CHROMIUM) && !process.env.CI;
if (SKIP_BROWSER) console.warn(`console tests skipped: ${CHROMIUM} is missing; install it with: apt-get install chromium`);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHOTS = `${ROOT}test-results/console`;

const CONSOLE_SOURCES = ['emulator/console/app', 'emulator/console/static'];

/** The files outside the app's folder that its tsconfig compiles into the page, as its `include` names them. */
function sharedSources(): string[] {
  const config = JSON.parse(readFileSync(`${ROOT}emulator/console/app/tsconfig.json`, 'utf8')) as { include: string[] };
  return config.include.filter((f) => !f.includes('*')).map((f) => relative(ROOT, resolve(`${ROOT}emulator/console/app`, f)));
}

/** True when some output of the page is missing or older than the newest of its sources. */
function pageIsStale(): boolean {
  const sources = [
    ...CONSOLE_SOURCES.flatMap((dir) => readdirSync(`${ROOT}${dir}`).map((f) => `${dir}/${f}`)),
    ...sharedSources(),
  ];
  const newest = Math.max(...sources.map((f) => statSync(`${ROOT}${f}`).mtimeMs));
  const outputs = sources
    .filter((f) => f.endsWith('.ts') || f.startsWith('emulator/console/static/'))
    .map((f) => `${ROOT}dist/${f.replace(/\.ts$/, '.js')}`);
  return outputs.some((f) => !existsSync(f) || statSync(f).mtimeMs < newest);
}

/**
 * The page is compiled TypeScript served from dist/; compiled here when its sources changed since
 * the last build, so the tests always run the page of the sources they sit beside, with or
 * without a prior `npm run build` (which `npm test` runs: then there is nothing to do).
 */
export function buildPage(): void {
  mkdirSync(SHOTS, { recursive: true });
  if (!pageIsStale()) return;
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}emulator/console/app/tsconfig.json`], { stdio: 'inherit' });
  cpSync(`${ROOT}emulator/console/static`, `${ROOT}dist/emulator/console/static`, { recursive: true });
}

/**
 * One browser for a file's tests, and the hooks each console test needs: after every test its
 * contexts are closed and its pages must have reported no script error and no CSP violation.
 * Console errors about an HTTP status that `allowed` matches are left out: the views show those.
 */
export function browserSession(allowed: RegExp): {
  /** A page watched for errors, in a new context, or with `reuse` in the test's last one. */
  page(options: BrowserContextOptions, reuse?: boolean): Promise<Page>;
} {
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  let errors: string[] = [];
  beforeAll(async () => {
    if (SKIP_BROWSER) return;
    buildPage();
    browser = await chromium.launch(LAUNCH);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
    expect(errors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async page(options, reuse = false) {
      if (!browser) throw new Error('no browser: the session launches it in beforeAll');
      let context = reuse ? contexts.at(-1) : undefined;
      if (!context) contexts.push((context = await browser.newContext(options)));
      const page = await context.newPage();
      errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && !allowed.test(m.text())) errors.push(m.text());
      });
      return page;
    },
  };
}
