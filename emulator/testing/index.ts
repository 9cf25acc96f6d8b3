/**
 * `simpledb-local/testing`: what a test suite needs around one shared emulator. The runner
 * integrations (./vitest.ts, ./jest.ts) start it; the helpers here reach it by its URL, so they
 * work the same from a test worker, a child process or another language's runner.
 */
import { startEmulator, type Emulator, type EmulatorOptions } from '../index.js';
import { writeFileAtomically } from '../data/snapshotFile.js';
import { ENDPOINT_ENV, EXPLORE_ENV, startExploredEmulator } from './explore.js';

export { ENDPOINT_ENV, EXPLORE_ENV };


/** The emulator of the explore run this process is part of, if it is part of one. */
export function exploreEndpoint(): string | undefined {
  const url = process.env[ENDPOINT_ENV];
  return process.env[EXPLORE_ENV] === '1' && url ? url : undefined;
}

/** One emulator for a whole test run: on a free port of 127.0.0.1 unless told otherwise. */
export async function startSuiteEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, ...options });
  process.env[ENDPOINT_ENV] = emu.url;
  return emu;
}

/**
 * An emulator of a worker's or a file's own. Under `simpledb-local explore` it takes the run's
 * schedule and journals where the run analyses it: files that reset in parallel keep their own
 * stores there too, instead of sharing the run's emulator and wiping each other's data.
 */
export async function startOwnEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = (await startExploredEmulator(options)) ?? (await startEmulator({ port: 0, ...options }));
  process.env[ENDPOINT_ENV] = emu.url;
  return emu;
}

export interface ControlOptions {
  /** Default: `process.env.SIMPLEDB_ENDPOINT`. */
  endpoint?: string;
  /** When the emulator checks signatures, its control routes want one of its key pairs (HTTP Basic). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A control route refused the request; the message is the emulator's own. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/**
 * Per-test isolation against a running emulator: drop everything, or return to a snapshot taken
 * after the suite's set-up (cheaper than running the set-up again).
 */
export interface TestControl {
  readonly endpoint: string;
  /** Drops every domain (only the caller's account, when the emulator isolates accounts). */
  reset(): Promise<void>;
  /** Captures the whole store under `name`, replacing an older snapshot of that name. */
  snapshot(name: string): Promise<void>;
  restore(name: string): Promise<void>;
  dropSnapshot(name: string): Promise<void>;
  /**
   * Writes a snapshot file (docs/data.md) of the emulator's state now, or of snapshot `name`, to
   * `path`: a fixture state to keep or share, which `startEmulator({ loadSnapshot })`,
   * `simpledbGlobalSetup({ loadSnapshot })` or `--load-snapshot` start from.
   */
  saveSnapshot(path: string, name?: string): Promise<void>;
}

export function testControl(options: ControlOptions = {}): TestControl {
  const endpoint = options.endpoint ?? process.env[ENDPOINT_ENV];
  if (endpoint === undefined || endpoint === '') {
    throw new Error(`no emulator to talk to: pass { endpoint } or set ${ENDPOINT_ENV} (the kit's globalSetup does)`);
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.credentials) {
    const { accessKeyId, secretAccessKey } = options.credentials;
    headers.authorization = `Basic ${Buffer.from(`${accessKeyId}:${secretAccessKey}`).toString('base64')}`;
  }
  const call = async (method: string, path: string, body?: unknown): Promise<string> => {
    const res = await fetch(new URL(`/_simpledb/${path}`, endpoint), {
      method,
      headers,
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
    if (res.ok) return res.text();
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // Not JSON: the emulator's text is still the best explanation there is.
    }
    throw new ControlError(res.status, `${method} /_simpledb/${path}: ${res.status} ${message}`);
  };
  const name = (n: string) => encodeURIComponent(n);
  const done = () => undefined;
  return {
    endpoint,
    reset: () => call('POST', 'reset').then(done),
    snapshot: (n) => call('POST', 'snapshots', { name: n }).then(done),
    restore: (n) => call('POST', `snapshots/${name(n)}/restore`).then(done),
    dropSnapshot: (n) => call('DELETE', `snapshots/${name(n)}`).then(done),
    saveSnapshot: async (path, n) => {
      const text = await call('GET', `snapshots/file${n === undefined ? '' : `?name=${name(n)}`}`);
      await writeFileAtomically(path, text);
    },
  };
}

let prefixes = 0;

/**
 * A domain-name prefix no other test file of this run uses, for suites that share one emulator
 * without resetting it: `${domainPrefix('users')}accounts`. Domain names allow [a-zA-Z0-9_.-].
 */
export function domainPrefix(label = 't'): string {
  const clean = label.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 40) || 't';
  prefixes += 1;
  return `${clean}_${process.pid}_${prefixes}_${Date.now().toString(36)}_`;
}

export { explore, type ExploreOptions, type ExploreResult, type FailureGroup, type RunResult, type Schedule } from './explore.js';
export type { Emulator, EmulatorOptions };
