// `simpledb-local explore` end to end: the built CLI runs small user test scripts (boto3, and this
// package's client) under schedules, finds the broken ones, prints a replay command that
// reproduces the failure, leaves the correct ones alone, and kills what a command leaves behind.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { explore } from '../../emulator/testing/index.js';
import { exploreReport } from '../../emulator/testing/exploreReport.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(HERE, '../../dist/emulator/cli.js');
const BOTO_COUNTER = join(HERE, 'naive_counter.py');
const NODE_COUNTER = join(HERE, 'naive-counter.mjs');
const OWN_EMULATOR = join(HERE, 'own-emulator.mjs');
const BULK = join(HERE, 'bulk.mjs');
const work = mkdtempSync(join(tmpdir(), 'sdb-explore-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function hasBoto3(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Running, as opposed to gone or a zombie (an orphan's zombie waits for PID 1 here, which may never reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

let dirs = 0;
/** The CLI in a directory of its own (its files go to ./simpledb-explore there). */
function cli(args: readonly string[], cwd = mkdirFresh()): Promise<Ran & { cwd: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd, timeout: 240_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      done({ code, stdout, stderr, cwd });
    });
  });
}

function mkdirFresh(): string {
  return mkdtempSync(join(work, `${++dirs}-`));
}

/** The replay command the summary prints first, split into its replay file and command. */
function firstReplay(stdout: string): { file: string; command: string[] } {
  const m = /replay: simpledb-local explore --replay (\S+) -- (.+)$/m.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return { file: m?.[1] ?? '', command: (m?.[2] ?? '').split(' ') };
}

// The runs of the boto3 suites spend most of their time asleep: boto3 backs off before each retry
// of a throttled or lost request (up to seconds), and latency faults hold responses. Every suite but
// the last runs side by side (consecutive concurrent suites run as one group), each explore in a
// directory and on emulators of its own, so that one's sleep overlaps another's work instead of
// adding to the file's time.
describe('explore finds a naive read-modify-write counter failing, and the replay reproduces it', { timeout: 180_000, concurrent: true }, () => {
  it.skipIf(!hasBoto3())('boto3', async () => {
    const found = await cli(['explore', '--runs', '20', '--stop-at-first', '--shrink-runs', '3', '--seed', '1', '--', '/usr/bin/python3', BOTO_COUNTER]);
    expect(found.code, found.stderr).toBe(1);
    expect(found.stdout).toMatch(/^explore: \d+ runs, 1 failed/);
    expect(found.stdout).toContain('test failed');
    const { file, command } = firstReplay(found.stdout);
    expect(command).toEqual(['/usr/bin/python3', BOTO_COUNTER]);
    const replay = JSON.parse(readFileSync(file, 'utf8')) as { format: number; schedule: { consistency: string } };
    expect(replay.format).toBe(1);
    expect(replay.schedule.consistency).toBe('eventual');

    const again = await cli(['explore', '--replay', file, '--runs', '3', '--', ...command], found.cwd);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/^replayed 3 times: failed 3 of 3/);
  });

  it("this package's client", async () => {
    const found = await cli(['explore', '--runs', '20', '--stop-at-first', '--shrink-runs', '2', '--seed', '2', '--', process.execPath, NODE_COUNTER]);
    expect(found.code, found.stderr).toBe(1);
    const { file, command } = firstReplay(found.stdout);
    const again = await cli(['explore', '--replay', file, '--runs', '3', '--', ...command], found.cwd);
    expect(again.stdout).toMatch(/^replayed 3 times: failed 3 of 3/);
  });
});

// Runs with retries and backoff take seconds each on a busy machine: these tests get minutes.
describe('what must not fail', { timeout: 180_000, concurrent: true }, () => {
  it.skipIf(!hasBoto3())('the counter written with conditional writes passes every run, under stale reads and latency', async () => {
    const ran = await cli(['explore', '--runs', '3', '--seed', '3', '--faults', 'latency:0.2', '--', '/usr/bin/python3', BOTO_COUNTER, 'conditional']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^explore: 3 runs, 0 failed/);
  });
});

describe('lost responses', { timeout: 180_000, concurrent: true }, () => {
  it.skipIf(!hasBoto3())('a retry that applies a write twice is caught only when lost responses are in the mix', async () => {
    const args = ['explore', '--runs', '2', '--seed', '4', '--consistency', 'consistent', '--shrink-runs', '0'];
    // Both at once: the throttled runs are mostly boto3's backoff sleeps.
    const [throttled, lost] = await Promise.all([
      cli([...args, '--faults', 'throttle:0.3', '--', '/usr/bin/python3', BOTO_COUNTER, 'conditional']),
      cli([...args, '--faults', 'lost:0.3', '--', '/usr/bin/python3', BOTO_COUNTER, 'conditional']),
    ]);
    expect(throttled.code, throttled.stdout).toBe(0);
    expect(lost.code, lost.stdout).toBe(1);
    expect(lost.stdout).toMatch(/lost \d+%/);
  });
});

describe('explore() from code', { concurrent: true }, () => {
  it('returns the runs as data, each with its schedule and verdict', async () => {
    const dir = mkdirFresh();
    const result = await explore({ command: [process.execPath, NODE_COUNTER], runs: 2, seed: 5, shrinkRuns: 0, dir });
    expect(result.runs.map((r) => [r.index, r.failed, r.exitCode])).toEqual([
      [1, true, 1],
      [2, true, 1],
    ]);
    expect(result.runs[0]?.schedule).toMatchObject({ seed: 5, consistency: 'eventual', faults: [] });
    expect(result.runs[0]?.requests).toBeGreaterThan(20);
    expect(result.groups.map((g) => g.symptom)).toContain('test failed');
    expect(existsSync(result.runs[0]?.files?.journal ?? '')).toBe(true);
  });

  it("a failing run's kept journal opens in a new emulator (console, journal routes, analysis), read-only, before new requests", async () => {
    const dir = mkdirFresh();
    const result = await explore({ command: [process.execPath, NODE_COUNTER], runs: 1, seed: 8, shrinkRuns: 0, dir });
    const journal = result.runs[0]?.files?.journal ?? '';
    const before = readFileSync(journal, 'utf8');
    const viewer = await startEmulator({ port: 0, openJournal: journal });
    try {
      const entries = viewer.control.journal();
      expect(entries).toHaveLength(result.runs[0]?.requests ?? -1);
      const page = (await (await fetch(`${viewer.url}/_simpledb/journal?limit=5&item=c`)).json()) as { entries: { seq: number }[] };
      expect(page.entries).toHaveLength(5);
      await fetch(`${viewer.url}/?Action=ListDomains&Version=2009-04-15`);
      const last = viewer.control.journal().at(-1);
      expect(last?.action).toBe('ListDomains');
      expect(last?.seq).toBeGreaterThan(entries.at(-1)?.seq ?? Infinity);
      expect(viewer.control.analyze().requests).toBe(entries.length + 1);
    } finally {
      await viewer.close();
    }
    expect(readFileSync(journal, 'utf8')).toBe(before);
  });

  it("analyses the emulators a command starts itself (the kit's per-worker and per-file set-ups) under the run's schedule", async () => {
    const dir = mkdirFresh();
    const result = await explore({ command: [process.execPath, OWN_EMULATOR], runs: 1, seed: 6, shrinkRuns: 0, dir });
    const run = result.runs[0];
    // The command exits 0 and sends nothing to the run's emulator: only its own emulator's
    // journal, analysed, can fail the run, and only stale reads (the run's schedule) make it lose.
    expect(run?.exitCode).toBe(0);
    expect(run?.symptoms).toEqual([expect.stringMatching(/^lost-update on counters\/c \(n\)/)]);
    expect(run?.requests).toBeGreaterThanOrEqual(22);
    expect(readFileSync(run?.files?.journal ?? '', 'utf8')).toBe('');
    expect(run?.files?.emulatorJournals).toHaveLength(1);
    expect(readFileSync(run?.files?.emulatorJournals[0] ?? '', 'utf8').trim().split('\n')).toHaveLength(run?.requests ?? 0);
    // The report shows that emulator's requests, apart from the run's own (none here).
    expect(exploreReport(result, [process.execPath, OWN_EMULATOR])).toContain('<h4>emulator 1: counters/c</h4>');
    const consistent = await explore({ command: [process.execPath, OWN_EMULATOR], runs: 1, space: { consistency: 'consistent' }, shrinkRuns: 0, dir });
    expect(consistent.runs[0]).toMatchObject({ failed: false, symptoms: [] });
  });

  it('analyses every request of a run, however much it wrote (the in-memory journal keeps 16 MB)', async () => {
    // The naive counter loses updates (seed 6), then 10 MB of batches follow (bulk.mjs); the command exits 0,
    // so only the analysis can fail the run. Before, the run's journal was the emulator's ring:
    // the counter's 23 requests had left it, and the run passed.
    const dir = mkdirFresh();
    const script = `"${process.execPath}" "${NODE_COUNTER}"; "${process.execPath}" "${BULK}"; exit 0`;
    const result = await explore({ command: ['/bin/sh', '-c', script], runs: 1, seed: 6, shrinkRuns: 0, dir });
    const run = result.runs[0];
    expect(run?.exitCode).toBe(0);
    expect(run?.requests).toBe(23 + 41);
    expect(run?.symptoms).toEqual([expect.stringMatching(/^lost-update on counters\/c \(n\)/)]);
    expect(readFileSync(run?.files?.journal ?? '', 'utf8').trim().split('\n')).toHaveLength(64);
  });

  it("keeps the run's journal readable by the command's own tests (the journal route)", async () => {
    // A test that asserts on the journal, as docs/sync.md shows: it must see its requests under explore too.
    const script = [
      "const url = process.env.SIMPLEDB_ENDPOINT;",
      "const post = (body) => fetch(url + '/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });",
      "await post('Action=CreateDomain&Version=2009-04-15&DomainName=journalled');",
      "const { entries } = await (await fetch(url + '/_simpledb/journal')).json();",
      "process.exit(entries.some((e) => e.action === 'CreateDomain' && e.domain === 'journalled') ? 0 : 1);",
    ].join('\n');
    const result = await explore({ command: [process.execPath, '--input-type=module', '-e', script], runs: 1, shrinkRuns: 0, dir: mkdirFresh() });
    expect(result.runs[0]).toMatchObject({ exitCode: 0, failed: false, requests: 1 });
  });

  it('ends a run when its command exits, though a process it left behind holds the output open', async () => {
    // A test script that starts a server with `&` and exits: its exit status is the verdict, at
    // once, and the server goes with the run. Before, the run waited for the pipes to close and
    // was reported as timed out.
    const dir = mkdirFresh();
    const pidFile = join(dir, 'pid');
    const script = (status: number) => `sleep 60 & echo $! > ${pidFile}; echo started; exit ${status}`;
    const failing = await explore({ command: ['/bin/sh', '-c', script(1)], runs: 1, timeoutMs: 60_000, shrinkRuns: 0, dir });
    expect(failing.runs[0]).toMatchObject({ timedOut: false, exitCode: 1, symptoms: ['exit 1'], output: 'started\n' });
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    const passing = await explore({ command: ['/bin/sh', '-c', script(0)], runs: 1, timeoutMs: 60_000, shrinkRuns: 0, dir });
    expect(passing.runs[0]).toMatchObject({ timedOut: false, exitCode: 0, failed: false });
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });
});

describe('the command line', { concurrent: true }, () => {
  it('refuses a fault kind it does not know, with exit 2 and one line', async () => {
    const ran = await cli(['explore', '--faults', 'bogus:0.1', '--', 'true']);
    expect(ran.code).toBe(2);
    expect(ran.stderr.trim().split('\n')).toHaveLength(1);
    expect(ran.stderr).toContain('fault kind "bogus"');
  });

  it('exits 2, not 1 (a failing run), when the command cannot be started or the replay file cannot be read', async () => {
    const missing = await cli(['explore', '--runs', '1', '--', 'no-such-command-for-explore']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot run no-such-command-for-explore');
    const cwd = mkdirFresh();
    const notReplay = join(cwd, 'package.json');
    writeFileSync(notReplay, '{"name": "not a replay"}');
    const replay = await cli(['explore', '--replay', notReplay, '--', 'true'], cwd);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain('not a replay file of simpledb-local explore');
  });

  it("shows the last lines a failing command printed, and keeps them beside its replay", async () => {
    // A test that fails on its own (here: every time, whatever the schedule), as a user's typo
    // would: the summary must say why without a replay. 30 lines, a long one, characters of two,
    // three and four bytes, and one of them cut between two writes a tenth of a second apart.
    const script = [
      "const split = Buffer.from('split 🙂 end\\n');",
      "require('node:fs').writeSync(1, split.subarray(0, 8));",
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);',
      "require('node:fs').writeSync(1, split.subarray(8));",
      "const lines = Array.from({ length: 29 }, (_, i) => 'line ' + (i + 1) + ' é€🙂');",
      "process.stdout.write(lines.join('\\n') + '\\n');",
      "process.stderr.write('x'.repeat(300) + ' <img src=x onerror=alert(1)>\\n');",
      'process.exit(3);',
    ].join('\n');
    const cwd = mkdirFresh();
    const ran = await cli(['explore', '--runs', '1', '--consistency', 'consistent', '--shrink-runs', '0', '--seed', '2', '--', process.execPath, '-e', script], cwd);
    expect(ran.code, ran.stderr).toBe(1);
    const out = ran.stdout;
    expect(out).toContain('run 1 failed: exit 3');
    expect(out).toContain('it fails with every read consistent and no fault injected');
    const file = join(cwd, 'simpledb-explore', 'run-1.output.txt');
    expect(out).toContain(`the last 12 lines run 1 printed; its last 4 kB: ${file}:`);
    expect(out).toContain('      | line 19 é€🙂\n');
    expect(out).not.toContain('line 18 ');
    expect(out).toContain(`      | ${'x'.repeat(200)}…\n`);
    expect(readFileSync(file, 'utf8')).toContain('split 🙂 end\nline 1 é€🙂\n');
    expect(readFileSync(file, 'utf8')).toContain(`${'x'.repeat(300)} <img src=x onerror=alert(1)>\n`);
  });

  it('says so when a failing command printed nothing', async () => {
    const ran = await cli(['explore', '--runs', '1', '--consistency', 'consistent', '--shrink-runs', '0', '--', process.execPath, '-e', 'process.exit(4)']);
    expect(ran.code, ran.stderr).toBe(1);
    expect(ran.stdout).toContain('run 1 failed: exit 4');
    expect(ran.stdout).toContain('    run 1 printed nothing\n');
  });

  it('writes a self-contained report of the failing runs', async () => {
    const cwd = mkdirFresh();
    const ran = await cli(['explore', '--runs', '1', '--shrink-runs', '0', '--seed', '6', '--report', 'report.html', '--', process.execPath, NODE_COUNTER], cwd);
    expect(ran.code).toBe(1);
    const html = readFileSync(join(cwd, 'report.html'), 'utf8');
    expect(html).toContain('<h2 id="run-1">Run 1</h2>');
    expect(html).toContain('counters/c');
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
  });
});

// Last and alone: the command has half a second to start and write its pid before the timeout
// kills it, which a machine busy with this file's other runs should not decide.
describe('explore() from code, with nothing beside it', () => {
  it('kills the whole process group of a command that runs past its timeout', async () => {
    const dir = mkdirFresh();
    const pidFile = join(dir, 'pid');
    const result = await explore({
      command: ['/bin/sh', '-c', `sleep 60 & echo $! > ${pidFile}; wait`],
      runs: 1,
      timeoutMs: 500,
      shrinkRuns: 0,
      dir,
    });
    expect(result.runs[0]).toMatchObject({ timedOut: true, failed: true, symptoms: ['timed out'] });
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });
});
