import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  received: string;
  /** Whether the server ended the connection (rather than the test). */
  closedByServer: boolean;
}

/** Opens a TCP connection to the emulator and resolves once it is established. */
export async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  await once(socket, 'connect');
  return socket;
}

/**
 * Sends `bytes` as they are (no HTTP library to tidy the target up) and waits for the server to
 * close the connection; the test's timeout bounds the wait.
 */
export async function exchange(port: number, bytes: string): Promise<RawExchange> {
  const socket = await open(port);
  return untilClosed(socket, bytes);
}

export async function untilClosed(socket: Socket, bytes = ''): Promise<RawExchange> {
  let received = '';
  let closedByServer = false;
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('end', () => (closedByServer = true));
  // A reset counts as the server closing too.
  socket.on('error', () => (closedByServer = true));
  const closed = once(socket, 'close');
  if (bytes !== '') socket.write(bytes, 'latin1');
  await closed;
  return { received, closedByServer };
}

/** The status line's code and the body of one HTTP/1.1 response. */
export function parseResponse(text: string): { status: number; headers: string; body: string } {
  const split = text.indexOf('\r\n\r\n');
  const headers = text.slice(0, split);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers, body: text.slice(split + 4) };
}
