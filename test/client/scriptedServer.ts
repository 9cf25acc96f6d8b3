/**
 * A real HTTP server that answers each request as a test script says: a status and body, a
 * dropped connection, or no answer at all. Used to drive the client's retry and timeout paths
 * over actual sockets instead of mocking the client's own code.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { signV2 } from '../../client/signer.js';

export interface Received {
  params: Map<string, string>;
  headers: IncomingHttpHeaders;
  /** Which TCP connection carried the request, numbered from 1. */
  connection: number;
}

export type Reply = { status: number; body: string } | 'drop' | 'hang';

export interface ScriptedServer {
  url: string;
  received: Received[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Connections the client closed. */
  readonly closed: number;
  close(): Promise<void>;
}

const NS = 'xmlns="http://sdb.amazonaws.com/doc/2009-04-15/"';

export function ok(action: string, result = ''): Reply {
  const metadata = '<ResponseMetadata><RequestId>11111111-2222-3333-4444-555555555555</RequestId><BoxUsage>0.0000219907</BoxUsage></ResponseMetadata>';
  return { status: 200, body: `<?xml version="1.0"?>\n<${action}Response ${NS}>${result}${metadata}</${action}Response>` };
}

export function fail(status: number, code: string, message = `${code} happened`): Reply {
  return {
    status,
    body: `<?xml version="1.0"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message><BoxUsage>0.0000219907</BoxUsage></Error></Errors><RequestID>aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee</RequestID></Response>`,
  };
}

/** Whether a request carries a valid Signature V2 for this secret, over the Host it was sent to. */
export function signatureValid(request: Received, secretAccessKey: string): boolean {
  const signature = request.params.get('Signature');
  const host = request.headers.host ?? '';
  return signature === signV2({ method: 'POST', host, path: '/', params: request.params, secretAccessKey });
}

export async function startScriptedServer(script: (n: number, request: Received) => Reply): Promise<ScriptedServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  let connections = 0;
  let closed = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = {
        params: new Map(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
        headers: req.headers,
        connection: connectionIds.get(req.socket) ?? 0,
      };
      received.push(request);
      const reply = script(received.length, request);
      if (reply === 'drop') req.socket.destroy();
      else if (reply !== 'hang') res.writeHead(reply.status, { 'content-type': 'text/xml' }).end(reply.body);
    });
  });
  server.on('connection', (socket: Socket) => {
    connectionIds.set(socket, ++connections);
    sockets.add(socket);
    socket.on('close', () => {
      closed++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get connections() {
      return connections;
    },
    get closed() {
      return closed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
