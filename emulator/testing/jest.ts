/**
 * `simpledb-local/testing/jest`: Jest's globalSetup and globalTeardown. Jest runs both in one
 * context before and after all workers, so the handle passes between them on globalThis; the
 * workers, started after the setup, inherit SIMPLEDB_ENDPOINT from its environment.
 */
import type { Emulator, EmulatorOptions } from '../index.js';
import { exploreEndpoint, startSuiteEmulator } from './index.js';

const HANDLE = Symbol.for('simpledb-local.testing.jest');
type Holder = { [HANDLE]?: Emulator };

export function simpledbGlobalSetup(options: EmulatorOptions = {}): () => Promise<void> {
  return async () => {
    const holder = globalThis as Holder;
    await holder[HANDLE]?.close();
    // Under `simpledb-local explore` the run's emulator is the one to test against.
    if (exploreEndpoint()) return;
    holder[HANDLE] = await startSuiteEmulator(options);
  };
}

export async function simpledbGlobalTeardown(): Promise<void> {
  const holder = globalThis as Holder;
  const emu = holder[HANDLE];
  delete holder[HANDLE];
  await emu?.close();
}
