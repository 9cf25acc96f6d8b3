import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { namespaceOf, type Credential } from '../core/credentials.js';
import { controlError } from './controlErrors.js';
import type { HostPolicy } from './hosts.js';
import type { OriginPolicy } from './origin.js';

/** Everything outside the protocol's space: the emulator's own routes and moto's reset. */
export const CONTROL_PREFIXES: readonly string[] = ['/_simpledb', '/moto-api'];

const REALM = 'simpledb-local';

// From the one list above (its prefixes hold no regex characters but the slash).
const CONTROL_TARGET = new RegExp(`^(?:${CONTROL_PREFIXES.join('|')})(?:[/?]|$)`, 'i');

/** Whether a request target is under a control prefix (matched as Express matches the mounts). */
export function isControlTarget(target: string): boolean {
  return CONTROL_TARGET.test(target);
}

export interface GuardConfig {
  /** The keys the protocol route accepts; none: authentication is off and the surface is open. */
  credentials: readonly Credential[];
  isolateAccounts: boolean;
  origins: OriginPolicy;
  hosts: HostPolicy;
}

/**
 * The account namespace a control request acts for: what the protocol route would use for the
 * caller's key. '' when authentication or isolation is off, which means every account: routes
 * that show or change data or traffic show or change only this account's when it is not ''.
 */
export function controlAccount(res: Response): string {
  const account: unknown = res.locals.account;
  // A route mounted outside the guard would otherwise act for every account.
  if (typeof account !== 'string') throw new Error('controlAccount: the control guard did not run before this route');
  return account;
}

/**
 * A link to the console followed from any page (a chat, a dashboard, a README preview): the
 * browser's own top-level navigation to the console's page, which only shows it. The page's own
 * requests are then same-origin; a foreign page's reads and writes stay refused, and a frame is
 * no navigation (the page also forbids framing).
 */
function isPageNavigation(req: Request): boolean {
  const h = req.headers;
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    h['sec-fetch-mode'] === 'navigate' &&
    h['sec-fetch-dest'] === 'document' &&
    /^\/_simpledb\/console(?:[/?#]|$)/.test(req.originalUrl)
  );
}

/** Reads that change nothing; every other method must come as JSON. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs before every route under the control prefixes (mounted on them). In order: a request for a
 * host name not allowed (a rebound page's) is refused (403), and one from a foreign page (403); an
 * OPTIONS that is no allowed preflight gets JSON (405); with authentication on, one without the
 * HTTP Basic credentials of a configured key is refused (401), except the health check; a state-changing request that is
 * not `Content-Type: application/json` is refused (415), since that is the one type a page cannot
 * send to another origin without the browser asking first. Then `res.locals.account` is set.
 */
export function controlGuard(config: GuardConfig): RequestHandler {
  const keys = new Map(
    config.credentials.map((c) => [c.accessKeyId, { digest: digest(c.secretAccessKey), account: namespaceOf(c, config.isolateAccounts) }]),
  );
  const authOn = keys.size > 0;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!config.hosts.allows(req.headers.host)) {
      controlError(
        res,
        403,
        'ForeignHost',
        `Host ${JSON.stringify(req.headers.host)} is not a name this emulator answers to: add it with --allowed-hosts (docs/security.md)`,
      );
      return;
    }
    if (config.origins.refuses(req) && !isPageNavigation(req)) {
      const origin = req.headers.origin;
      controlError(
        res,
        403,
        'ForeignOrigin',
        `${origin === undefined ? 'a cross-site request' : `a request from ${origin}`} is refused: only this emulator's own origin, or one allowed with --cors, may call it`,
      );
      return;
    }
    if (req.method === 'OPTIONS') {
      // A preflight from a --cors origin was answered before the guard; Express would answer the rest in text/plain.
      controlError(res, 405, 'MethodNotAllowed', 'OPTIONS is answered only as a CORS preflight from an origin allowed with --cors');
      return;
    }
    if (isHealthCheck(req)) {
      next();
      return;
    }
    let account = '';
    if (authOn) {
      const given = basicCredentials(req.headers.authorization);
      const key = given && keys.get(given.keyId);
      // Both sides hashed first, and the secret compared even for an unknown id: equal lengths
      // for timingSafeEqual, and timing tells no one which key ids exist.
      if (!given || !timingSafeEqual(key?.digest ?? UNKNOWN_KEY, digest(given.secret)) || !key) {
        res.setHeader('WWW-Authenticate', `Basic realm="${REALM}"`);
        controlError(
          res,
          401,
          'Unauthorized',
          given
            ? 'unknown access key id or wrong secret access key'
            : 'authentication is on: send the access key id and secret access key of a configured key with HTTP Basic (curl -u KEY:SECRET)',
        );
        return;
      }
      account = key.account;
    }
    if (!SAFE_METHODS.has(req.method) && !isJson(req) && !isMotoReset(req)) {
      controlError(res, 415, 'UnsupportedMediaType', `${req.method} needs Content-Type: application/json (the body may be empty)`);
      return;
    }
    res.locals.account = account;
    next();
  };
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compared against when the key id is unknown, so that the refusal takes as long as a wrong secret. */
const UNKNOWN_KEY = randomBytes(32);

/** `Authorization: Basic base64(keyId:secret)`; the id ends at the first colon (RFC 7617). */
function basicCredentials(header: string | undefined): { keyId: string; secret: string } | undefined {
  const m = header === undefined ? null : /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { keyId: text.slice(0, colon), secret: text.slice(colon + 1) };
}

/** Open to anyone, as container health checks and load balancers call it without credentials. */
function isHealthCheck(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.baseUrl.toLowerCase() === '/_simpledb' && /^\/health\/?$/i.test(req.path);
}

function isJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && type.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * moto's clients reset with a bare POST: no body, no Content-Type. A browser always names the
 * page (Origin, Sec-Fetch-Site) on a POST, so a bare POST without either is no page's doing.
 */
function isMotoReset(req: Request): boolean {
  const h = req.headers;
  return (
    req.method === 'POST' &&
    req.baseUrl.toLowerCase() === '/moto-api' &&
    /^\/reset\/?$/i.test(req.path) &&
    h['content-type'] === undefined &&
    (h['content-length'] === undefined || h['content-length'] === '0') &&
    h['transfer-encoding'] === undefined &&
    h.origin === undefined &&
    h['sec-fetch-site'] === undefined
  );
}
