import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { formatBoxUsage } from '../core/boxUsage.js';
import { errors, type SdbError } from '../core/errors.js';
import { newRequestId } from '../core/requestId.js';
import { capConnections } from './connections.js';
import { MAX_HEADER_BYTES } from './framing.js';
import { isControlTarget } from './guard.js';
import { errorDocument } from './render.js';
import { checkingIntervalMs, type ServerLimits } from './serverLimits.js';

export { MAX_HEADER_BYTES };

/** The HTTP server around the app, with the answers written straight to a socket that has no response object. */
export function createHttpServer(app: RequestListener, limits: ServerLimits, logger: Logger): Server {
  // Without requireHostHeader: false, Node answers a Host-less request with a bare, empty 400.
  const server = createServer(
    {
      // Twice the cap: a request over it still reaches the app, which says whether the target or
      // the header block is too long (framing.ts); the parser cannot tell.
      maxHeaderSize: 2 * MAX_HEADER_BYTES,
      requireHostHeader: false,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: checkingIntervalMs(limits),
    },
    app,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  capConnections(server, limits.maxConnections, logger);
  // Node hands CONNECT to this event rather than to the app, and drops the connection unanswered without a listener.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => endWithError(socket, errors.unsupportedHttpVerb('CONNECT')));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, logger));
  // Without a listener Node answers a bare 417 with no body.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => answerExpectation(req, res));
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
  if (pending?.req.complete === true) {
    // Bytes that are no request followed a whole one, which is being acted on: its answer, not
    // an error, is what the client must see (the write may land), and then the connection ends.
    pending.shouldKeepAlive = false;
    return;
  }
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? overflowError(err)
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

/**
 * Past twice the cap the parser gives up before the app sees anything; a line break in the last
 * bytes it read means the request line had ended, so the header block is what overflowed.
 */
function overflowError(err: NodeJS.ErrnoException): SdbError {
  const packet: unknown = (err as { rawPacket?: unknown }).rawPacket;
  const lineEnded = Buffer.isBuffer(packet) && packet.includes(10);
  return lineEnded ? errors.invalidHttpRequest(`the request headers exceed ${MAX_HEADER_BYTES} bytes`) : errors.uriTooLong(MAX_HEADER_BYTES);
}

/**
 * `Expect:` other than 100-continue: 417, in the route's shape. The connection closes, since the
 * body the client holds back may follow and must not be read as a request.
 */
function answerExpectation(req: IncomingMessage, res: ServerResponse): void {
  const e = errors.expectationFailed(String(req.headers.expect));
  const control = isControlTarget(req.url ?? '/');
  const body = control
    ? JSON.stringify({ error: { code: e.code, message: e.message } })
    : errorDocument(e.code, e.message, newRequestId(), formatBoxUsage(0));
  res.writeHead(e.status, {
    'Content-Type': control ? 'application/json; charset=utf-8' : 'text/xml',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(body);
}

/** Written straight to the socket: there is no response object (every such error is a 400). */
function endWithError(socket: Duplex, e: SdbError): void {
  socket.end(rawResponse('text/xml', errorDocument(e.code, e.message, newRequestId(), formatBoxUsage(0))));
}

function rawResponse(type: string, body: string): string {
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`;
}
