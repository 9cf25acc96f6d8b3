import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { DEFAULT_LIMITS, type Limits } from './actions/types.js';
import { createApp, type SignedRequest } from './app.js';
import { formatBoxUsage } from './protocol/boxUsage.js';
import { errors } from './protocol/errors.js';
import { errorDocument } from './protocol/render.js';
import { newRequestId } from './protocol/requestId.js';
import { Store } from './store/store.js';

export interface EmulatorOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** ':memory:' (default) or a SQLite file path. */
  db?: string;
  /** Default 'silent' when started from code; the CLI defaults to 'info'. */
  logLevel?: string;
  logger?: Logger;
  /** The emulator's clock in ms since the epoch; injectable for tests. */
  now?: () => number;
  limits?: Partial<Limits>;
}

export interface Emulator {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly store: Store;
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
  const store = new Store(options.db ?? ':memory:');
  const app = createApp({
    store,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    now: options.now ?? Date.now,
    tokenKey: store.tokenKey(),
    logger,
    authenticate: (_req: SignedRequest) => '',
  });
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  try {
    await listen(server, options.port ?? 8080, host);
  } catch (err) {
    store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => {
        store.close();
        resolve();
      });
      server.closeAllConnections();
    }));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    host,
    store,
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

/** Malformed HTTP or an oversized request line still gets a SimpleDB error document. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const e =
    err.code === 'HPE_HEADER_OVERFLOW' ? errors.uriTooLong(MAX_HEADER_BYTES) : errors.invalidHttpRequest('malformed HTTP');
  const xml = errorDocument(e.code, e.message, newRequestId(), formatBoxUsage(0));
  socket.end(
    `HTTP/1.1 ${e.status} Bad Request\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(xml)}\r\nConnection: close\r\n\r\n${xml}`,
  );
}

export { Store };
export type { Limits };
