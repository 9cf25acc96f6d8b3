import { createHmac, timingSafeEqual } from 'node:crypto';
import { namespaceOf, type Credential } from '../core/credentials.js';
import { errors } from '../core/errors.js';
import { compareUtf8 } from '../core/order.js';
import type { Params } from '../core/params.js';

/** What authentication sees of a request. */
export interface SignedRequest {
  method: string;
  /** The Host header as sent, port included. */
  host: string;
  path: string;
  params: Params;
}

/** Checks a request's credentials and returns the account namespace its domains live in. */
export type Authenticate = (req: SignedRequest) => string;

export interface AuthenticatorConfig {
  /** No credentials: authentication is off and any key and signature are accepted. */
  credentials: readonly Credential[];
  isolateAccounts: boolean;
  now: () => number;
}

/** How far a Timestamp may be from the emulator's clock, either way (Amazon SimpleDB Developer Guide, "Request Authentication"). */
const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

const ALGORITHMS: ReadonlyMap<string, 'sha256' | 'sha1'> = new Map([
  ['HmacSHA256', 'sha256'],
  ['HmacSHA1', 'sha1'],
]);

/** The shared namespace of a non-isolated emulator. */
const SHARED = '';

export function createAuthenticator(config: AuthenticatorConfig): Authenticate {
  if (config.credentials.length === 0) {
    if (!config.isolateAccounts) return () => SHARED;
    // Isolation without credentials still needs a key to tell callers apart.
    return ({ params }) => {
      const keyId = params.get('AWSAccessKeyId');
      if (!keyId) throw errors.authMissingFailure();
      return keyId;
    };
  }
  const keys = new Map(
    config.credentials.map((c) => [
      c.accessKeyId,
      { secret: Buffer.from(c.secretAccessKey, 'utf8'), namespace: namespaceOf(c, config.isolateAccounts) },
    ]),
  );
  // The order of checks is the service's (docs/notes/auth.md).
  return (req) => {
    const keyId = req.params.get('AWSAccessKeyId');
    if (!keyId) throw errors.authMissingFailure();
    const key = keys.get(keyId);
    if (!key) throw errors.invalidClientTokenId();
    verifySignature(req, key.secret);
    checkFreshness(req.params, config.now());
    return key.namespace;
  };
}

function verifySignature(req: SignedRequest, secret: Buffer): void {
  const { params } = req;
  const signature = params.get('Signature');
  const version = params.get('SignatureVersion');
  const method = params.get('SignatureMethod');
  // A request without the parts a version 2 signature consists of carries no signature to check.
  if (!signature || version === undefined || method === undefined) throw errors.incompleteSignature();
  if (version !== '2') throw errors.invalidParameterValue('SignatureVersion', version);
  const algorithm = ALGORITHMS.get(method);
  if (!algorithm) throw errors.invalidParameterValue('SignatureMethod', method);
  const given = Buffer.from(signature, 'utf8');
  const query = canonicalQuery(params);
  for (const host of signedHostCandidates(req.host)) {
    const expected = Buffer.from(
      createHmac(algorithm, secret).update(`${req.method}\n${host}\n${req.path}\n${query}`, 'utf8').digest('base64'),
      'utf8',
    );
    // Unequal lengths reveal nothing: every valid signature of one algorithm has the same length.
    if (expected.length === given.length && timingSafeEqual(expected, given)) return;
  }
  throw errors.signatureDoesNotMatch();
}

/**
 * The Host header as received, lower-cased, then without its port: boto 2 sends `host:port`
 * but signs `host` (see test/fixtures/wire/README.md).
 */
function signedHostCandidates(header: string): string[] {
  const host = header.toLowerCase();
  const bare = /^(\[[^\]]*\]|[^:]*):\d*$/.exec(host)?.[1];
  return bare === undefined ? [host] : [host, bare];
}

/**
 * Every parameter but Signature, sorted by the UTF-8 bytes of its name, RFC 3986-encoded.
 * Values arrive decoded, so `+` and `%20` on the wire both sign as `%20`, and clients that leave
 * `*` bare on the wire (the npm simpledb package) still sign `%2A`, as every captured client does.
 */
function canonicalQuery(params: Params): string {
  return params.entries
    .filter(([name]) => name !== 'Signature')
    .sort(([a], [b]) => compareUtf8(a, b))
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .join('&');
}

const NOT_RFC3986 = /[!'()*]/g;

/** encodeURIComponent also leaves `!'()*` bare; RFC 3986 keeps only `A-Za-z0-9-_.~`. */
function encode(s: string): string {
  const e = encodeURIComponent(s);
  // Most strings hold none of the five; an idle replace() with a callback still costs a quarter of the encoding.
  return e.search(NOT_RFC3986) < 0 ? e : e.replace(NOT_RFC3986, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function checkFreshness(params: Params, now: number): void {
  const timestamp = params.get('Timestamp');
  const expires = params.get('Expires');
  if (timestamp !== undefined && expires !== undefined) throw errors.invalidParameterCombination('Timestamp', 'Expires');
  if (timestamp !== undefined) {
    if (Math.abs(now - parseTime('Timestamp', timestamp)) > TIMESTAMP_WINDOW_MS) throw errors.requestExpired('Timestamp', timestamp);
  } else if (expires !== undefined) {
    if (now > parseTime('Expires', expires)) throw errors.requestExpired('Expires', expires);
  } else {
    throw errors.missingParameter('Timestamp');
  }
}

/** ISO 8601 date and time; clients send `Z`, offsets, or no zone (read as UTC), with or without fractions. */
const ISO_8601 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

function parseTime(param: 'Timestamp' | 'Expires', value: string): number {
  const m = ISO_8601.exec(value);
  // Date.parse alone would accept free-form dates and read a zoneless time in the host's zone.
  const zone = m?.[3] === undefined || m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
  const ms = m ? Date.parse(`${m[1]}${(m[2] ?? '').slice(0, 4)}${zone}`) : NaN;
  if (Number.isNaN(ms)) throw errors.invalidParameterValue(param, value);
  return ms;
}
