import type { ClientBasis, ClientSummary } from './types.js';

/** What the wire says about who sent a request. */
export interface Identity {
  header: string | null;
  userAgent: string | null;
  keyHash: string | null;
  connection: number | undefined;
}

/**
 * Tells clients apart (docs/analyze.md, "Clients"): the `X-SimpleDB-Client` header names one;
 * otherwise a keep-alive connection (one that carried several requests) is one client, and
 * requests on connections used once (clients that close after each request) are grouped by
 * User-Agent and access key.
 */
export class Identities {
  private readonly index = new Map<string, number>();
  private readonly byHeader = new Map<string, number>();
  private readonly list: Identity[] = [];
  private readonly requests: number[] = [];
  /** Per identity: the connections its requests came over (several for a named client with a pool)... */
  private readonly connectionsOf: Set<number>[] = [];
  /** ... and the last of them: a client's requests mostly follow one another on one connection, and need no lookup in the set. */
  private readonly lastConnection: (number | undefined)[] = [];
  /** Per connection: when it was first and last used, whether the emulator reset it, its requests, and the key and User-Agent it is grouped by. */
  private readonly connections = new Map<number, { first: number; last: number; reset: boolean; requests: number; group: string }>();
  /** A connection the emulator reset, continued by the reconnection of its client: connection → the first of its chain. */
  private roots = new Map<number, number>();

  /**
   * `order`: when the request took effect; `reset`: the emulator reset its connection (an injected
   * fault). The wire's fields come one by one: an object of them per request, a million times, was
   * garbage but for a new client's first.
   */
  intern(header: string | null, userAgent: string | null, keyHash: string | null, connection: number | undefined, order: number, reset: boolean): number {
    // A named client (most requests of an instrumented journal): looked up by its name, no key built per request.
    const index = header !== null ? this.byHeader : this.index;
    const key = header !== null ? header : `c\u0000${userAgent ?? ''}\u0000${keyHash ?? ''}\u0000${connection ?? ''}`;
    let n = index.get(key);
    if (n === undefined) {
      index.set(key, (n = this.list.length));
      this.list.push({ header, userAgent, keyHash, connection });
      this.requests.push(0);
      this.connectionsOf.push(new Set());
      this.lastConnection.push(undefined);
    }
    this.requests[n] = (this.requests[n] ?? 0) + 1;
    if (connection !== undefined) {
      if (this.lastConnection[n] !== connection) {
        this.connectionsOf[n]?.add(connection);
        this.lastConnection[n] = connection;
      }
      const c = this.connections.get(connection);
      if (!c) this.connections.set(connection, { first: order, last: order, reset, requests: 1, group: groupOf(keyHash, userAgent) });
      else {
        c.requests++;
        if (order < c.first) c.first = order;
        if (order >= c.last) {
          c.last = order;
          c.reset = reset;
        }
      }
    }
    return n;
  }

  /**
   * A client whose connection the emulator reset reconnects: its next new connection (same
   * User-Agent and key, first used after the reset) continues the reset one.
   */
  private chainResets(): void {
    // Resolved again at every window of a long journal (index.ts): the chains are rebuilt from the connections.
    this.roots = new Map();
    const byGroup = new Map<string, [number, { first: number; last: number; reset: boolean }][]>();
    for (const [id, c] of this.connections) {
      let list = byGroup.get(c.group);
      if (!list) byGroup.set(c.group, (list = []));
      list.push([id, c]);
    }
    const claimed = new Set<number>();
    for (const list of byGroup.values()) {
      list.sort((a, b) => a[1].first - b[1].first);
      for (const [id, c] of [...list].filter(([, x]) => x.reset).sort((a, b) => a[1].last - b[1].last)) {
        const next = list.find(([other, x]) => other !== id && !claimed.has(other) && x.first > c.last);
        if (!next) continue;
        claimed.add(next[0]);
        this.roots.set(next[0], this.roots.get(id) ?? id);
      }
    }
  }

  private chainRequests(root: number): number {
    let n = this.connections.get(root)?.requests ?? 0;
    for (const [id, r] of this.roots) if (r === root) n += this.connections.get(id)?.requests ?? 0;
    return n;
  }

  /** Client names per identity index, and a summary per client. */
  resolve(run: number | undefined, taken: Set<string>): { names: string[]; clients: ClientSummary[] } {
    this.chainResets();
    const byKey = new Map<string, ClientSummary>();
    const names = this.list.map((id, n) => {
      const { key, name, by } = this.describe(id);
      let c = byKey.get(key);
      if (!c) {
        let unique = name;
        for (let k = 2; taken.has(unique); k++) unique = `${name}~${k}`;
        taken.add(unique);
        c = { id: unique, by, userAgent: id.userAgent, keyHash: id.keyHash, connections: [], requests: 0, ...(run === undefined ? {} : { run }) };
        byKey.set(key, c);
      }
      c.requests += this.requests[n] ?? 0;
      for (const connection of this.connectionsOf[n] ?? []) if (!c.connections.includes(connection)) c.connections.push(connection);
      return c.id;
    });
    const clients = [...byKey.values()];
    for (const c of clients) c.connections.sort((a, b) => a - b);
    return { names, clients };
  }

  private describe(id: Identity): { key: string; name: string; by: ClientBasis } {
    if (id.header !== null) return { key: `h\u0000${id.header}`, name: id.header, by: 'header' };
    const agent = agentName(id.userAgent);
    const key = groupOf(id.keyHash, id.userAgent);
    const root = id.connection === undefined ? undefined : (this.roots.get(id.connection) ?? id.connection);
    if (root !== undefined && this.chainRequests(root) > 1) return { key: `c\u0000${key}\u0000${root}`, name: `${agent}#${root}`, by: 'connection' };
    return { key: `a\u0000${key}`, name: agent, by: 'user-agent' };
  }
}

function groupOf(keyHash: string | null, userAgent: string | null): string {
  return (keyHash ?? '') + '\u0000' + (userAgent ?? '');
}

/** `Boto3/1.34.0 md/...` → `Boto3`: the product token, short enough to read in a report. */
function agentName(userAgent: string | null): string {
  const first = userAgent?.trim().split(/[\s/]/, 1)[0];
  return first ? first : 'unknown';
}
