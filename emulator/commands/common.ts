import { rmSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { ControlInputError } from '../core/input.js';
import type { SimpleDBClient } from '../../client/client.js';
import { Store } from '../store/store.js';

/**
 * A parser shared with the control API and startEmulator(), reported the commander way: one line
 * naming the flag. The parsers name their setting as the routes spell it (`journalMaxBytes: …`);
 * commander's message already names the flag, so only the reason is given.
 */
export function cliCheck<T>(parse: (v: string) => T): (v: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof ControlInputError ? err.reason : (err as Error).message);
    }
  };
}

/** Commands run in the server's process: they exit with their own code instead of falling through to it. */
export function runCommand(name: string, work: () => Promise<number>, failure = 1): Promise<never> {
  return work().then(
    (code) => exitAfterOutput(code),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      const hint = err instanceof Error && CREDENTIAL_CODES.has(err.name) ? ` (${err.name}: ${CREDENTIALS_HINT})` : '';
      process.stderr.write(`simpledb-local ${name}: ${message}${hint}\n`);
      return exitAfterOutput(failure);
    },
  );
}

/** The service's answers to a key it does not know or a signature it cannot check. */
const CREDENTIAL_CODES = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'AuthFailure', 'AuthMissingFailure']);
const CREDENTIALS_HINT =
  'the endpoint checks signatures; the key pair comes from the standard AWS chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE';

/** Waits until what was written to stdout is handed to the OS, so that a pipe reader gets it all. */
async function exitAfterOutput(code: number): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

/**
 * A client for any SimpleDB endpoint: this emulator, another one, or AWS. Credentials come from
 * the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, SSO, roles). The
 * client and its HTTP library load here, when a command needs them: the server never does, and
 * importing them cost it about 190 ms of its start (docs/performance.md).
 */
export async function endpointClient(url: string): Promise<SimpleDBClient> {
  let endpoint: URL;
  try {
    endpoint = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
  const { SimpleDBClient } = await import('../../client/client.js');
  return new SimpleDBClient({ endpoint, maxAttempts: 5 });
}

/** commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** SQLite's errors ("unable to open database file", "attempt to write a readonly database") name no file. */
export function namingDatabase(err: unknown, path: string): unknown {
  const sqlite = err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('SQLITE_');
  return sqlite && !err.message.includes(path) ? new Error(`--db ${path}: ${err.message}`, { cause: err }) : err;
}

/** A database file of this emulator, opened (created if missing) with the path in any error. */
export function openDatabase(path: string): Store {
  try {
    return new Store(path);
  } catch (err) {
    if (!(err instanceof Error) || err.message.includes(path)) throw err;
    throw new Error(`--db ${path}: ${err.message}`, { cause: err });
  }
}

/** A database file and SQLite's companions of it (write-ahead log, shared memory, rollback journal). */
export function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}
