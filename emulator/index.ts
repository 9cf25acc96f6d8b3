import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import express from 'express';
import { pino, type Logger } from 'pino';
import { DEFAULT_LIMITS, type Limits } from './actions/types.js';
import { createApp } from './app.js';
import { consoleRoutes } from './console/index.js';
import { resolveCredentials, type AuthOptions, type Credential } from './auth/credentials.js';
import { isControlTarget } from './control/guard.js';
import { OriginPolicy } from './control/origin.js';
import { loadFixtures } from './data/import.js';
import { createSnapshots, snapshotRoutes, type SnapshotControl } from './data/snapshots.js';
import { createAuthenticator } from './protocol/auth.js';
import { formatBoxUsage } from './protocol/boxUsage.js';
import { errors, type SdbError } from './protocol/errors.js';
import { errorDocument } from './protocol/render.js';
import { newRequestId } from './protocol/requestId.js';
import { checkingIntervalMs, serverLimits, type ServerLimits } from './serverLimits.js';
import type { Durability } from './store/durability.js';
import { Store } from './store/store.js';
import { createSync, type ConsistencyMode, type Control, type Sync } from './sync/index.js';

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
  /** Seeds staleness and fault probabilities; default random (reported by control.consistency()). */
  seed?: number;
  /** A file the journal appends one JSON line per request to. */
  journal?: string;
  /** Journal entries kept in memory. Default 1000. */
  journalSize?: number;
  /** A JSON start-up state for the control surface: { consistency, faults }. */
  controlFile?: string;
  /** NDJSON fixture files (docs/data.md) merged into the store before the server listens. */
  load?: readonly string[];
  /** Browser origins (`http://localhost:3000`) allowed to call the emulator; any other foreign page is refused. */
  cors?: readonly string[];
  /** The web console at /_simpledb/console/ and its data route /_simpledb/action. Default true. */
  console?: boolean;
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

/** Request lines longer than this are refused; boto 2 puts whole PutAttributes calls in the URL. */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'silent' }, pino.destination(2));
  // Built before the store so that a configuration mistake leaves no database open.
  const credentials = resolveCredentials(options);
  const isolateAccounts = options.isolateAccounts ?? false;
  const authenticate = createAuthenticator({ credentials, isolateAccounts, now: options.now ?? Date.now });
  const origins = new OriginPolicy(options.cors);
  const limits = serverLimits(options);
  const store = new Store(options.db ?? ':memory:', options.durability);
  const storeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let sync: Sync;
  try {
    // Before the simulation starts: fixtures are the starting state, not writes to journal or to see stale.
    await loadFixtures(store, options.load ?? [], { limits: storeLimits, now: options.now });
    sync = createSync({
      store,
      now: options.now ?? Date.now,
      consistency: options.consistency,
      maxStalenessMs: options.maxStalenessMs,
      seed: options.seed,
      journalFile: options.journal,
      journalSize: options.journalSize,
      controlFile: options.controlFile,
      maxUriBytes: MAX_HEADER_BYTES,
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const snapshots = createSnapshots(store, options.now);
  const app = createApp({
    store,
    limits: storeLimits,
    now: options.now ?? Date.now,
    tokenKey: store.tokenKey(),
    logger,
    authenticate,
    sync: sync.hooks,
    controlRoutes: express.Router().use(sync.routes, snapshotRoutes(snapshots)),
    guard: { credentials, isolateAccounts, origins },
    consoleRoutes: options.console === false ? undefined : consoleRoutes(),
  });
  // Without requireHostHeader: false, Node answers a Host-less request with a bare, empty 400.
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      requireHostHeader: false,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(limits),
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => logger.warn({ maxConnections: limits.maxConnections }, 'connection refused: too many open'));
  // Node hands CONNECT to this event rather than to the app, and drops the connection unanswered without a listener.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => endWithError(socket, errors.unsupportedHttpVerb('CONNECT')));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, logger));
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
      server.close(() => {
        store.close();
        sync.close();
        resolve();
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

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Malformed HTTP, an oversized request line or a request not received in time still gets a
 * SimpleDB error document, unless an answer has begun or the client is gone.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket, logger: Logger): void {
  const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  if (timedOut || err.code === 'ECONNRESET') logger.debug({ code: err.code }, 'client dropped');
  // Node's own rule: a response in progress on the socket is not interrupted by a second one.
  const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (!socket.writable || pending?.headersSent === true || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? errors.uriTooLong(MAX_HEADER_BYTES)
      : errors.invalidHttpRequest(timedOut ? 'the request was not received in time' : 'malformed HTTP');
  // A body that stopped coming belongs to a request whose target is known: a control route answers
  // JSON. Express shortens req.url inside a mounted router, and keeps the target in originalUrl.
  const target = pending && ((pending.req as IncomingMessage & { originalUrl?: string }).originalUrl ?? pending.req.url);
  if (target !== undefined && isControlTarget(target)) {
    const json = JSON.stringify({ error: { code: 'RequestTimeout', message: e.message } });
    socket.end(rawResponse('application/json; charset=utf-8', json));
  } else {
    endWithError(socket, e);
  }
}

/** Written straight to the socket: there is no response object (every such error is a 400). */
function endWithError(socket: Duplex, e: SdbError): void {
  socket.end(rawResponse('text/xml', errorDocument(e.code, e.message, newRequestId(), formatBoxUsage(0))));
}

function rawResponse(type: string, body: string): string {
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export { Store };
export type { Analysis, AnalyzeOptions, Finding } from './analyze/index.js';
export type { Credential, Durability, Limits };
