/**
 * In-process start and close, in a fresh process so the first start pays what a test file's
 * first `startEmulator` pays (module loading, SQLite's first open). Also start until the first
 * protocol request is answered: what an emulator per test file (Vitest) or per worker (Jest)
 * costs before its first test can run. Prints one JSON line.
 */
import { median } from './stats.js';

export interface InProcessStart {
  importMs: number;
  firstStartMs: number;
  startMs: number;
  closeMs: number;
  /** Median of startEmulator() plus one ListDomains answered through the package's client. */
  startToFirstAnswerMs: number;
  runs: number;
}

const RUNS = 20;
const t0 = performance.now();
const { startEmulator } = await import('../emulator/index.js');
const importMs = performance.now() - t0;
const starts: number[] = [];
const closes: number[] = [];
for (let k = 0; k < RUNS; k++) {
  const t = performance.now();
  const emulator = await startEmulator({ port: 0 });
  starts.push(performance.now() - t);
  const c = performance.now();
  await emulator.close();
  closes.push(performance.now() - c);
}
const { SimpleDBClient, ListDomainsCommand } = await import('../client/index.js');
const answered: number[] = [];
for (let k = 0; k < RUNS; k++) {
  const t = performance.now();
  const emulator = await startEmulator({ port: 0 });
  const client = new SimpleDBClient({ endpoint: emulator.url, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  await client.send(new ListDomainsCommand({}));
  answered.push(performance.now() - t);
  await client.destroy();
  await emulator.close();
}
const out: InProcessStart = {
  importMs,
  firstStartMs: starts[0] ?? Number.NaN,
  startMs: median(starts.slice(1)),
  closeMs: median(closes),
  startToFirstAnswerMs: median(answered),
  runs: RUNS,
};
console.log(JSON.stringify(out));
