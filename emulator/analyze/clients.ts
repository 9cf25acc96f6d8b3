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
  private readonly list: Identity[] = [];
  private readonly perConnection = new Map<number, number>();
  private readonly requests: number[] = [];

  intern(id: Identity): number {
    const key = id.header !== null ? `h\u0000${id.header}` : `c\u0000${id.userAgent ?? ''}\u0000${id.keyHash ?? ''}\u0000${id.connection ?? ''}`;
    let n = this.index.get(key);
    if (n === undefined) {
      this.index.set(key, (n = this.list.length));
      this.list.push(id);
      this.requests.push(0);
    }
    this.requests[n] = (this.requests[n] ?? 0) + 1;
    if (id.connection !== undefined) this.perConnection.set(id.connection, (this.perConnection.get(id.connection) ?? 0) + 1);
    return n;
  }

  /** Client names per identity index, and a summary per client. */
  resolve(run: number | undefined, taken: Set<string>): { names: string[]; clients: ClientSummary[] } {
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
      if (id.connection !== undefined && !c.connections.includes(id.connection)) c.connections.push(id.connection);
      return c.id;
    });
    const clients = [...byKey.values()];
    for (const c of clients) c.connections.sort((a, b) => a - b);
    return { names, clients };
  }

  private describe(id: Identity): { key: string; name: string; by: ClientBasis } {
    if (id.header !== null) return { key: `h\u0000${id.header}`, name: id.header, by: 'header' };
    const agent = agentName(id.userAgent);
    const key = (id.keyHash ?? '') + '\u0000' + (id.userAgent ?? '');
    const reused = id.connection !== undefined && (this.perConnection.get(id.connection) ?? 0) > 1;
    if (reused) return { key: `c\u0000${key}\u0000${id.connection}`, name: `${agent}#${id.connection}`, by: 'connection' };
    return { key: `a\u0000${key}`, name: agent, by: 'user-agent' };
  }
}

/** `Boto3/1.34.0 md/...` → `Boto3`: the product token, short enough to read in a report. */
function agentName(userAgent: string | null): string {
  const first = userAgent?.trim().split(/[\s/]/, 1)[0];
  return first ? first : 'unknown';
}
