import type { ClientBasis, ClientSummary } from './types.js';
import { grownInts, IntColumn, NumberColumn } from './column.js';
import type { Op } from './ops.js';

/** Connection numbers below this (and below four times the connections met) index an array. */
const DENSE = 1 << 16;
/** In that array: the connection was folded into its User-Agent's client (`fold`). */
const FOLDED = -1;
/** A connection's identity while it carried one request without a header: its group's `solo`. */
const SOLO = -2;
/** A client's connections listed in its summary, at most; `connectionCount` says how many it had. */
const LISTED_CONNECTIONS = 1000;

/** What a User-Agent and access key group: the requests of connections used once. */
interface Group {
  userAgent: string | null;
  keyHash: string | null;
  /** Its key, the key of its client named by User-Agent in `resolve`, and that client's name. */
  key: string;
  byAgent: string;
  agent: string;
  /** Its connections by their slot in the connection columns, in the order first met... */
  connections: IntColumn;
  /** ... until one was first used before one met earlier: then ordered by when first used, when next needed. */
  unordered: boolean;
  /** Of them, those the emulator reset (their last request's answer), each once. */
  resets: Set<number>;
  /** The identity of its requests on connections that carried one (so far), without a header (-1: none yet). */
  solo: number;
  /**
   * Connections folded into that client: a list holding its lowest numbers (cut back to
   * LISTED_CONNECTIONS when twice as long; `foldedCut`, the highest kept then: none above can be
   * listed), how many, and when the first of their requests came.
   */
  folded: number[];
  foldedCut: number;
  foldedCount: number;
  foldedArrival: number;
}

/**
 * Tells clients apart (docs/analyze.md, "Clients"): the `X-SimpleDB-Client` header names one;
 * otherwise a keep-alive connection (one that carried several requests) is one client, and
 * requests on connections used once (clients that close after each request) are grouped by
 * User-Agent and access key.
 *
 * A client that opens a connection per request (aws-sdk v2) has as many connections as requests.
 * Their requests share one identity per group (`solo`) until a connection carries a second: then
 * the connection gets an identity of its own, and its first request is moved to it when still
 * held. A connection used once is folded into its group's client once its request has left the
 * held operations (`fold`): what is kept grows with the clients and the connections in use, not
 * with the requests (docs/analyze.md, "Performance"). Connections are held as columns of numbers;
 * each window names only the identities it has not named yet (`resolve`).
 */
export class Identities {
  private readonly byHeader = new Map<string, number>();
  private readonly groups: Group[] = [];
  private readonly groupIndex = new Map<string, number>();
  /** Identities without a header but for one per connection (`slotIdentity`): a connection met again with another group, or no connection (an older journal). */
  private readonly byKey = new Map<string, number>();
  /** The last group looked up: a journal's requests mostly come with one User-Agent and key. */
  private lastGroup = -1;
  // Per identity.
  private readonly header: (string | null)[] = [];
  private readonly group = new IntColumn();
  /** Its connection's slot (-1: none); for a named client, the slot of the last connection it used. */
  private readonly slot = new IntColumn();
  private readonly requests = new IntColumn();
  /** When its first request came (the count of requests before it): the report lists clients in that order. */
  private readonly arrival = new NumberColumn();
  private arrivals = 0;
  /**
   * A named client's connections, by its identity: its first, then (when it used another) a set
   * of the first LISTED_CONNECTIONS, and a count of those past them. The others have one at most.
   */
  private readonly namedFirst = new NumberColumn();
  private readonly named = new Map<number, Set<number>>();
  private readonly namedMore = new Map<number, number>();
  /**
   * The slot of each connection: the emulator numbers its connections from 1, so most journals'
   * numbers index an array (slot + 1; 0: none yet; FOLDED), four bytes per connection; a number
   * too large for it (a journal from elsewhere) is found in a map.
   */
  private dense = new Int32Array(1024);
  private readonly sparse = new Map<number, number>();
  /** Connections folded whose number was too large for the array. */
  private readonly foldedSparse = new Set<number>();
  /** Connections met, folded or not. */
  private met = 0;
  /** The slot `connectionSlot` gave was made for this request: the connection's first. */
  private fresh = false;
  /** A slot made for a request that took its group's solo identity (-1: none): its operation is kept there (`opened`). */
  private pendingSlot = -1;
  // Per connection, by its slot: its number, when it was first and last used, its requests and its group.
  private readonly connectionId = new NumberColumn();
  private readonly first = new NumberColumn();
  private readonly last = new NumberColumn();
  private readonly connectionRequests = new IntColumn();
  private readonly connectionGroup = new IntColumn();
  /** The identity without a header first met on it (-1: none yet; SOLO): a connection keeps its User-Agent and key, nearly always. */
  private readonly slotIdentity = new IntColumn();
  /** When its first request came, and the named client that used it last (-1: none). */
  private readonly slotArrival = new NumberColumn();
  private readonly namedBy = new IntColumn();
  /** The operation of a SOLO connection's request, moved to the connection's own identity if it carries another. */
  private slotOp: (Op | undefined)[] = [];
  /** A connection the emulator reset, continued by the reconnection of its client: slot → the first of its chain. */
  private roots = new Map<number, number>();
  /** By the first connection of a chain: the requests over the chain beyond the first connection's own. */
  private chained = new Map<number, number>();
  /** What the last window's names were made with (`resolve`): per client, the identity it was first met at. */
  private provisional:
    | { names: string[]; clients: Map<string, ClientSummary>; first: Map<string, number>; taken: Set<string>; roots: ReadonlyMap<number, number> }
    | undefined;
  /** The first identity whose connection carried its second request since: from it on, an identity may be a client of its own. */
  private renamedFrom = Number.POSITIVE_INFINITY;

  /**
   * `order`: when the request took effect; `reset`: the emulator reset its connection (an injected
   * fault). The wire's fields come one by one: an object of them per request, a million times, was
   * garbage but for a new client's first.
   */
  intern(header: string | null, userAgent: string | null, keyHash: string | null, connection: number | undefined, order: number, reset: boolean): number {
    this.pendingSlot = -1;
    const slot = connection === undefined ? -1 : this.connectionSlot(connection, order, reset, keyHash, userAgent);
    let n: number | undefined;
    if (header !== null) {
      n = this.byHeader.get(header);
      if (n === undefined) this.byHeader.set(header, (n = this.add(header, this.groupOf(keyHash, userAgent), slot)));
      if (slot >= 0 && this.slot.at(n) !== slot) {
        // A named client's requests mostly follow one another on one connection, and need no lookup in its set.
        this.slot.set(n, slot);
        if (this.namedBy.at(slot) !== n) {
          this.namedBy.set(slot, n);
          this.usedBy(n, connection as number);
        }
      }
    } else {
      const g = this.groupOf(keyHash, userAgent);
      if (slot >= 0) {
        n = this.slotIdentity.at(slot);
        // Its second request: the connection is a client of its own.
        if (n === SOLO) n = this.promote(slot);
        if (n >= 0) {
          if (this.group.at(n) !== g) n = this.other(`c\u0000${g}\u0000${connection}`, g, slot);
        } else if (this.fresh && !reset) {
          this.slotIdentity.set(slot, SOLO);
          n = this.soloOf(g);
          this.pendingSlot = slot;
        } else this.slotIdentity.set(slot, (n = this.add(null, g, slot)));
      } else n = this.other(`c\u0000${g}\u0000`, g, slot);
    }
    this.requests.set(n, this.requests.at(n) + 1);
    this.arrivals++;
    return n;
  }

  /** Connections and identities held: what the client table's memory grows with (test/analyze/identities.test.ts). */
  held(): number {
    return this.connectionId.length + this.header.length;
  }

  /** The operation of the request just interned, kept while it may have to move to its connection's own identity. */
  opened(op: Op): void {
    if (this.pendingSlot >= 0) this.slotOp[this.pendingSlot] = op;
    this.pendingSlot = -1;
  }

  private usedBy(n: number, connection: number): void {
    const first = this.namedFirst.at(n);
    if (Number.isNaN(first)) {
      this.namedFirst.set(n, connection);
      return;
    }
    if (first === connection) return;
    let set = this.named.get(n);
    if (!set) this.named.set(n, (set = new Set([first])));
    if (set.size < LISTED_CONNECTIONS || set.has(connection)) set.add(connection);
    else this.namedMore.set(n, (this.namedMore.get(n) ?? 0) + 1);
  }

  private soloOf(g: number): number {
    const group = this.groups[g] as Group;
    if (group.solo < 0) group.solo = this.add(null, g, -1);
    return group.solo;
  }

  /**
   * A SOLO connection becomes a client of its own (a second request, or a chain of
   * reconnections): its request's operation (held: `fold` keeps a SOLO connection while it is)
   * moves to its identity, and the request with it. A request that made no operation stays
   * counted with the group's client.
   */
  private promote(slot: number): number {
    const group = this.groups[this.connectionGroup.at(slot)] as Group;
    const n = this.add(null, this.connectionGroup.at(slot), slot, this.slotArrival.at(slot));
    this.slotIdentity.set(slot, n);
    const op = this.slotOp[slot];
    if (op !== undefined && op.identity === group.solo) {
      op.identity = n;
      this.requests.set(group.solo, this.requests.at(group.solo) - 1);
      this.requests.set(n, 1);
    }
    this.slotOp[slot] = undefined;
    return n;
  }

  private other(key: string, g: number, slot: number): number {
    let n = this.byKey.get(key);
    if (n === undefined) this.byKey.set(key, (n = this.add(null, g, slot)));
    return n;
  }

  private add(header: string | null, g: number, slot: number, arrival = this.arrivals): number {
    const n = this.header.length;
    this.header.push(header);
    this.group.push(g);
    this.slot.push(header === null ? slot : -1);
    this.requests.push(0);
    this.arrival.push(arrival);
    // None yet: any number may name a connection in a journal from elsewhere.
    this.namedFirst.push(Number.NaN);
    return n;
  }

  private groupOf(keyHash: string | null, userAgent: string | null): number {
    const last = this.groups[this.lastGroup];
    if (last !== undefined && last.userAgent === userAgent && last.keyHash === keyHash) return this.lastGroup;
    this.lastGroup = this.find(keyHash, userAgent);
    return this.lastGroup;
  }

  private find(keyHash: string | null, userAgent: string | null): number {
    const key = groupKey(keyHash, userAgent);
    let g = this.groupIndex.get(key);
    if (g === undefined) {
      g = this.groups.length;
      this.groupIndex.set(key, g);
      this.groups.push({ userAgent, keyHash, key, byAgent: `a\u0000${key}`, agent: agentName(userAgent), connections: new IntColumn(), unordered: false, resets: new Set(), solo: -1, folded: [], foldedCut: Number.POSITIVE_INFINITY, foldedCount: 0, foldedArrival: Number.POSITIVE_INFINITY });
    }
    return g;
  }

  private connectionSlot(connection: number, order: number, reset: boolean, keyHash: string | null, userAgent: string | null): number {
    // Dense while the numbers stay within a few times the connections met so far.
    const dense = Number.isInteger(connection) && connection >= 0 && connection < 4 * this.met + DENSE;
    if (dense && connection >= this.dense.length) this.dense = grownInts(this.dense, Math.max(connection + 1, 2 * this.dense.length));
    const at = dense ? (this.dense[connection] as number) : 0;
    let slot = at - 1;
    let folded = at === FOLDED;
    // Met when its number was still too large for the array: in the maps.
    if (at === 0 && this.sparse.size > 0) slot = this.sparse.get(connection) ?? -1;
    if (slot < 0 && !folded && this.foldedSparse.size > 0) folded = this.foldedSparse.delete(connection);
    this.fresh = slot < 0 && !folded;
    if (slot < 0) {
      // A connection's group is that of its first request.
      const g = this.groupOf(keyHash, userAgent);
      slot = this.connectionId.length;
      if (dense) this.dense[connection] = slot + 1;
      else this.sparse.set(connection, slot);
      if (!folded) this.met++;
      this.connectionId.push(connection);
      this.first.push(order);
      this.last.push(order);
      // Folded, it carried a request before (counted with its group's client): this is its second.
      this.connectionRequests.push(folded ? 2 : 1);
      this.connectionGroup.push(g);
      this.slotIdentity.push(-1);
      this.slotArrival.push(this.arrivals);
      this.namedBy.push(-1);
      // Never shortened (`fold` clears what it drops): a list cut back and grown again each window was copied as it grew.
      if (slot < this.slotOp.length) this.slotOp[slot] = undefined;
      else this.slotOp.push(undefined);
      const group = this.groups[g] as Group;
      const count = group.connections.length;
      if (count > 0 && this.first.at(group.connections.at(count - 1)) > order) group.unordered = true;
      group.connections.push(slot);
      if (reset) group.resets.add(slot);
      return slot;
    }
    const requests = this.connectionRequests.at(slot) + 1;
    this.connectionRequests.set(slot, requests);
    if (requests === 2) {
      // Identities of other groups on the connection came after this one.
      const n = this.slotIdentity.at(slot);
      if (n >= 0 && n < this.renamedFrom) this.renamedFrom = n;
    }
    if (order < this.first.at(slot)) {
      this.first.set(slot, order);
      (this.groups[this.connectionGroup.at(slot)] as Group).unordered = true;
    }
    if (order >= this.last.at(slot)) {
      this.last.set(slot, order);
      const resets = (this.groups[this.connectionGroup.at(slot)] as Group).resets;
      if (reset) resets.add(slot);
      else resets.delete(slot);
    }
    return slot;
  }

  /**
   * A client whose connection the emulator reset reconnects: its next new connection (same
   * User-Agent and key, first used after the reset) continues the reset one. Resolved again at
   * every window of a long journal (index.ts): only the groups with a reset connection are gone
   * over, and each reset finds its continuation by a binary search, not a scan of the group.
   */
  private chainResets(): void {
    this.roots = new Map();
    this.chained = new Map();
    for (const group of this.groups) {
      if (group.resets.size === 0) continue;
      // The group's connections by when they were first used, those first used together in the
      // order met (their slots' order): sorted again only when one came out of that order.
      const byFirst = (a: number, b: number) => this.first.at(a) - this.first.at(b) || a - b;
      if (group.unordered) {
        group.connections.sort(byFirst);
        group.unordered = false;
      }
      const list = group.connections;
      const resets = [...group.resets].sort((a, b) => this.last.at(a) - this.last.at(b) || byFirst(a, b));
      // Each reset claims the first connection not yet claimed that was first used after it ended:
      // past those claimed by a skip map (each claimed one points past itself).
      const skip = new Map<number, number>();
      const unclaimed = (from: number): number => {
        let i = from;
        for (let next = skip.get(i); next !== undefined; next = skip.get(i)) i = next;
        if (i !== from) skip.set(from, i);
        return i;
      };
      for (const slot of resets) {
        const end = this.last.at(slot);
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (this.first.at(list.at(mid)) > end) hi = mid;
          else lo = mid + 1;
        }
        const next = unclaimed(lo);
        if (next === list.length) continue;
        skip.set(next, next + 1);
        const claimed = list.at(next);
        const root = this.roots.get(slot) ?? slot;
        this.roots.set(claimed, root);
        this.chained.set(root, (this.chained.get(root) ?? 0) + this.connectionRequests.at(claimed));
        // A reconnection is its client's, not its group's.
        if (this.slotIdentity.at(claimed) === SOLO) this.promote(claimed);
      }
    }
  }

  /**
   * Folds into their group's client the connections that carried one request without a header
   * (or one with a header: its client is named anyway) which took effect before `before`, in no
   * chain and not reset: their requests have left the held operations. A folded connection met
   * again is a client of its own from its second request on; its first stays with its group's.
   * Called by the analysis as each window is settled (index.ts).
   */
  fold(before: number): void {
    const count = this.connectionId.length;
    const to = new Int32Array(count);
    let kept = 0;
    for (let slot = 0; slot < count; slot++) {
      const identity = this.slotIdentity.at(slot);
      const once = identity === SOLO || (identity === -1 && this.connectionRequests.at(slot) === 1);
      const g = this.connectionGroup.at(slot);
      if (!once || this.last.at(slot) >= before || this.inChain(slot) || (this.groups[g] as Group).resets.has(slot)) {
        to[slot] = kept++;
        continue;
      }
      to[slot] = -1;
      const connection = this.connectionId.at(slot);
      const dense = this.sparse.size === 0 || this.sparse.get(connection) !== slot;
      if (dense) this.dense[connection] = FOLDED;
      else {
        this.sparse.delete(connection);
        this.foldedSparse.add(connection);
      }
      if (identity !== SOLO) continue;
      const group = this.groups[g] as Group;
      // The lowest numbers are listed: cut back to them now and then; past the highest kept, none can be.
      if (connection < group.foldedCut) {
        group.folded.push(connection);
        if (group.folded.length === 2 * LISTED_CONNECTIONS) {
          group.folded = uniqueSorted(group.folded).slice(0, LISTED_CONNECTIONS);
          group.foldedCut = group.folded[LISTED_CONNECTIONS - 1] as number;
        }
      }
      group.foldedCount++;
      group.foldedArrival = Math.min(group.foldedArrival, this.slotArrival.at(slot));
    }
    if (kept === count) return;
    // The slots kept move down: every list of slots follows.
    for (let slot = 0; slot < count; slot++) {
      const next = to[slot] as number;
      if (next < 0 || next === slot) continue;
      const connection = this.connectionId.at(slot);
      if (this.sparse.size > 0 && this.sparse.get(connection) === slot) this.sparse.set(connection, next);
      else this.dense[connection] = next + 1;
      this.slotOp[next] = this.slotOp[slot];
    }
    for (let slot = kept; slot < count; slot++) this.slotOp[slot] = undefined;
    for (const column of [this.connectionId, this.first, this.last, this.slotArrival]) column.compact(to, kept);
    for (const column of [this.connectionRequests, this.connectionGroup, this.slotIdentity, this.namedBy]) column.compact(to, kept);
    for (let n = 0; n < this.slot.length; n++) {
      const slot = this.slot.at(n);
      if (slot >= 0) this.slot.set(n, to[slot] as number);
    }
    for (const group of this.groups) {
      group.connections.remap(to);
      if (group.resets.size > 0) group.resets = new Set([...group.resets].map((slot) => to[slot] as number));
    }
    // Chains hold no folded slot.
    const moved = (m: ReadonlyMap<number, number>) => new Map([...m].map(([a, b]) => [to[a] as number, to[b] as number]));
    const named = this.provisional?.roots;
    this.roots = moved(this.roots);
    if (this.provisional && named) this.provisional.roots = moved(named);
    this.chained = new Map([...this.chained].map(([root, n]) => [to[root] as number, n]));
  }

  /** A reconnection (`roots`) or a connection that was reset and continued (`chained`). */
  private inChain(slot: number): boolean {
    return (this.roots.size > 0 && this.roots.has(slot)) || (this.chained.size > 0 && this.chained.has(slot));
  }

  /** The first identity whose connection joined, left or changed a chain since `roots` (infinity: none). */
  private rechainedFrom(roots: ReadonlyMap<number, number>): number {
    let from = Number.POSITIVE_INFINITY;
    const at = (slot: number | undefined) => {
      const n = slot === undefined ? -1 : this.slotIdentity.at(slot);
      if (n >= 0 && n < from) from = n;
    };
    for (const [claimed, root] of this.roots) {
      const was = roots.get(claimed);
      if (was === root) continue;
      at(claimed);
      at(root);
      at(was);
    }
    for (const [claimed, root] of roots) {
      if (this.roots.has(claimed)) continue;
      at(claimed);
      at(root);
    }
    return from;
  }

  /**
   * Client names per identity index, and with `summaries`, a summary per client (the run's
   * last window: a window before it needs only the names).
   */
  resolve(run: number | undefined, taken: Set<string>, summaries = true): { names: string[]; clients: ClientSummary[] } {
    this.chainResets();
    // Before the run's end, names only: those the last window gave stand while none of the
    // identities they named became another client since (a connection's second request, a
    // reconnection), and only the identities met since are named. A journal whose requests each
    // name a client of their own would otherwise be named anew at each window, every client each time.
    const before = this.provisional;
    const from = summaries || before === undefined ? 0 : Math.min(before.names.length, this.renamedFrom, this.rechainedFrom(before.roots));
    this.renamedFrom = Number.POSITIVE_INFINITY;
    const { names, clients, first, taken: used } = from > 0 && before ? before : { names: [] as string[], clients: new Map<string, ClientSummary>(), first: new Map<string, number>(), taken };
    if (from > 0) {
      // The clients first met from there on are met again, in the same order: each gets the same name or its new one.
      names.length = from;
      for (const [key, at] of first) {
        if (at < from) continue;
        first.delete(key);
        used.delete((clients.get(key) as ClientSummary).id);
        clients.delete(key);
      }
    }
    this.provisional = summaries ? undefined : { names, clients, first, taken: used, roots: this.roots };
    // For the summaries: the connections still held with one request, by group, and when each client's first request came.
    const soloLive = new Map<number, number[]>();
    const soloArrival = new Map<number, number>();
    const arrivalOf = new Map<ClientSummary, number>();
    const more = new Map<ClientSummary, number>();
    if (summaries) {
      for (let slot = 0; slot < this.connectionId.length; slot++) {
        if (this.slotIdentity.at(slot) !== SOLO) continue;
        const g = this.connectionGroup.at(slot);
        let list = soloLive.get(g);
        if (!list) soloLive.set(g, (list = []));
        list.push(this.connectionId.at(slot));
        soloArrival.set(g, Math.min(soloArrival.get(g) ?? Number.POSITIVE_INFINITY, this.slotArrival.at(slot)));
      }
    }
    let last: ClientSummary | undefined;
    let lastKey: string | undefined;
    for (let n = names.length; n < this.header.length; n++) {
      const header = this.header[n] as string | null;
      const group = this.groups[this.group.at(n)] as Group;
      const slot = this.slot.at(n);
      let key: string;
      let name: string;
      let by: ClientBasis;
      if (header !== null) {
        key = `h\u0000${header}`;
        name = header;
        by = 'header';
      } else {
        // Identities with a connection and no header are the keep-alive clients: few, looked up in the maps.
        const root = slot >= 0 ? (this.roots.get(slot) ?? slot) : slot;
        if (root >= 0 && this.connectionRequests.at(root) + (this.chained.get(root) ?? 0) > 1) {
          const id = this.connectionId.at(root);
          key = `c\u0000${group.key}\u0000${id}`;
          name = `${group.agent}#${id}`;
          by = 'connection';
        } else {
          key = group.byAgent;
          name = group.agent;
          by = 'user-agent';
        }
      }
      // Most identities in a row are of one client (the connections of one User-Agent): no lookup for them.
      let c = key === lastKey ? last : clients.get(key);
      if (!c) {
        let unique = name;
        for (let k = 2; used.has(unique); k++) unique = `${name}~${k}`;
        used.add(unique);
        c = { id: unique, by, userAgent: group.userAgent, keyHash: group.keyHash, connections: [], connectionCount: 0, requests: 0, ...(run === undefined ? {} : { run }) };
        clients.set(key, c);
        first.set(key, n);
      }
      last = c;
      lastKey = key;
      names.push(c.id);
      if (!summaries) continue;
      c.requests += this.requests.at(n);
      let arrival = this.arrival.at(n);
      let extra = 0;
      if (header !== null) {
        const set = this.named.get(n);
        if (set) for (const connection of set) c.connections.push(connection);
        else if (!Number.isNaN(this.namedFirst.at(n))) c.connections.push(this.namedFirst.at(n));
        extra = this.namedMore.get(n) ?? 0;
      } else if (n === group.solo) {
        const g = this.group.at(n);
        for (const connection of group.folded) c.connections.push(connection);
        for (const connection of soloLive.get(g) ?? []) c.connections.push(connection);
        extra = group.foldedCount - group.folded.length;
        arrival = Math.min(group.foldedArrival, soloArrival.get(g) ?? Number.POSITIVE_INFINITY);
      } else if (slot >= 0) c.connections.push(this.connectionId.at(slot));
      if (extra > 0) more.set(c, (more.get(c) ?? 0) + extra);
      arrivalOf.set(c, Math.min(arrivalOf.get(c) ?? Number.POSITIVE_INFINITY, arrival));
    }
    if (!summaries) return { names, clients: [] };
    for (const c of clients.values()) {
      // Gathered in a list, sorted and made unique here, not in a set: a client that opens a
      // connection per request has as many as it has requests.
      const all = uniqueSorted(c.connections);
      c.connectionCount = all.length + (more.get(c) ?? 0);
      c.connections = all.length > LISTED_CONNECTIONS ? all.slice(0, LISTED_CONNECTIONS) : all;
    }
    // In the order their first requests came. A group's solo identity all of whose requests moved
    // to their connections' own is not listed; it was named in every window as in this one (a
    // name skipped at the end only would give a client another name than the findings before).
    const list = [...clients.values()].filter((c) => c.requests > 0).sort((a, b) => (arrivalOf.get(a) as number) - (arrivalOf.get(b) as number));
    return { names, clients: list };
  }
}

/** The numbers in ascending order, each once. */
function uniqueSorted(list: number[]): number[] {
  const sorted = Float64Array.from(list).sort();
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i] as number);
  return out;
}

function groupKey(keyHash: string | null, userAgent: string | null): string {
  return (keyHash ?? '') + '\u0000' + (userAgent ?? '');
}

/** `Boto3/1.34.0 md/...` → `Boto3`: the product token, short enough to read in a report. */
function agentName(userAgent: string | null): string {
  const first = userAgent?.trim().split(/[\s/]/, 1)[0];
  return first ? first : 'unknown';
}
