/**
 * `simpledb-local/testing/vitest`: a globalSetup for Vitest. In the setup file named by
 * `test.globalSetup`: `export default simpledbGlobalSetup({ ... })`; tests read the URL with
 * `inject('simpledbEndpoint')` or from `process.env.SIMPLEDB_ENDPOINT`.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import type { Emulator, EmulatorOptions } from '../index.js';
import { exploreEndpoint, startOwnEmulator, startSuiteEmulator } from './index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    simpledbEndpoint: string;
  }
}

export function simpledbGlobalSetup(options: EmulatorOptions = {}): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    // Under `simpledb-local explore` the run's emulator is the one to test against.
    const explored = exploreEndpoint();
    if (explored) {
      project.provide('simpledbEndpoint', explored);
      return async () => undefined;
    }
    const emu = await startSuiteEmulator(options);
    project.provide('simpledbEndpoint', emu.url);
    return () => emu.close();
  };
}

/**
 * An emulator of the calling test file's own (in memory, on a free port unless `options` say
 * otherwise), for files that run in parallel and still reset or restore. In a module named by
 * `test.setupFiles`: `await simpledbPerFile()`. It runs before each test file is imported, sets
 * `process.env.SIMPLEDB_ENDPOINT` for that file and closes the emulator after the file's tests.
 */
export async function simpledbPerFile(options: EmulatorOptions = {}): Promise<Emulator> {
  // Imported here, in the test file's worker: the globalSetup above runs in Vitest's main process.
  const { afterAll } = await import('vitest');
  const emu = await startOwnEmulator(options);
  afterAll(() => emu.close());
  return emu;
}
