/**
 * What one explore run costs beyond the test itself: the same command (this repository's naive
 * counter written with the package's client) run against an emulator that is already running,
 * against the same command as one explore run (a fresh emulator, fault rules, the command, the
 * analysis of its journal, the emulator closed). Rounds alternate. Run alone with
 * `node dist/bench/explore.js [rounds]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startEmulator } from '../emulator/index.js';
import { endpointEnv, explore } from '../emulator/testing/explore.js';
import { ms, ratio, type Row } from './report.js';
import { median } from './stats.js';

const COUNTER = fileURLToPath(new URL('../../test/explore/naive-counter.mjs', import.meta.url));

function runAgainst(url: string): Promise<number> {
  const t = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [COUNTER], { stdio: 'ignore', env: { ...process.env, ...endpointEnv(url) } });
    child.once('error', fail);
    child.once('close', () => done(performance.now() - t));
  });
}

export async function exploreOverhead(rounds: number): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-explore-'));
  const plain: number[] = [];
  const explored: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      // A fresh emulator each time (the command creates its domain), started before the clock runs.
      const emu = await startEmulator({ port: 0, consistency: 'eventual', maxStalenessWrites: 3, seed: i, journalSize: 100_000 });
      try {
        plain.push(await runAgainst(emu.url));
      } finally {
        await emu.close();
      }
      const t = performance.now();
      await explore({ command: [process.execPath, COUNTER], runs: 1, seed: i, shrinkRuns: 0, dir, space: { staleness: { unit: 'writes', min: 3, max: 3 } } });
      explored.push(performance.now() - t);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const a = median(explored);
  const b = median(plain);
  return {
    rows: [
      {
        measurement: `explore: one run of a 23-request test (median of ${rounds}): fresh emulator + command + analysis`,
        result: ms(a),
        baseline: `the command against a running emulator: ${ms(b)}`,
        ratio: ratio(a / b),
      },
    ],
    raw: { explored, plain },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { rows } = await exploreOverhead(Number(process.argv[2] ?? 9));
  for (const r of rows) console.log(`${r.measurement}: ${r.result}; ${r.baseline}; ratio ${r.ratio}`);
}
