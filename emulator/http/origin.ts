import type { IncomingMessage, ServerResponse } from 'node:http';
import { settingError } from '../core/input.js';

/**
 * Which browser pages may call the emulator. A browser names the page behind every request it
 * sends on a page's behalf (`Origin`; `Sec-Fetch-Site` even where it leaves `Origin` out), so a
 * request another site's page makes can be told from the caller's own tools, which send neither,
 * and refused before it does anything: a loopback address is no protection from a page open in
 * the developer's own browser.
 */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  /** `origins`: the --cors list, each `http(s)://host[:port]`. */
  constructor(origins: readonly string[] = []) {
    this.allowed = new Set(origins.map(parseCorsOrigin));
  }

  /**
   * Whether the request comes from a page of a foreign origin (neither the emulator's own, as its
   * Host header names it, nor one --cors allows). Without `Origin`, a browser's `Sec-Fetch-Site`
   * of another site, or another origin on this site, is foreign too: there is no origin to allow.
   */
  refuses(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined) return !this.isOwn(origin, req.headers.host) && !this.allowed.has(normalise(origin));
    const site = req.headers['sec-fetch-site'];
    return site === 'cross-site' || site === 'same-site';
  }

  /**
   * Whether a browser sent the request without naming the page behind it. Browsers send
   * `Sec-Fetch-*` only to addresses they trust (loopback, `localhost`, https), so a page that names
   * the emulator otherwise (`http://[::ffff:127.0.0.1]:8080/`, a LAN address) gets its image,
   * script, frame and form GETs through with neither header. What is left is the browser's own
   * User-Agent, which a page cannot change without the browser asking the server first. SDKs and
   * command-line tools do not pretend to be Mozilla.
   */
  unsignalledBrowser(req: IncomingMessage): boolean {
    const h = req.headers;
    return h.origin === undefined && h['sec-fetch-site'] === undefined && BROWSER_AGENT.test(h['user-agent'] ?? '');
  }

  /**
   * For an origin --cors allows: sets the CORS answer headers, and answers a preflight (an
   * OPTIONS with Access-Control-Request-Method) outright. Returns true when it answered.
   */
  answerCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin === undefined || !this.allowed.has(normalise(origin))) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    const method = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || method === undefined) return false;
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, PATCH');
    const headers = req.headers['access-control-request-headers'];
    if (headers !== undefined) res.setHeader('Access-Control-Allow-Headers', headers);
    res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204, { 'Content-Length': '0', 'X-Content-Type-Options': 'nosniff' });
    res.end();
    return true;
  }

  private isOwn(origin: string, host: string | undefined): boolean {
    if (host === undefined) return false;
    try {
      return normalise(origin) === new URL(`http://${host}`).origin;
    } catch {
      return false;
    }
  }
}

/** Every browser's User-Agent begins so, for historical reasons. */
const BROWSER_AGENT = /^Mozilla\//;

/** `http://Example.com:80` and `http://example.com` are one origin; anything unparsable is none. */
function normalise(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return '';
  }
}

/**
 * One --cors origin, checked: a scheme, a host and an optional port, nothing else. A path or a
 * wildcard is refused rather than guessed at: an origin is compared whole, and "*" would hand the
 * emulator to every page on the web.
 */
export function parseCorsOrigin(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const bare =
    url !== undefined &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '';
  if (!url || !bare) throw settingError('cors', `${JSON.stringify(text)} is not an origin like http://localhost:3000`);
  return url.origin;
}
