/**
 * Real HTTP against a real emulator: node:http rather than fetch, because the wire replay and
 * the robustness tests must send headers fetch forbids (Host, Content-Length) and raw bytes.
 */
import { request } from 'node:http';
import { expect } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { exactXmlParser } from './xml.js';

export const NS = 'http://sdb.amazonaws.com/doc/2009-04-15/';
export const PROLOG = '<?xml version="1.0"?>\n';
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

/** Parsed XML: strings stay strings (no number coercion, no trimming), attributes as `@_x`. */
export type XmlNode = string | { [key: string]: XmlNode | XmlNode[] };

const parser = exactXmlParser();

export function parseXml(text: string): Record<string, XmlNode> {
  return parser.parse(text) as Record<string, XmlNode>;
}

/** Where a server listens: an Emulator handle, or a CLI child's host and port. */
export type Endpoint = Pick<Emulator, 'host' | 'port'>;

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RawRequest {
  method?: string;
  /** Request target, e.g. `/?Action=ListDomains`. */
  path?: string;
  /** A list is sent verbatim, in order, and must carry its own Host. */
  headers?: Record<string, string> | [string, string][];
  body?: string | Buffer;
}

/** One request on a fresh connection, so a test's headers are exactly what is sent. */
export function send(emu: Endpoint, req: RawRequest): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    // An object gets Node's default Host header; a raw list (the wire replay) is sent as is.
    const headers = Array.isArray(req.headers) ? req.headers.flat() : (req.headers ?? {});
    const r = request(
      { host: emu.host, port: emu.port, method: req.method ?? 'GET', path: req.path ?? '/', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

export type ParamList = Record<string, string> | [string, string][];

export function encodeParams(params: ParamList): string {
  return new URLSearchParams(Array.isArray(params) ? params : Object.entries(params)).toString();
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  contentType?: string;
}

/** A protocol call, as a form POST (default) or a GET with the parameters in the query string. */
export function call(emu: Endpoint, params: ParamList, options: CallOptions = {}): Promise<HttpResult> {
  const form = encodeParams(params);
  if (options.method === 'GET') return send(emu, { method: 'GET', path: `/?${form}` });
  return send(emu, {
    method: 'POST',
    path: '/',
    headers: { 'Content-Type': options.contentType ?? FORM, 'Content-Length': String(Buffer.byteLength(form)) },
    body: form,
  });
}

export interface ErrorInfo {
  code: string;
  message: string;
  boxUsage: string | undefined;
  requestId: string;
}

/** The error document's fields, after checking its shape: Response/Errors/Error + RequestID. */
export function errorOf(res: HttpResult): ErrorInfo {
  expect(res.headers['content-type']).toBe('text/xml');
  expect(res.text.startsWith(PROLOG)).toBe(true);
  expect(res.text).toMatch(
    /^<\?xml version="1\.0"\?>\n<Response><Errors><Error><Code>[^<]+<\/Code><Message>[^<]*<\/Message>(<BoxUsage>\d\.\d{10}<\/BoxUsage>)?<\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/,
  );
  const doc = parseXml(res.text);
  const response = doc['Response'] as Record<string, XmlNode>;
  const error = (response['Errors'] as Record<string, XmlNode>)['Error'] as Record<string, string>;
  const requestId = response['RequestID'] as string;
  expect(requestId).toMatch(REQUEST_ID);
  return { code: error['Code'] ?? '', message: error['Message'] ?? '', boxUsage: error['BoxUsage'], requestId };
}

/** Exact code, status and message (and BoxUsage when given). */
export function expectError(res: HttpResult, status: number, code: string, message: string, boxUsage?: string): void {
  const e = errorOf(res);
  expect({ status: res.status, code: e.code, message: e.message }).toEqual({ status, code, message });
  if (boxUsage !== undefined) expect(e.boxUsage).toBe(boxUsage);
}

/**
 * A success document's `<ActionResult>` (undefined for actions that have none; '' when empty),
 * after checking the envelope: prolog, compact XML, namespace, ResponseMetadata.
 */
export function resultOf(res: HttpResult, action: string, boxUsage?: string): XmlNode | undefined {
  if (res.status !== 200) throw new Error(`expected 200 for ${action}, got ${res.status}: ${res.text}`);
  expect(res.headers['content-type']).toBe('text/xml');
  expect(res.text.startsWith(`${PROLOG}<${action}Response xmlns="${NS}">`)).toBe(true);
  // Compact: no whitespace after a closing tag or a container's opening tag (a value may be blank).
  expect(res.text.slice(PROLOG.length)).not.toMatch(
    /(<\/[^>]+>|\/>|<(\w+Response|\w+Result|Attribute|Item|ResponseMetadata)( [^>]*)?>)\s+</,
  );
  const root = parseXml(res.text)[`${action}Response`] as Record<string, XmlNode>;
  const meta = root['ResponseMetadata'] as Record<string, string>;
  expect(meta['RequestId']).toMatch(REQUEST_ID);
  expect(meta['BoxUsage']).toMatch(/^\d\.\d{10}$/);
  if (boxUsage !== undefined) expect(meta['BoxUsage']).toBe(boxUsage);
  expect(res.text.endsWith(`</ResponseMetadata></${action}Response>`)).toBe(true);
  return root[`${action}Result`];
}

/** Ok-or-throw for set-up calls, with the server's answer in the failure. */
export async function ok(emu: Endpoint, params: ParamList): Promise<HttpResult> {
  const res = await call(emu, params);
  if (res.status !== 200) throw new Error(`${JSON.stringify(params)} → ${res.status} ${res.text}`);
  return res;
}

/** A parsed node as a list, whether the parser saw one element or several. */
export function list<T>(node: T | T[] | undefined): T[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

/** Text of a data element, decoding `encoding="base64"`. */
export function text(node: XmlNode | XmlNode[] | undefined): string {
  if (typeof node === 'string') return node;
  if (node === undefined || Array.isArray(node)) throw new Error(`not a text element: ${JSON.stringify(node)}`);
  const body = node['#text'];
  const t = typeof body === 'string' ? body : '';
  return node['@_encoding'] === 'base64' ? Buffer.from(t, 'base64').toString('utf8') : t;
}

export type Pairs = [name: string, value: string][];

/** GetAttributes (consistent) as sorted pairs. */
export async function getPairs(emu: Endpoint, domain: string, item: string): Promise<Pairs> {
  const res = await ok(emu, { Action: 'GetAttributes', DomainName: domain, ItemName: item, ConsistentRead: 'true' });
  return pairsOf(resultOf(res, 'GetAttributes'));
}

/** The child elements named `tag` of a parsed element, in document order. */
export function children(node: XmlNode | undefined, tag: string): Record<string, XmlNode>[] {
  if (node === undefined || typeof node === 'string') return [];
  return list(node[tag]).filter((n): n is Record<string, XmlNode> => typeof n === 'object');
}

/** `<Attribute>` pairs in the order the server wrote them. */
export function pairsInOrder(result: XmlNode | undefined): Pairs {
  return children(result, 'Attribute').map((a): [string, string] => [text(a['Name']), text(a['Value'])]);
}

export function pairsOf(result: XmlNode | undefined): Pairs {
  return pairsInOrder(result).sort();
}

const METADATA_FIELDS = [
  'ItemCount',
  'ItemNamesSizeBytes',
  'AttributeNameCount',
  'AttributeNamesSizeBytes',
  'AttributeValueCount',
  'AttributeValuesSizeBytes',
  'Timestamp',
] as const;

export type DomainMetadata = Record<(typeof METADATA_FIELDS)[number], string>;

/** DomainMetadata's seven fields, after checking they come in the documented order. */
export async function metadata(emu: Endpoint, domain: string): Promise<DomainMetadata> {
  const res = await ok(emu, { Action: 'DomainMetadata', DomainName: domain });
  const result = resultOf(res, 'DomainMetadata');
  if (result === undefined || typeof result === 'string') throw new Error(`empty DomainMetadataResult: ${res.text}`);
  expect([...res.text.matchAll(/<(\w+)>\d+<\/\1>/g)].map((m) => m[1])).toEqual(METADATA_FIELDS);
  return Object.fromEntries(METADATA_FIELDS.map((f) => [f, text(result[f])])) as DomainMetadata;
}

/** `Attribute.N.*` for a put, 1-based, with optional Replace. */
export function attrs(pairs: Pairs, replace = false, prefix = 'Attribute'): [string, string][] {
  return pairs.flatMap(([name, value], i): [string, string][] => [
    [`${prefix}.${i + 1}.Name`, name],
    [`${prefix}.${i + 1}.Value`, value],
    ...(replace ? [[`${prefix}.${i + 1}.Replace`, 'true'] as [string, string]] : []),
  ]);
}

export const LARGE_BATCH = { items: 25, attributes: 256 } as const;

/**
 * BatchPutAttributes of 25 items (`prefix0` to `prefix24`) × 256 attributes (`a0`…), each value
 * `value(item, attribute)`: the largest batch the service takes, read and applied in slices.
 */
export function largeBatch(domain: string, prefix: string, value: (item: number, attribute: number) => string): [string, string][] {
  const params: [string, string][] = [
    ['Action', 'BatchPutAttributes'],
    ['DomainName', domain],
    ['Version', '2009-04-15'],
  ];
  for (let i = 0; i < LARGE_BATCH.items; i++) {
    params.push([`Item.${i}.ItemName`, `${prefix}${i}`]);
    for (let a = 0; a < LARGE_BATCH.attributes; a++) {
      params.push([`Item.${i}.Attribute.${a}.Name`, `a${a}`]);
      params.push([`Item.${i}.Attribute.${a}.Value`, value(i, a)]);
    }
  }
  return params;
}

export function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, ...options });
}
