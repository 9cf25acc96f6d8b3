import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/** What the cap knows of one open connection. */
interface Tracked {
  /** When it last made progress: connected, finished a request's headers, or sent bytes since the last look. */
  activeAt: number;
  /** socket.bytesRead when `activeAt` was last set. */
  bytes: number;
}

/**
 * The connection cap, fair to newcomers. Node's own `maxConnections` refuses whoever arrives
 * once the cap is reached, so one client holding the cap with slow or idle sockets locks every
 * other client out. Here a newcomer at the cap takes the place of the connection that has made
 * no progress for the longest (a slow header or body, an idle keep-alive); a connection whose
 * request is being answered is never dropped, and the newcomer is refused only when every open
 * connection is. The scan runs only at the cap, over at most `max` connections.
 */
export function capConnections(server: Server, max: number, logger: Logger): void {
  const open = new Map<Socket, Tracked>();
  server.on('request', (req: IncomingMessage) => {
    const t = open.get(req.socket);
    if (t) {
      t.activeAt = performance.now();
      t.bytes = req.socket.bytesRead;
    }
  });
  server.on('connection', (socket: Socket) => {
    if (open.size >= max) {
      const victim = leastActive(open);
      if (victim === undefined) {
        logger.warn({ maxConnections: max }, 'connection refused: every open connection is being answered');
        socket.destroy();
        return;
      }
      logger.debug({ maxConnections: max }, 'connection dropped for a newcomer: it made no progress for longest');
      open.delete(victim);
      victim.destroy();
    }
    open.set(socket, { activeAt: performance.now(), bytes: 0 });
    socket.once('close', () => open.delete(socket));
  });
}

function leastActive(open: Map<Socket, Tracked>): Socket | undefined {
  const now = performance.now();
  let victim: Socket | undefined;
  let oldest = Infinity;
  for (const [socket, t] of open) {
    if (isBeingAnswered(socket)) continue;
    // Bytes arrived since the last look: it is moving, however slowly it began.
    if (socket.bytesRead !== t.bytes) {
      t.bytes = socket.bytesRead;
      t.activeAt = now;
    }
    if (t.activeAt < oldest) {
      oldest = t.activeAt;
      victim = socket;
    }
  }
  return victim;
}

/** A whole request has arrived and its answer is not finished: the emulator is working for it. */
function isBeingAnswered(socket: Socket): boolean {
  const res = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  return res !== undefined && res !== null && res.req.complete && !res.writableFinished;
}
