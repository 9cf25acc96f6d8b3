/**
 * Contention: several processes increment one counter with incrementWithRetry and its default
 * budget; the total must be exact, no worker may give up, and conflicts must be seen on the way.
 * Locally with CPU hogs beside it, one per core of this 2-core machine: the budget must hold on a
 * saturated machine, where every round trip is slower. (Alone, it takes 35-40 s then; without the
 * hogs it would prove less and take 14 s.) Workers are forked Node processes running the built
 * client (`npm run build` first; `npm test` does it) against the target over HTTP.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Counter } from '../../client/index.js';
import { CEILING_MS, progress } from '../support/progress.js';
import { AWS_SUITE_TITLE, DUMMY_CREDENTIALS, LOCAL_SUITE_TITLE, onAws, openTarget, type Target } from '../support/target.js';

const WORKER = fileURLToPath(new URL('./contention-worker.mjs', import.meta.url));
const BUILT_COUNTER = fileURLToPath(new URL('../../dist/client/counter.js', import.meta.url));

/** Smaller on AWS, where a write takes tens of milliseconds and requests cost money; no hogs there. */
const PLAN = onAws
  ? { processes: 3, increments: 10, hogs: 0, timeoutMs: 300_000 }
  : { processes: 8, increments: 200, hogs: 2, timeoutMs: CEILING_MS };

/**
 * A process that spins a core until `ms` have passed, so that it ends by itself even if the test
 * process dies before it can kill it.
 */
const HOG = 'for (const end = Date.now() + Number(process.argv[1]); Date.now() < end; );';

interface WorkerResult {
  conflicts: number;
  /** Attempts of the increment that needed the most. */
  maxAttempts: number;
  /** Duration of the slowest increment. */
  maxIncrementMs: number;
  ms: number;
}

type WorkerMessage = { type: 'ready' } | { type: 'progress' } | ({ type: 'done' } & WorkerResult) | { type: 'failed'; message: string };

interface Worker {
  child: ChildProcess;
  /** Resolves at `ready`; rejects if the worker fails or exits first. */
  ready: Promise<void>;
  /** Resolves with the worker's figures once it has sent them and exited with code 0. */
  result: Promise<WorkerResult>;
}

function startWorker(job: object, onProgress: () => void = () => {}): Worker {
  const child = fork(WORKER, [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let done: WorkerResult | undefined;
  let failure: string | undefined;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('exit', resolve);
    child.once('error', reject);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'progress') onProgress();
      else if (message.type === 'done') done = message;
      else failure = message.message;
    });
    exited.then(() => reject(new Error(`worker exited before it was ready: ${failure ?? 'no message'}`)), reject);
  });
  const result = exited.then((code) => {
    if (code !== 0 || done === undefined) throw new Error(`worker ${child.pid} failed (exit code ${code}): ${failure ?? 'no result'}`);
    return done;
  });
  // Both are awaited by the test; these keep an early failure from being reported as unhandled.
  ready.catch(() => undefined);
  result.catch(() => undefined);
  return { child, ready, result };
}

/**
 * At the lowest priority: a core nothing else wants stays busy, so the machine is saturated when
 * this test runs alone, while in the suite, whose other files saturate it already, the hogs take
 * almost nothing from them.
 */
async function startHog(ms: number): Promise<ChildProcess> {
  const hog = spawn(process.execPath, ['-e', HOG, String(ms)], { stdio: 'ignore' });
  await once(hog, 'spawn');
  if (hog.pid !== undefined) setPriority(hog.pid, 19);
  return hog;
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

function contentionSuite(): void {
  let target: Target;
  let domain: string;
  /** Every process a test started; all are ended after it, whatever happened. */
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    target = await openTarget();
    domain = await target.createDomain('counter-contention');
  }, PLAN.timeoutMs);

  afterEach(async () => {
    const left = children.splice(0).filter(running);
    await Promise.all(
      left.map((child) => {
        const exited = once(child, 'exit');
        child.kill();
        return exited;
      }),
    );
  });

  afterAll(async () => {
    await target?.close();
  }, PLAN.timeoutMs);

  const { hogs } = PLAN;
  it(
    `${PLAN.processes} processes × ${PLAN.increments} incrementWithRetry(1) end at exactly ${PLAN.processes * PLAN.increments}` +
      (hogs === 0 ? '' : `, beside ${hogs} CPU hogs`),
    { timeout: PLAN.timeoutMs },
    async () => {
      expect(existsSync(BUILT_COUNTER), 'dist/client/counter.js is missing: run `npm run build` first').toBe(true);
      const client = target.client();
      const name = 'contended';
      await Counter.create({ client, domain, name, initial: 0 });
      const job = {
        endpoint: onAws ? undefined : target.endpoint,
        credentials: onAws ? undefined : DUMMY_CREDENTIALS,
        domain,
        name,
        increments: PLAN.increments,
      };
      // The budget is progress, not time: on a loaded machine the run is slow but increments keep
      // finishing; the test fails once none has for a minute (CEILING_MS caps the whole).
      const increments = progress('contention (increments)');
      const workers: Worker[] = [];
      for (let i = 0; i < PLAN.processes; i++) {
        const worker = startWorker(job, increments.tick);
        children.push(worker.child);
        workers.push(worker);
      }
      // All open the counter first, so that they start contending at the same moment.
      await Promise.all(workers.map((w) => w.ready));
      // Hogs end by themselves after five minutes even if this process dies before it can kill them.
      for (let i = 0; i < hogs; i++) children.push(await startHog(300_000));
      const started = performance.now();
      for (const { child } of workers) child.send('go');
      const results = await increments.watch(Promise.all(workers.map((w) => w.result)));
      const seconds = (performance.now() - started) / 1000;

      const total = PLAN.processes * PLAN.increments;
      const counter = await Counter.open({ client, domain, name });
      expect(counter.value).toBe(total);
      const conflicts = results.reduce((sum, r) => sum + r.conflicts, 0);
      expect(conflicts).toBeGreaterThan(0);
      console.info(
        `contention${hogs === 0 ? '' : ` beside ${hogs} CPU hogs`}: ${total} increments by ${PLAN.processes} processes in ` +
          `${seconds.toFixed(2)} s (${Math.round(total / seconds)}/s), ${conflicts} conflicts (${(conflicts / total).toFixed(2)} per increment), ` +
          `at most ${Math.max(...results.map((r) => r.maxAttempts))} attempts and ` +
          `${(Math.max(...results.map((r) => r.maxIncrementMs)) / 1000).toFixed(2)} s for one increment; ` +
          `conflicts per process: ${results.map((r) => r.conflicts).join(' ')}`,
      );
    },
  );
}

describe.skipIf(onAws)(LOCAL_SUITE_TITLE, contentionSuite);
describe.skipIf(!onAws)(AWS_SUITE_TITLE, contentionSuite);
