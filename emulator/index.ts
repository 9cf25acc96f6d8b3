import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino, type Logger } from 'pino';
import { DEFAULT_LIMITS, type Limits } from './actions/types.js';
import { createApp } from './http/app.js';
import { consoleRoutes } from './http/routes/console.js';
import { resolveCredentials, type AuthOptions, type Credential } from './core/credentials.js';
import { HostPolicy } from './http/hosts.js';
import { OriginPolicy } from './http/origin.js';
import { loadFixtures } from './data/import.js';
import { createSnapshots, type SnapshotControl } from './data/snapshots.js';
import { loadSnapshotFile } from './data/snapshotFile.js';
import { WriteGate, type GateHooks } from './http/gate.js';
import { createHttpServer, listen, MAX_HEADER_BYTES } from './http/server.js';
import { snapshotRoutes } from './http/routes/snapshots.js';
import { syncRoutes } from './http/routes/sync.js';
import { createAuthenticator } from './http/signature.js';
import { serverLimits, type ServerLimits } from './http/serverLimits.js';
import type { Durability } from './store/durability.js';
import { Store } from './store/store.js';
import { readJournal } from './sync/analyze/file.js';
import { createSync, type ConsistencyMode, type Control, type JournalEntry, type Sync } from './sync/index.js';

export interface EmulatorOptions extends AuthOptions, Partial<ServerLimits> {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** ':memory:' (default) or a SQLite file path. */
  db?: string;
  /** How hard a file database syncs each commit (docs/reliability.md). Default 'normal'. */
  durability?: Durability;
  /** Default 'silent' when started from code; the CLI defaults to 'info'. */
  logLevel?: string;
  logger?: Logger;
  /** The emulator's clock in ms since the epoch; injectable for tests. */
  now?: () => number;
  limits?: Partial<Limits>;
  /** How reads without ConsistentRead=true see the store (docs/sync.md). Default 'consistent'. */
  consistency?: ConsistencyMode;
  /** eventual: how far behind a read may be, in ms. Default 1000. */
  maxStalenessMs?: number;
  /** eventual: instead of time, how many writes a read may be behind (docs/sync.md). */
  maxStalenessWrites?: number;
  /** Seeds staleness and fault probabilities; default random (reported by control.consistency()). */
  seed?: number;
  /** A file the journal appends one JSON line per request to. */
  journal?: string;
  /** The journal file is renamed FILE.1 and begun anew past this many bytes; 0: never. Default 64 MiB. */
  journalMaxBytes?: number;
  /** Rotated journal files kept (FILE.1 … FILE.n). Default 3. */
  journalFiles?: number;
  /**
   * A journal file of an earlier run (an explore run's, or any --journal file), shown before this
   * run's requests in the console, the journal routes and the analysis; the file is only read.
   */
  openJournal?: string;
  /** Journal entries kept in memory. Default 1000. */
  journalSize?: number;
  /** A JSON start-up state for the control surface: { consistency, faults }. */
  controlFile?: string;
  /**
   * A snapshot file (docs/data.md), saved by `control.saveSnapshot` or GET /_simpledb/snapshots/file:
   * the store becomes exactly its state before `load` fixtures and before the server listens.
   */
  loadSnapshot?: string;
  /** NDJSON fixture files (docs/data.md) merged into the store before the server listens. */
  load?: readonly string[];
  /** Browser origins (`http://localhost:3000`) allowed to call the emulator; any other foreign page is refused. */
  cors?: readonly string[];
  /**
   * Host names the emulator answers to besides IP addresses, `localhost`, `*.localhost`, the
   * service's endpoint names and `host` (docs/security.md): `name` or `.domain`; `['*']`: any.
   */
  allowedHosts?: readonly string[];
  /** The web console at /_simpledb/console/ and its data route /_simpledb/action. Default true. */
  console?: boolean;
  /**
   * For tests of a large request applied in slices (docs/performance.md): `slice` is called
   * between its slices, and a promise it returns holds the request there (`store.writingInSlices`
   * tells whether its transaction is open); `waiting` when a request begins to wait for it.
   */
  sliceHooks?: GateHooks;
}

export interface Emulator {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly store: Store;
  /** Consistency mode, fault rules, the journal (docs/sync.md) and snapshots (docs/data.md). */
  readonly control: Control & SnapshotControl;
  /** Drops every domain. */
  reset(): void;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export { MAX_HEADER_BYTES };

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'silent' }, pino.destination(2));
  // Built before the store so that a configuration mistake leaves no database open.
  const credentials = resolveCredentials(options);
  const isolateAccounts = options.isolateAccounts ?? false;
  const authenticate = createAuthenticator({ credentials, isolateAccounts, now: options.now ?? Date.now });
  const origins = new OriginPolicy(options.cors);
  const hosts = new HostPolicy(options.allowedHosts, host);
  const limits = serverLimits(options);
  const store = new Store(options.db ?? ':memory:', options.durability);
  const storeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let sync: Sync;
  try {
    // Before the simulation starts: fixtures are the starting state, not writes to journal or to see stale.
    if (options.loadSnapshot !== undefined) await loadSnapshotFile(store, options.loadSnapshot, { limits: storeLimits, now: options.now });
    await loadFixtures(store, options.load ?? [], { limits: storeLimits, now: options.now });
    sync = createSync({
      store,
      now: options.now ?? Date.now,
      consistency: options.consistency,
      maxStalenessMs: options.maxStalenessMs,
      maxStalenessWrites: options.maxStalenessWrites,
      seed: options.seed,
      journalFile: options.journal,
      journalMaxBytes: options.journalMaxBytes,
      journalFiles: options.journalFiles,
      journalSize: options.journalSize,
      controlFile: options.controlFile,
      maxUriBytes: MAX_HEADER_BYTES,
    });
    if (options.openJournal !== undefined) {
      const earlier: JournalEntry[] = [];
      // The file's entries as the journal published them; readJournal checks each is one.
      await readJournal(options.openJournal, (e) => earlier.push(e as JournalEntry)).catch((err: unknown) => {
        sync.close();
        throw err;
      });
      sync.journal.preload(earlier);
    }
  } catch (err) {
    store.close();
    throw err;
  }
  const snapshots = createSnapshots(store, options.now);
  const gate = new WriteGate(options.sliceHooks);
  const app = createApp({
    store,
    limits: storeLimits,
    now: options.now ?? Date.now,
    tokenKey: store.tokenKey(),
    logger,
    authenticate,
    sync: sync.hooks,
    gate,
    controlRoutes: express.Router().use(syncRoutes(sync.control, sync.journal), snapshotRoutes(snapshots)),
    guard: { credentials, isolateAccounts, origins, hosts },
    consoleRoutes: options.console === false ? undefined : consoleRoutes(),
  });
  const server = createHttpServer(app, limits, logger);
  try {
    await listen(server, options.port ?? 8080, host);
  } catch (err) {
    store.close();
    sync.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      // A large write in progress rolls back at its next slice, before the store closes.
      const stopped = gate.stop();
      server.close(() => {
        void stopped.then(() => {
          store.close();
          sync.close();
          resolve();
        });
      });
      server.closeAllConnections();
    }));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    host,
    store,
    control: { ...sync.control, ...snapshots },
    reset: () => store.reset(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

export { Store };
export type { Analysis, AnalyzeOptions, Finding } from './sync/analyze/index.js';
export type { Credential, Durability, Limits };
export type { SavedSnapshot, SnapshotInfo } from './data/snapshots.js';
