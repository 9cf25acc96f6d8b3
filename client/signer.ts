import { createHmac } from 'node:crypto';

/** Signature Version 2 as in the Amazon SimpleDB Developer Guide, "HMAC-SHA Signature". */
export type SignatureMethod = 'HmacSHA256' | 'HmacSHA1';

export type QueryParam = readonly [name: string, value: string];

export interface SignV2Input {
  /** Upper case, `POST` or `GET`. */
  method: string;
  /** The Host header as sent: lower-cased here, with `:port` when the URL has a non-default port. */
  host: string;
  /** Request path, `/` when empty. */
  path: string;
  /** Every request parameter; a `Signature` entry, if present, is left out of the string to sign. */
  params: Iterable<QueryParam>;
  secretAccessKey: string;
  algorithm?: SignatureMethod;
}

const HASH: Record<SignatureMethod, string> = { HmacSHA256: 'sha256', HmacSHA1: 'sha1' };

/**
 * RFC 3986 over UTF-8: only `A-Za-z0-9-_.~` stay bare. encodeURIComponent also leaves
 * `!'()*` bare, which the service would encode before comparing signatures.
 */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Sorted by name in byte order of the UTF-8 names. Sorting the encoded text instead would be
 * wrong: `%` sorts before `-`, so an encoded `/` would land before a bare `-`.
 */
export function canonicalQuery(params: Iterable<QueryParam>): string {
  const pairs = [...params].filter(([name]) => name !== 'Signature');
  pairs.sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  return pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
}

function hmac(input: SignV2Input, query: string): string {
  const stringToSign = [input.method.toUpperCase(), input.host.toLowerCase(), input.path || '/', query].join('\n');
  return createHmac(HASH[input.algorithm ?? 'HmacSHA256'], input.secretAccessKey)
    .update(stringToSign, 'utf8')
    .digest('base64');
}

/** Base64 HMAC of the string to sign; pure, so captured requests can be re-verified in tests. */
export function signV2(input: SignV2Input): string {
  return hmac(input, canonicalQuery(input.params));
}

/** The request's form body: the canonical query (already encoded and sorted) plus its Signature. */
export function signedQueryV2(input: SignV2Input): string {
  const query = canonicalQuery(input.params);
  return `${query}&Signature=${percentEncode(hmac(input, query))}`;
}

/** `YYYY-MM-DDTHH:MM:SSZ`: the form boto, botocore and aws-sdk v2 send. */
export function timestampV2(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
