/**
 * Contention: several processes increment one counter with incrementWithRetry; the total must be
 * exact, with conflicts observed on the way. Workers are forked Node processes running the built
 * client (`npm run build` first; `npm test` does it) against the target over HTTP.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter } from '../../client/index.js';
import { AWS_SUITE_TITLE, DUMMY_CREDENTIALS, LOCAL_SUITE_TITLE, onAws, openTarget, type Target } from '../support/target.js';

const WORKER = fileURLToPath(new URL('./contention-worker.mjs', import.meta.url));
const BUILT_COUNTER = fileURLToPath(new URL('../../dist/client/counter.js', import.meta.url));

/** Smaller on AWS, where a write takes tens of milliseconds and requests cost money. */
const PLAN = onAws
  ? { processes: 3, increments: 10, maxAttempts: 50, baseDelayMs: 50, maxDelayMs: 2_000, timeoutMs: 300_000 }
  : { processes: 8, increments: 200, maxAttempts: 1_000, baseDelayMs: 2, maxDelayMs: 50, timeoutMs: 60_000 };

type WorkerMessage = { type: 'ready' } | { type: 'done'; conflicts: number; ms: number } | { type: 'failed'; message: string };

interface Worker {
  child: ChildProcess;
  /** Resolves at `ready`; rejects if the worker fails or exits first. */
  ready: Promise<void>;
  /** Resolves with the worker's figures once it has sent them and exited with code 0. */
  result: Promise<{ conflicts: number; ms: number }>;
}

function startWorker(job: object): Worker {
  const child = fork(WORKER, [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let done: { conflicts: number; ms: number } | undefined;
  let failure: string | undefined;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('exit', resolve);
    child.once('error', reject);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') resolve();
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

function contentionSuite(): void {
  let target: Target;
  let domain: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    target = await openTarget();
    domain = await target.createDomain('counter-contention');
  }, PLAN.timeoutMs);

  afterAll(async () => {
    // Only after a failure can a worker still be running.
    for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill();
    await target?.close();
  }, PLAN.timeoutMs);

  it(
    `${PLAN.processes} processes × ${PLAN.increments} incrementWithRetry(1) end at exactly ${PLAN.processes * PLAN.increments}`,
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
        maxAttempts: PLAN.maxAttempts,
        baseDelayMs: PLAN.baseDelayMs,
        maxDelayMs: PLAN.maxDelayMs,
      };
      for (let i = 0; i < PLAN.processes; i++) workers.push(startWorker(job));
      // All open the counter first, so that they start contending at the same moment.
      await Promise.all(workers.map((w) => w.ready));
      const started = performance.now();
      for (const { child } of workers) child.send('go');
      const results = await Promise.all(workers.map((w) => w.result));
      const seconds = (performance.now() - started) / 1000;

      const total = PLAN.processes * PLAN.increments;
      const counter = await Counter.open({ client, domain, name });
      expect(counter.value).toBe(total);
      const conflicts = results.reduce((sum, r) => sum + r.conflicts, 0);
      expect(conflicts).toBeGreaterThan(0);
      console.info(
        `contention: ${total} increments by ${PLAN.processes} processes in ${seconds.toFixed(2)} s ` +
          `(${Math.round(total / seconds)}/s), ${conflicts} conflicts (${(conflicts / total).toFixed(2)} per increment), ` +
          `per process: ${results.map((r) => r.conflicts).join(' ')}`,
      );
    },
  );
}

describe.skipIf(onAws)(LOCAL_SUITE_TITLE, contentionSuite);
describe.skipIf(!onAws)(AWS_SUITE_TITLE, contentionSuite);
