import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { formatBoxUsage } from '../core/boxUsage.js';
import { errors, type SdbError } from '../core/errors.js';
import { newRequestId } from '../core/requestId.js';
import { isControlTarget } from './guard.js';
import { errorDocument } from './render.js';
import { checkingIntervalMs, type ServerLimits } from './serverLimits.js';

/** Request lines longer than this are refused; boto 2 puts whole PutAttributes calls in the URL. */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;

/** The HTTP server around the app, with the answers written straight to a socket that has no response object. */
export function createHttpServer(app: RequestListener, limits: ServerLimits, logger: Logger): Server {
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
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<void> {
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
