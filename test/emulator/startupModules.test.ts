// The server needs neither the typed client (and its HTTP library) nor the data tools: the CLI's
// subcommands load them when they run, so `simpledb-local` starts without paying for them
// (docs/performance.md, the cold start); and the data commands load no server at all. A resolve
// hook logs every module the process loads.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));
const RECORD = fileURLToPath(new URL('../fixtures/loads/record.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sdb-loads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI with `args` under the hook; `serve`: wait for the listening line, answer one request, stop. */
async function loadedBy(name: string, args: string[], serve: boolean): Promise<string[]> {
  const log = join(dir, `${name}.log`);
  const child = spawn(process.execPath, ['--import', RECORD, CLI, ...args], { env: { ...process.env, LOADS_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.resume();
  const exited = once(child, 'exit');
  try {
    if (serve) {
      const [line] = (await Promise.race([once(createInterface({ input: child.stdout }), 'line'), exited.then(() => [''])])) as [string];
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      expect(url, `first line: ${line}`).toBeDefined();
      const res = await fetch(`${url}/?Action=ListDomains&Version=2009-04-15`);
      expect(res.status).toBe(200);
      await res.text();
      child.kill('SIGTERM');
    } else child.stdout.resume();
    await exited;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const CLIENT = /\/client\/client\.js$/;
const UNDICI = /\/node_modules\/undici\//;
const DATA_TOOLS = /\/emulator\/data\/(export|mirror)\.js$/;
/** What serving needs and the data commands do not: the emulator's entry point and its HTTP stack. */
const SERVER = /\/emulator\/index\.js$|\/node_modules\/(express|pino)\//;

describe('what the CLI loads', () => {
  it('serving requests loads neither the client, nor undici, nor the export and mirror tools', async () => {
    const loaded = await loadedBy('serve', ['--port', '0', '--log-level', 'warn'], true);
    expect(loaded.some((u) => u.endsWith('/emulator/cli.js'))).toBe(true);
    expect(loaded.filter((u) => CLIENT.test(u) || UNDICI.test(u) || DATA_TOOLS.test(u))).toEqual([]);
  });

  it('a data command loads no server: neither the emulator, nor Express, nor pino', async () => {
    // `import` into a new file reads a fixture and writes a database: nothing listens.
    const fixture = join(dir, 'one.ndjson');
    writeFileSync(fixture, '{"domain":"users"}\n');
    const loaded = await loadedBy('import', ['import', '--db', join(dir, 'import.db'), fixture], false);
    expect(loaded.some((u) => u.endsWith('/emulator/data/import.js'))).toBe(true);
    expect(loaded.filter((u) => SERVER.test(u))).toEqual([]);
  });

  it('a command that needs the client loads it when it runs', async () => {
    // Nothing listens on port 9: the export fails, after loading what it needs.
    const loaded = await loadedBy('export', ['export', '--endpoint', 'http://127.0.0.1:9'], false);
    expect(loaded.some((u) => CLIENT.test(u))).toBe(true);
    expect(loaded.some((u) => DATA_TOOLS.test(u))).toBe(true);
  });
});
