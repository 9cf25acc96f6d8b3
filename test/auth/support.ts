import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';

export const KEY = 'AKIDEXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

/** One line of test/fixtures/wire/*.jsonl (the fields these tests use). */
export interface Capture {
  client: string;
  step: string;
  method: 'GET' | 'POST';
  path: string;
  headers: [string, string][];
  body: string;
  params: [string, string][];
  signed_host: string;
}

const WIRE = new URL('../fixtures/wire/', import.meta.url);

export function loadCaptures(): Map<string, Capture[]> {
  const files = readdirSync(WIRE).filter((f) => f.endsWith('.jsonl')).sort();
  return new Map(
    files.map((f) => [
      f,
      readFileSync(new URL(f, WIRE), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Capture),
    ]),
  );
}

export function param(capture: Capture, name: string): string {
  const found = capture.params.find(([n]) => n === name);
  if (!found) throw new Error(`${capture.client} ${capture.step} has no ${name}`);
  return found[1];
}

export interface Reply {
  status: number;
  body: string;
  /** The error code, when the reply is an error document. */
  code: string | undefined;
  hasBoxUsage: boolean;
}

export interface RawRequest {
  method: string;
  path: string;
  /** Sent exactly; must include Host. */
  headers: [string, string][];
  body: string;
}

/** node:http, because fetch will not send a Host header of our choosing. */
export function send(baseUrl: string, req: RawRequest): Promise<Reply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        setHost: false,
        agent: false,
        headers: [...req.headers, ['Content-Length', String(Buffer.byteLength(req.body))]].flat(),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            code: /<Error><Code>([^<]*)<\/Code>/.exec(body)?.[1],
            hasBoxUsage: body.includes('<BoxUsage>'),
          }),
        );
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A capture as its client sent it, with another Host header value. */
export function replay(capture: Capture, host: string): RawRequest {
  const headers = capture.headers.filter(([n]) => !/^(host|content-length|connection)$/i.test(n));
  return { method: capture.method, path: capture.path, headers: [['Host', host], ...headers], body: capture.body };
}

/**
 * Signature V2 computed here from the Developer Guide's "HMAC-SHA Signature", independently of emulator/http/signature.ts:
 * byte-wise percent-encoding of the UTF-8 form, sort on the raw names.
 */
export function signV2(
  params: readonly (readonly [string, string])[],
  options: { method: 'GET' | 'POST'; host: string; secret?: string; algorithm?: 'sha256' | 'sha1' },
): string {
  const pct = (s: string) =>
    [...Buffer.from(s, 'utf8')]
      .map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
  const sorted = params.filter(([n]) => n !== 'Signature').sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const query = sorted.map(([n, v]) => `${pct(n)}=${pct(v)}`).join('&');
  return createHmac(options.algorithm ?? 'sha256', options.secret ?? SECRET)
    .update([options.method, options.host.toLowerCase(), '/', query].join('\n'))
    .digest('base64');
}

/** The parameters every signed request carries, at a given time. */
export function authParams(time: number, overrides: Record<string, string | undefined> = {}): [string, string][] {
  const base: Record<string, string | undefined> = {
    AWSAccessKeyId: KEY,
    SignatureVersion: '2',
    SignatureMethod: 'HmacSHA256',
    Timestamp: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2009-04-15',
    ...overrides,
  };
  return Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined);
}

/** A form-encoded POST of these parameters, signed for `host` with an added Signature. */
export function signedPost(
  host: string,
  params: [string, string][],
  options: { secret?: string; algorithm?: 'sha256' | 'sha1'; space?: '+' | '%20' } = {},
): RawRequest {
  return formPost(host, [...params, ['Signature', signV2(params, { method: 'POST', host, ...options })]], options.space);
}

/** A form-encoded POST of exactly these parameters. */
export function formPost(host: string, params: readonly (readonly [string, string])[], space: '+' | '%20' = '%20'): RawRequest {
  return {
    method: 'POST',
    path: '/',
    headers: [
      ['Host', host],
      ['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8'],
    ],
    body: formEncode(params, space),
  };
}

export function formEncode(params: readonly (readonly [string, string])[], space: '+' | '%20' = '%20'): string {
  return params
    .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`.replace(/%20/g, space))
    .join('&');
}
