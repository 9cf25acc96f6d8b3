import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LaunchOptions } from 'playwright-core';

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

/**
 * The page is compiled TypeScript served from dist/; compiled here too, so the tests always
 * run the page of the sources they sit beside, with or without a prior `npm run build`.
 */
export function buildPage(): void {
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}emulator/console/app/tsconfig.json`], { stdio: 'inherit' });
  cpSync(`${ROOT}emulator/console/static`, `${ROOT}dist/emulator/console/static`, { recursive: true });
  mkdirSync(SHOTS, { recursive: true });
}
