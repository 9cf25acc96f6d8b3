// Each runner integration of `simpledb-local/testing` proven the way a user meets it: a tiny real
// project of that runner (test/kit/projects/*) run as a child process against the built package.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const project = (name: string) => fileURLToPath(new URL(`./projects/${name}/`, import.meta.url));
const run = promisify(execFile);

interface Outcome {
  code: number;
  output: string;
}

async function runProject(file: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd,
      env: { ...process.env, SIMPLEDB_ENDPOINT: '', CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
      encoding: 'utf8',
      timeout: 90_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'simpledb-kit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The endpoint the project's tests saw, after the run: nothing may listen there any more. */
async function expectClosed(report: string): Promise<void> {
  const url = readFileSync(report, 'utf8');
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await expect(fetch(`${url}/_simpledb/health`)).rejects.toThrow();
}

// Each test runs a test runner in a child process (up to 90 s): slow on a loaded machine, not stuck.
describe('test-runner kit', { timeout: 120_000 }, () => {
  // projects/vitest run plainly (globalSetup starts one emulator, the tests reach it, the teardown
  // closes it) is checked once, by test/package/install.test.ts with the packed package installed:
  // a child Vitest costs seconds of CPU, and both runs checked the same.
  it('vitest under `simpledb-local explore`: the globalSetup uses each run\'s emulator and starts none', async () => {
    const dir = project('vitest');
    const { code, output } = await runProject(
      process.execPath,
      [`${root}dist/emulator/cli.js`, 'explore', '--runs', '1', '--consistency', 'consistent', '--shrink-runs', '0', '--json', '--',
        process.execPath, `${root}node_modules/vitest/vitest.mjs`, 'run', '--root', dir, '--config', `${dir}vitest.config.mjs`],
      { KIT_REPORT: join(scratch, 'vitest-explore') },
    );
    expect(code, output).toBe(0);
    const result = JSON.parse(output.slice(output.indexOf('{'), output.indexOf('\n}\n') + 2)) as { runs: { requests: number; output: string }[] };
    expect(result.runs[0]?.output).toMatch(/Tests\s+4 passed \(4\)/);
    expect(result.runs[0]?.requests).toBeGreaterThan(3);
  });

  it('vitest, an emulator per file, under `simpledb-local explore`: each file keeps its own, and the run counts their requests', async () => {
    // Before, the files' own emulators were invisible to the run: 0 requests analysed.
    const dir = project('vitest-per-file');
    const report = join(scratch, 'per-file-explore');
    const { code, output } = await runProject(
      process.execPath,
      [`${root}dist/emulator/cli.js`, 'explore', '--runs', '1', '--shrink-runs', '0', '--json', '--dir', join(scratch, 'explore-per-file'), '--',
        process.execPath, `${root}node_modules/vitest/vitest.mjs`, 'run', '--root', dir, '--config', `${dir}vitest.config.mjs`],
      { KIT_REPORT: report },
    );
    expect(code, output).toBe(0);
    const result = JSON.parse(output.slice(output.indexOf('{'), output.indexOf('\n}\n') + 2)) as { runs: { requests: number; output: string; symptoms: string[] }[] };
    expect(result.runs[0]?.output).toMatch(/Tests\s+4 passed \(4\)/);
    expect(result.runs[0]?.symptoms).toEqual([]);
    expect(new Set(readFileSync(report, 'utf8').trim().split('\n')).size).toBe(2);
    expect(result.runs[0]?.requests).toBeGreaterThan(10);
  });

  it('vitest, an emulator per file: files in parallel, each resetting its own; every one closed afterwards', async () => {
    const dir = project('vitest-per-file');
    const report = join(scratch, 'per-file');
    const { code, output } = await runProject(process.execPath, [
      'node_modules/vitest/vitest.mjs', 'run', '--root', dir, '--config', `${dir}vitest.config.mjs`,
    ], { KIT_REPORT: report });
    expect(output).toMatch(/Tests\s+4 passed \(4\)/);
    expect(code, output).toBe(0);
    const urls = readFileSync(report, 'utf8').trim().split('\n');
    expect(new Set(urls).size).toBe(2);
    for (const url of urls) await expect(fetch(`${url}/_simpledb/health`)).rejects.toThrow();
  });

  it('jest: the command docs/testing.md shows, with Jest\'s default worker count: one emulator, files that reset and restore', async () => {
    const dir = project('jest');
    const { code, output } = await runProject('npx', ['jest'], {
      NODE_OPTIONS: '--experimental-vm-modules',
      KIT_REPORT: join(scratch, 'jest'),
    }, dir);
    expect(output).toMatch(/Tests:\s+5 passed, 5 total/);
    expect(code, output).toBe(0);
    await expectClosed(join(scratch, 'jest'));
  });

  it('jest, an emulator per worker (--maxWorkers=2): a file that resets beside one that restores, each worker on its own emulator, all closed afterwards', async () => {
    const dir = project('jest-per-worker');
    const report = join(scratch, 'jest-per-worker');
    // A cache of its own: with earlier timings of fast files Jest would run them in band, in one worker.
    const { code, output } = await runProject('npx', ['jest', '--maxWorkers=2', `--cacheDirectory=${join(scratch, 'jest-cache')}`], {
      NODE_OPTIONS: '--experimental-vm-modules',
      KIT_REPORT: report,
    }, dir);
    expect(output).toMatch(/Tests:\s+10 passed, 10 total/);
    expect(code, output).toBe(0);
    const seen = readFileSync(report, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string, string]);
    expect(seen.map(([file]) => file).sort()).toEqual(['resets', 'restores']);
    // One emulator per worker id: two files in two workers saw two emulators; in one worker, one.
    const byWorker = new Map(seen.map(([, worker, url]) => [worker, url]));
    expect(new Set(seen.map(([, , url]) => url)).size).toBe(byWorker.size);
    for (const url of byWorker.values()) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await expect(fetch(`${url}/_simpledb/health`)).rejects.toThrow();
    }
  });

  it('jest, an emulator per worker, under `simpledb-local explore`: each worker keeps its own emulator, with the run\'s schedule, and the run counts their requests', async () => {
    // Before, every worker was pointed at the run's one emulator: the file that resets wiped the
    // data of the file that restores, and 7 of 10 tests failed under explore only.
    const dir = project('jest-per-worker');
    const report = join(scratch, 'jest-per-worker-explore');
    const explored = join(scratch, 'explore-runs');
    const { code, output } = await runProject(
      process.execPath,
      [`${root}dist/emulator/cli.js`, 'explore', '--runs', '1', '--shrink-runs', '0', '--json', '--dir', explored, '--',
        'npx', 'jest', '--maxWorkers=2', `--cacheDirectory=${join(scratch, 'jest-cache-explore')}`],
      { NODE_OPTIONS: '--experimental-vm-modules', KIT_REPORT: report },
      dir,
    );
    expect(code, output).toBe(0);
    const result = JSON.parse(output.slice(output.indexOf('{'), output.indexOf('\n}\n') + 2)) as { runs: { requests: number; output: string; symptoms: string[] }[] };
    expect(result.runs[0]?.output).toMatch(/Tests:\s+10 passed, 10 total/);
    expect(result.runs[0]?.symptoms).toEqual([]);
    const seen = readFileSync(report, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string, string]);
    const byWorker = new Map(seen.map(([, worker, url]) => [worker, url]));
    expect(new Set(seen.map(([, , url]) => url)).size).toBe(byWorker.size);
    // Every request the files sent went to the workers' emulators, and the run counted them.
    expect(result.runs[0]?.requests).toBeGreaterThanOrEqual(seen.length * 3);
  });

  const python = ['/usr/bin/python3', 'python3'].find(
    (exe) => spawnSync(exe, ['-c', 'import pytest, boto3'], { stdio: 'ignore' }).status === 0,
  );
  // Each way docs/testing.md offers to launch the emulator, from a project that has the package in
  // node_modules (a link to this checkout, as `npm install ../simpledb-local` makes).
  const launches: [string, Record<string, string>][] = [
    ['the default: node and the package\'s CLI, found from the project', {}],
    ['SIMPLEDB_LOCAL_COMMAND="npx --no-install simpledb-local"', { SIMPLEDB_LOCAL_COMMAND: 'npx --no-install simpledb-local' }],
    ['SIMPLEDB_LOCAL_COMMAND="node …/dist/emulator/cli.js"', { SIMPLEDB_LOCAL_COMMAND: `node ${root}dist/emulator/cli.js` }],
  ];
  it.skipIf(python === undefined).each(launches)(
    'pytest conftest, %s: the session\'s emulator and its launcher are gone afterwards (needs: apt-get install python3-pytest python3-boto3)',
    async (_label, env) => {
      const dir = userProject();
      for (const file of ['conftest.py', 'test_users.py']) copyFileSync(join(project('pytest'), file), join(dir, file));
      const marker = `kit-${process.pid}-${Math.random().toString(36).slice(2)}`;
      const report = join(dir, 'endpoint.txt');
      const { code, output } = await runProject(python ?? 'python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', dir], {
        ...env,
        KIT_REPORT: report,
        KIT_MARKER: marker,
      }, dir);
      expect(output).toMatch(/3 passed/);
      expect(code, output).toBe(0);
      await expectClosed(report);
      expect(processesWith(marker)).toEqual([]);
    },
  );

  it.skipIf(python === undefined)('pytest conftest under `simpledb-local explore`: the unchanged project tests against each run\'s emulator', async () => {
    const dir = userProject();
    for (const file of ['conftest.py', 'test_users.py']) copyFileSync(join(project('pytest'), file), join(dir, file));
    const { code, output } = await runProject(
      process.execPath,
      [`${root}dist/emulator/cli.js`, 'explore', '--runs', '2', '--consistency', 'consistent', '--shrink-runs', '0', '--json', '--',
        python ?? 'python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', dir],
      {},
      dir,
    );
    expect(code, output).toBe(0);
    // stdout (the JSON, pretty-printed) comes first, explore's progress lines on stderr after it.
    const result = JSON.parse(output.slice(output.indexOf('{'), output.indexOf('\n}\n') + 2)) as { runs: { failed: boolean; requests: number; output: string }[] };
    expect(result.runs.map((r) => r.failed)).toEqual([false, false]);
    // The tests' requests reached explore's emulators, not one the fixture started.
    for (const run of result.runs) {
      expect(run.output).toMatch(/3 passed/);
      expect(run.requests).toBeGreaterThan(3);
    }
  });

  it.skipIf(python === undefined)('pytest conftest: a failed start reports the emulator\'s own stderr', async () => {
    const dir = userProject();
    for (const file of ['conftest.py', 'test_users.py']) copyFileSync(join(project('pytest'), file), join(dir, file));
    const { code, output } = await runProject(python ?? 'python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-x', dir], {
      SIMPLEDB_LOCAL_COMMAND: `node ${root}dist/emulator/cli.js --db ${join(dir, 'no-such-dir', 'x.db')}`,
    }, dir);
    expect(code).not.toBe(0);
    expect(output).toContain('simpledb-local exited with 1 before it was ready:');
    expect(output).toContain('simpledb-local: cannot start: --db');
  });
});

describe('launchers stop the emulator with them', { timeout: 120_000 }, () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('npm start, signalled by its own pid only (%s): node exits too', async (signal) => {
    const marker = `start-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const npm = spawn('npm', ['start', '--silent', '--', '--port', '0'], {
      cwd: root,
      env: { ...process.env, KIT_MARKER: marker, SIMPLEDB_LOCAL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: npm.stdout });
      let url = '';
      for await (const line of lines) {
        const m = /listening on (\S+)/.exec(line);
        if (m) {
          url = m[1] as string;
          break;
        }
      }
      expect(url).toMatch(/^http:/);
      expect(processesWith(marker).some((p) => p.includes('dist/emulator/cli.js'))).toBe(true);
      const exited = once(npm, 'exit');
      npm.kill(signal);
      await exited;
      // node stops on its own signal, a moment after npm: bounded wait for its process to go.
      for (let k = 0; k < 100 && processesWith(marker).length > 0; k++) await new Promise((r) => setTimeout(r, 50));
      expect(processesWith(marker)).toEqual([]);
      await expect(fetch(`${url}/_simpledb/health`)).rejects.toThrow();
    } finally {
      for (const p of processesWith(marker)) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
    }
  });
});

/** An empty project with simpledb-local in node_modules (a link, and its bin), as an install makes. */
function userProject(): string {
  const dir = mkdtempSync(join(scratch, 'project-'));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'simpledb-local'));
  symlinkSync('../simpledb-local/dist/emulator/cli.js', join(dir, 'node_modules', '.bin', 'simpledb-local'));
  writeFileSync(join(dir, 'package.json'), '{"name":"user-project","private":true}\n');
  return dir;
}

/** Live processes (zombies aside) whose environment holds `marker`: what a run left behind. */
function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker)) {
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}`);
      }
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}
