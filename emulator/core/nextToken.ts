import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from './errors.js';

/**
 * NextTokens of Select and ListDomains: where the previous page stopped, bound to the question
 * it continues (`scope`) and HMAC-signed with the server's key, so a forged, mangled or foreign
 * token is refused.
 */

/**
 * Where the previous page stopped, in the page order. Item-name order: `key` is null and `name`
 * the last name passed. Attribute order: `key` is the sort value; `name` the last item passed
 * at that value, or null when every item at that value has been passed.
 */
export interface Position {
  readonly key: string | null;
  readonly name: string | null;
}

export interface TokenPayload {
  readonly v: number;
  /** What the token continues (for Select, a hash of domain, WHERE and ORDER BY). */
  readonly h: string;
  readonly k: string | null;
  readonly i: string | null;
}

export const TOKEN_VERSION = 1;
const MAC_BYTES = 16;
/** Sort keys and names are at most 1024 bytes each; anything longer was not made here. */
const MAX_TOKEN_CHARS = 16 * 1024;

export function encodeToken(position: Position, scope: string, key: Buffer): string {
  return signToken({ v: TOKEN_VERSION, h: scope, k: position.key, i: position.name }, key);
}

/** base64url(JSON payload ‖ truncated HMAC-SHA256 of it). */
export function signToken(payload: TokenPayload, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  return Buffer.concat([body, mac(body, key)]).toString('base64url');
}

/**
 * The position a token resumes from. Tampered, foreign or mismatched tokens are
 * InvalidNextToken; an authentic token of another format version is UnsupportedNextToken.
 */
export function decodeToken(token: string, scope: string, key: Buffer, attributeOrder = false): Position {
  if (token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) throw errors.invalidNextToken();
  const raw = Buffer.from(token, 'base64url');
  if (raw.length <= MAC_BYTES) throw errors.invalidNextToken();
  const body = raw.subarray(0, raw.length - MAC_BYTES);
  if (!timingSafeEqual(raw.subarray(raw.length - MAC_BYTES), mac(body, key))) throw errors.invalidNextToken();
  const p = JSON.parse(body.toString('utf8')) as Partial<TokenPayload>;
  if (p.v !== TOKEN_VERSION) throw errors.unsupportedNextToken();
  if (p.h !== scope) throw errors.invalidNextToken();
  const shapeOk = attributeOrder
    ? typeof p.k === 'string' && (p.i === null || typeof p.i === 'string')
    : p.k === null && typeof p.i === 'string';
  if (!shapeOk) throw errors.invalidNextToken();
  return { key: p.k ?? null, name: p.i ?? null };
}

function mac(body: Buffer, key: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES);
}
