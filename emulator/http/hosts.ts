import { isIP } from 'node:net';
import { settingError } from '../core/input.js';

/**
 * Names the emulator answers to without being told: loopback names (browsers resolve `localhost`
 * and `*.localhost` to this machine themselves, never through DNS), and the service's own
 * endpoints, which SDKs pointed at the emulator may still send as Host (the `simpledb` npm client
 * always sends `sdb.amazonaws.com`). No page's author controls where these names resolve.
 */
const BUILT_IN: readonly string[] = ['localhost', '.localhost', 'sdb.amazonaws.com'];
const REGIONAL_ENDPOINT = /^sdb\.[a-z0-9-]+\.amazonaws\.com$/;

/** A Host header: a bracketed IPv6 address or a name without userinfo, path or spaces, and a port. */
const HOST_HEADER = /^(\[[0-9a-fA-F:.]+\]|[^\s/\\@?#[\]:]+)(?::\d*)?$/;

/** Distinct Host values remembered; past this many each is checked afresh. */
const CACHE_LIMIT = 256;

/**
 * Which Host names the emulator answers to. A page served from an attacker's name can make that
 * name resolve to 127.0.0.1 (DNS rebinding); its requests are then same-origin with the emulator,
 * Origin and Host agree, and only the name itself gives it away. So names are allowed from a list,
 * as development servers do, while IP literals, in any form, are always allowed: no DNS answer can
 * rebind an address (docs/security.md).
 */
export class HostPolicy {
  /** `--allowed-hosts *`: every name is answered, and rebinding is possible again. */
  readonly open: boolean;
  private readonly exact = new Set<string>();
  /** `.example.com`: the name and every name under it. */
  private readonly suffixes: string[] = [];
  private readonly seen = new Map<string, boolean>();

  /** `allowed`: the --allowed-hosts list; `bound`: the address or name the server listens on. */
  constructor(allowed: readonly string[] = [], bound?: string) {
    this.open = allowed.includes('*');
    for (const name of [...BUILT_IN, ...allowed.filter((a) => a !== '*').map(parseAllowedHost)]) {
      if (name.startsWith('.')) {
        this.exact.add(name.slice(1));
        this.suffixes.push(name);
      } else {
        this.exact.add(name);
      }
    }
    if (bound !== undefined && isIP(bound) === 0) this.exact.add(bound.toLowerCase());
  }

  /** Whether a request with this Host header is answered. A request without one comes from no browser. */
  allows(host: string | undefined): boolean {
    if (host === undefined || this.open) return true;
    let ok = this.seen.get(host);
    if (ok === undefined) {
      ok = this.check(host);
      if (this.seen.size < CACHE_LIMIT) this.seen.set(host, ok);
    }
    return ok;
  }

  private check(host: string): boolean {
    if (!HOST_HEADER.test(host)) return false;
    let name: string;
    try {
      // The URL parser reads an address as browsers do: 2130706433, 0x7f.1 and 127.1 are all 127.0.0.1.
      name = new URL(`http://${host}`).hostname;
    } catch {
      return false;
    }
    if (name.startsWith('[') || isIP(name) !== 0) return true;
    return this.exact.has(name) || REGIONAL_ENDPOINT.test(name) || this.suffixes.some((s) => name.endsWith(s));
  }
}

/**
 * One --allowed-hosts entry: a host name (`simpledb`, `db.internal`) or a leading-dot domain
 * (`.internal`: it and every name under it); `*` switches the check off. No port, no scheme.
 */
export function parseAllowedHost(text: string): string {
  const name = text.trim().toLowerCase();
  if (name === '*') return name;
  if (!/^\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) {
    throw settingError('allowed-hosts', `${JSON.stringify(text)} is not a host name like simpledb or .internal (or * for any)`);
  }
  return name;
}
