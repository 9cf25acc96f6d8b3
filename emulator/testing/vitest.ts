/**
 * `simpledb-local/testing/vitest`: a globalSetup for Vitest. In the setup file named by
 * `test.globalSetup`: `export default simpledbGlobalSetup({ ... })`; tests read the URL with
 * `inject('simpledbEndpoint')` or from `process.env.SIMPLEDB_ENDPOINT`.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import type { EmulatorOptions } from '../index.js';
import { exploreEndpoint, startSuiteEmulator } from './index.js';

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
