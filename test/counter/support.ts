/**
 * Real parts for the counter suites: a raw form POST (not our client), a recording proxy that can
 * lose responses, and the emulator's control routes over HTTP (so they work in process and
 * against SIMPLEDB_ENDPOINT alike).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedQueryV2, timestampV2 } from '../../client/signer.js';
import { defaultCredentialProvider } from '../../client/credentials.js';
import type { SimpleDBClient, SimpleDBCredentials } from '../../client/index.js';
import { DUMMY_CREDENTIALS, onAws } from '../support/target.js';

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * One signed action sent as a hand-written form POST with fetch, the way a 2010 client would:
 * the parameters are exactly the ones given, plus the common ones.
 */
export async function rawPost(client: SimpleDBClient, action: string, params: readonly (readonly [string, string])[]): Promise<RawResponse> {
  const credentials: SimpleDBCredentials = onAws ? await defaultCredentialProvider() : DUMMY_CREDENTIALS;
  const endpoint = client.config.endpoint;
  const all: [string, string][] = [
    ...params.map(([k, v]): [string, string] => [k, v]),
    ['Action', action],
    ['Version', '2009-04-15'],
    ['AWSAccessKeyId', credentials.accessKeyId],
    ['SignatureMethod', 'HmacSHA256'],
    ['SignatureVersion', '2'],
    ['Timestamp', timestampV2(new Date())],
  ];
  if (credentials.sessionToken) all.push(['SecurityToken', credentials.sessionToken]);
  const body = signedQueryV2({ method: 'POST', host: endpoint.host, path: endpoint.pathname, params: all, secretAccessKey: credentials.secretAccessKey });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  return { status: response.status, body: await response.text() };
}

/** What the proxy does with the upstream's answer to a request. */
export type ProxyVerdict = 'deliver' | 'lose';

export interface ProxyExchange {
  /** 0, 1, 2, ... in arrival order. */
  index: number;
  /** The request body as sent by the client. */
  requestBody: string;
  params: URLSearchParams;
  status: number;
}

export interface RecordingProxy {
  readonly url: string;
  /** Every request body received, in arrival order. */
  readonly bodies: string[];
  close(): Promise<void>;
}

/**
 * A forwarding HTTP proxy on 127.0.0.1 in front of `upstream`. After the upstream has answered
 * (so a write has been committed), `decide` may run more requests of its own, then deliver the
 * answer or lose it by destroying the client's socket, as a network fault would.
 */
export async function startProxy(
  upstream: string,
  decide: (exchange: ProxyExchange) => ProxyVerdict | Promise<ProxyVerdict> = () => 'deliver',
): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const bodies: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const requestBody = Buffer.concat(chunks).toString('utf8');
    const index = bodies.push(requestBody) - 1;
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (upstreamRes) => {
          const parts: Buffer[] = [];
          upstreamRes.on('data', (part: Buffer) => parts.push(part));
          upstreamRes.on('end', () => resolve({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body: Buffer.concat(parts) }));
          upstreamRes.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(requestBody);
    });
    const verdict = await decide({ index, requestBody, params: new URLSearchParams(requestBody), status: answer.status });
    if (verdict === 'lose') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.headers['content-type'] ?? 'text/xml' });
    res.end(answer.body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The parts of a journal entry the counter suites look at (emulator/sync/journal.ts). */
export interface JournalRecord {
  seq: number;
  action: string | null;
  items: string[];
  params: Record<string, string>;
  status: number;
  code: string;
  writeSeq?: number;
}

/** State-changing control requests must be JSON (docs/authentication.md). */
const JSON_REQUEST = { headers: { 'content-type': 'application/json' } };

/** The emulator's control routes (docs/sync.md), reached over HTTP at the target endpoint. */
export class EmulatorControl {
  constructor(private readonly endpoint: string) {}

  async addFault(rule: Record<string, string | number>): Promise<void> {
    const response = await fetch(new URL('/_simpledb/faults', this.endpoint), { method: 'POST', body: JSON.stringify(rule), ...JSON_REQUEST });
    if (response.status !== 201) throw new Error(`adding fault ${JSON.stringify(rule)}: ${response.status} ${await response.text()}`);
  }

  async clearFaults(): Promise<void> {
    await (await fetch(new URL('/_simpledb/faults', this.endpoint), { method: 'DELETE', ...JSON_REQUEST })).text();
  }

  /** Reads without ConsistentRead see the store as it is now, until thaw(). */
  async freeze(): Promise<void> {
    await (await fetch(new URL('/_simpledb/consistency/freeze', this.endpoint), { method: 'POST', ...JSON_REQUEST })).text();
  }

  async thaw(): Promise<void> {
    await (await fetch(new URL('/_simpledb/consistency/thaw', this.endpoint), { method: 'POST', ...JSON_REQUEST })).text();
  }

  /** Requests about one item, oldest first. */
  async journal(item: string, action?: string): Promise<JournalRecord[]> {
    const query = new URLSearchParams({ item, ...(action === undefined ? {} : { action }) });
    const response = await fetch(new URL(`/_simpledb/journal?${query}`, this.endpoint));
    const { entries } = (await response.json()) as { entries: JournalRecord[] };
    return entries;
  }
}
