// `simpledb-local analyze JOURNAL_FILE [--json]` over a --journal file an emulator wrote: the exit
// status a CI job acts on (0 clean, 1 anomalies, 2 bad input). Runs the built CLI (`npm run build`).
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../emulator/sync/analyze/index.js';
import { startEmulator } from '../../emulator/index.js';
import { createDomain } from '../support/sync.js';
import { as } from './support.js';

const CLI = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));

function analyzeCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'analyze', ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
let buggy: string;
let clean: string;

/** One run of the frozen stale-read scenario (buggy) or of the same writes read consistently (clean), journalled to a file. */
async function record(file: string, consistentRead: boolean): Promise<void> {
  const emu = await startEmulator({ port: 0, journal: file });
  try {
    await createDomain(emu, 'users');
    await as(emu, 'setup').put('users', 'alice', { plan: 'free' });
    emu.control.freeze();
    await as(emu, 'billing').put('users', 'alice', { plan: 'pro' });
    const support = as(emu, 'support');
    const seen = await support.get('users', 'alice', consistentRead);
    await support.put('users', 'alice', { plan: seen.plan?.[0] ?? '', note: 'checked' });
  } finally {
    await emu.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sdb-analyze-'));
  buggy = join(dir, 'buggy.ndjson');
  clean = join(dir, 'clean.ndjson');
  await record(buggy, false);
  await record(clean, true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(CLI))('simpledb-local analyze', () => {
  it('exits 1 and names the findings when the journal holds anomalies', async () => {
    const r = await analyzeCli(buggy);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Analysed 5 requests from \d+ clients/);
    expect(r.stdout).toMatch(/^2 definite anomalies, 0 possible anomalies, 0 hot spots\.$/m);
    // The summary leads, one line per item, attribute and kind, with its first evidence chain.
    expect(r.stdout).toMatch(/^Summary:\n {2}1 lost update on users\/alice plan, clients billing, support; e\.g\. F\d: #3 lost-write \(billing\) → #5 overwrite \(support\)/m);
    // Judged per attribute: the read missed a change of plan only.
    expect(r.stdout).toMatch(/F\d stale-read-write \(anomaly, definite\)\s+users\/alice \[plan\]\s+seq 3, 4, 5/);
    expect(r.stdout).toMatch(/lost-update \(anomaly, definite\)\s+users\/alice \[plan\]/);
  });

  it('possible anomalies are shown with their reason and exit 0; --strict makes them fail', async () => {
    // An older journal: no record of what reads returned, so no write can be proved built on one.
    const older = join(dir, 'older.ndjson');
    const lines = readFileSync(buggy, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { read?: { returned?: unknown } });
    for (const e of lines) delete e.read?.returned;
    writeFileSync(older, lines.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const r = await analyzeCli(older);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0 definite anomalies, 2 possible anomalies, 0 hot spots\.$/m);
    expect(r.stdout).toMatch(/lost-update \(anomaly, possible\)[^\n]*\n[^\n]*\n {3}Possible only: the journal does not say what read #4 returned\./);
    expect((await analyzeCli(older, '--strict')).code).toBe(1);
  });

  it('exits 0 on a clean journal', async () => {
    const r = await analyzeCli(clean);
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('No anomalies found.')]);
  });

  it('--json prints the analysis the control API returns', async () => {
    const r = await analyzeCli(buggy, '--json');
    expect(r.code).toBe(1);
    const a = JSON.parse(r.stdout) as Analysis;
    expect(a).toMatchObject({ format: 1, requests: 5, runs: 1, summary: { anomalies: 2, possible: 0, 'stale-read-write': 1, 'lost-update': 1 } });
    expect(a.groups.map((g) => [g.kind, g.confidence, g.attributes, g.findings.length])).toEqual([
      ['lost-update', 'definite', ['plan'], 1],
      ['stale-read-write', 'definite', ['plan'], 1],
    ]);
    expect(a.findings.find((f) => f.kind === 'stale-read-write')?.clients).toEqual(['support', 'billing']);
  });

  it('a file appended by two runs is analysed run by run', async () => {
    const both = join(dir, 'both.ndjson');
    writeFileSync(both, readFileSync(buggy, 'utf8').repeat(2));
    const a = JSON.parse((await analyzeCli(both, '--json')).stdout) as Analysis;
    expect(a.runs).toBe(2);
    expect(a.findings.map((f) => f.run)).toEqual([1, 1, 2, 2]);
  });

  it('exits 2 on bad input, with a one-line reason', async () => {
    const garbage = join(dir, 'garbage.ndjson');
    writeFileSync(garbage, '{"seq":1,"action":null,"params":{},"code":"Success"}\nnot json\n');
    const notJournal = join(dir, 'other.ndjson');
    writeFileSync(notJournal, '{"hello":"world"}\n');
    const cases = [
      [[join(dir, 'missing.ndjson')], /ENOENT/],
      [[garbage], /garbage\.ndjson:2: not JSON/],
      [[notJournal], /other\.ndjson:1: no "seq" number/],
      [[buggy, '--storm-rate', '2'], /^simpledb-local analyze: --storm-rate: a number from 0 to 1\n$/],
      [[buggy, '--storm-min-writes', '1e99'], /^simpledb-local analyze: --storm-min-writes: a whole number from 1 to 1000000000\n$/],
      [[buggy, '--no-such-flag'], /unknown option/],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => analyzeCli(...args)));
    results.forEach((r, i) => {
      const [args, reason] = cases[i] ?? [[], /^$/];
      expect([r.code, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(reason)]);
    });
  });
});

describe.skipIf(!existsSync(CLI))('simpledb-local analyze: a long report', () => {
  /** `n` lost updates, on items named with lone surrogates, markup and NUL, as a --journal file holds them. */
  function lostUpdates(n: number): string {
    const lines: string[] = [];
    let seq = 0;
    for (let i = 0; i < n; i++) {
      const item = `<b>item ${i}</b> \ud800 \u0000 "${i}"`;
      const base = { action: 'GetAttributes', code: 'Success', applied: true };
      for (const client of ['a', 'b']) {
        seq++;
        lines.push(JSON.stringify({ ...base, seq, order: seq, client, connection: seq, params: { Action: 'GetAttributes', DomainName: 'd', ItemName: item }, read: { consistentRead: false, stale: false, returned: { items: [{ name: item, attributes: { n: ['0'] } }] } } }));
      }
      for (const client of ['a', 'b']) {
        seq++;
        const params = { Action: 'PutAttributes', DomainName: 'd', ItemName: item, 'Attribute.1.Name': 'n', 'Attribute.1.Value': '1', 'Attribute.1.Replace': 'true' };
        lines.push(JSON.stringify({ seq, order: seq, client, connection: seq, action: 'PutAttributes', code: 'Success', applied: true, params }));
      }
    }
    return lines.join('\n') + '\n';
  }

  let long: string;
  beforeAll(() => {
    long = join(dir, 'long.ndjson');
    writeFileSync(long, lostUpdates(600));
  });

  it('--json writes, piece by piece, exactly the bytes of the analysis as one JSON text', async () => {
    const r = await analyzeCli(long, '--json');
    expect(r.code).toBe(1);
    const analysis = JSON.parse(r.stdout) as Analysis;
    expect(analysis.summary['lost-update']).toBe(600);
    expect(r.stdout.length).toBeGreaterThan(256 << 10);
    expect(r.stdout).toBe(JSON.stringify(analysis, null, 2) + '\n');
  });

  it.skipIf(!existsSync('/dev/full'))('exits 2 with one line when the report cannot be written (a full disk: /dev/full)', async () => {
    for (const args of [[long], [long, '--json']]) {
      const full = openSync('/dev/full', 'w');
      try {
        const child = spawn(process.execPath, [CLI, 'analyze', ...args], { stdio: ['ignore', full, 'pipe'] });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        const [code] = (await once(child, 'exit')) as [number | null];
        expect([code, stderr], args.join(' ')).toEqual([2, expect.stringMatching(/^simpledb-local analyze: cannot write the report: ENOSPC[^\n]*\n$/)]);
      } finally {
        closeSync(full);
      }
    }
  });

  it('stops quietly when its reader does (`| head`), with the status of what it found', async () => {
    for (const args of [[long], [long, '--json']]) {
      const child = spawn(process.execPath, [CLI, 'analyze', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // The first piece read, the reader goes away: the rest of the report meets a closed pipe.
      await once(child.stdout, 'data');
      child.stdout.destroy();
      const [code] = (await once(child, 'exit')) as [number | null];
      expect([code, stderr], args.join(' ')).toEqual([1, '']);
    }
  });
});
