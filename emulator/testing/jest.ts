/**
 * `simpledb-local/testing/jest`: Jest's globalSetup and globalTeardown. Jest runs both in one
 * context before and after all workers, so the handles pass between them on globalThis; the
 * workers, started after the setup, inherit the endpoints from its environment.
 *
 * One emulator for the run (the default), or with `perWorker: true` one per Jest worker: the set-up
 * starts as many as Jest will run workers and publishes each as SIMPLEDB_ENDPOINT_WORKER_<n>; in
 * a worker, `simpledbWorkerEndpoint()` (a `setupFiles` module) points SIMPLEDB_ENDPOINT at the
 * worker's own. A worker runs its files one at a time, so files may reset and restore freely.
 */
import type { Emulator, EmulatorOptions } from '../index.js';
import { ENDPOINT_ENV, exploreEndpoint, startOwnEmulator, startSuiteEmulator } from './index.js';

const HANDLE = Symbol.for('simpledb-local.testing.jest');
type Holder = { [HANDLE]?: Emulator[] };

/** The variable that holds worker `n`'s endpoint (Jest numbers its workers from 1: JEST_WORKER_ID). */
export const workerEndpointEnv = (n: number | string): string => `${ENDPOINT_ENV}_WORKER_${n}`;

export interface JestSetupOptions extends EmulatorOptions {
  /**
   * An emulator per Jest worker, each in memory on a free port, so that files that reset or
   * restore run in parallel under Jest's default worker count. Needs `simpledbWorkerEndpoint()` in
   * a `setupFiles` module. Default false: one emulator that every worker shares.
   */
  perWorker?: boolean;
}

/** What Jest passes a globalSetup: its resolved configuration (only the worker count is read). */
interface JestGlobalConfig {
  maxWorkers?: number;
}

export function simpledbGlobalSetup(options: JestSetupOptions = {}): (globalConfig?: JestGlobalConfig) => Promise<void> {
  const { perWorker = false, ...emulatorOptions } = options;
  return async (globalConfig) => {
    const holder = globalThis as Holder;
    await closeAll(holder);
    // Under `simpledb-local explore` the run's emulator is the one to test against; with perWorker,
    // each worker's own takes the run's schedule (startOwnEmulator).
    if (exploreEndpoint() && !perWorker) return;
    if (!perWorker) {
      holder[HANDLE] = [await startSuiteEmulator(emulatorOptions)];
      return;
    }
    if (emulatorOptions.db !== undefined && emulatorOptions.db !== ':memory:') {
      throw new Error(`perWorker: every worker's emulator is in memory; db: ${emulatorOptions.db} would be one file they all share`);
    }
    const started: Emulator[] = [];
    holder[HANDLE] = started;
    for (let n = 1; n <= workerCount(globalConfig); n++) {
      const emu = await startOwnEmulator(emulatorOptions);
      started.push(emu);
      process.env[workerEndpointEnv(n)] = emu.url;
    }
    // Run in band (--runInBand, one test file), Jest's only "worker" is 1: the first emulator.
    process.env[ENDPOINT_ENV] = started[0]?.url;
  };
}

function workerCount(globalConfig: JestGlobalConfig | undefined): number {
  const n = globalConfig?.maxWorkers;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * In a `setupFiles` module of a `perWorker` run: SIMPLEDB_ENDPOINT becomes this worker's own
 * emulator, for `testControl()` and clients built from the variable. Returns the URL.
 */
export function simpledbWorkerEndpoint(): string {
  const worker = process.env.JEST_WORKER_ID ?? '1';
  const url = process.env[workerEndpointEnv(worker)];
  if (url === undefined || url === '') {
    throw new Error(`no ${workerEndpointEnv(worker)}: start the emulators with simpledbGlobalSetup({ perWorker: true }) as Jest's globalSetup`);
  }
  process.env[ENDPOINT_ENV] = url;
  return url;
}

async function closeAll(holder: Holder): Promise<void> {
  const emulators = holder[HANDLE] ?? [];
  delete holder[HANDLE];
  await Promise.all(emulators.map((e) => e.close()));
}

export async function simpledbGlobalTeardown(): Promise<void> {
  await closeAll(globalThis as Holder);
}
