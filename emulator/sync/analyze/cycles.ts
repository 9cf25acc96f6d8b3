import { readSaw } from './history.js';
import { actionOf, attributesRead, changedItem, clientOf, operationOf, predicateOf, returnedNames, type ReadOp, type WriteOp } from './ops.js';
import type { CycleClass, CycleEdge, Evidence } from './types.js';

/**
 * Anomalies across items, found as Elle finds them (Kingsbury and Alvaro, "Elle: Inferring
 * Isolation Anomalies from Experimental Observations"): logical operations are nodes; an edge
 * T1 → T2 says T2 must come after T1: ww (T2 wrote the next version of something T1 wrote), wr
 * (T2 read a version T1 wrote), rw (T1 read a version and T2 wrote the next one), and
 * predicate rw (T1's Select where-clause named an attribute T2 then changed, unseen by T1). A
 * cycle is an anomaly: only ww edges, G0; ww and wr, G1c; one rw, G-single (read skew); more,
 * G2-item (write skew), or G2 with a predicate edge (a phantom). Cycles within one item are the
 * lost updates the histories already report, so only cycles over two items or more are kept.
 */

/** A logical operation: an X-SimpleDB-Operation id of one client, or a run of reads then writes of one client. */
interface Txn {
  id: number;
  client: string;
  /** The operation id it carried; undefined when inferred. */
  operation: string | undefined;
  ops: (ReadOp | WriteOp)[];
}

interface Edge {
  to: number;
  type: CycleEdge['type'];
  key: string;
  from: ReadOp | WriteOp;
  by: ReadOp | WriteOp;
}

export interface Cycle {
  class: CycleClass;
  /** Every operation of the cycle carried an operation id. */
  instrumented: boolean;
  domain: string;
  account: string;
  items: string[];
  clients: string[];
  edges: CycleEdge[];
  evidence: Evidence[];
}

/** At most this many cycles are reported per run: each costs a search, and a hundred already say enough. */
export const MAX_CYCLES = 100;
const TYPE_INDEX: Record<CycleEdge['type'], number> = { ww: 0, wr: 1, rw: 2, predicate: 3 };
const SCANNED_EDGES = 16;
const SEP = '\u0000';

/**
 * Which cycles a window of the stream reports (index.ts): those whose last request took effect in
 * [from, to), so that a cycle found again in the next window is not reported twice; at most `max`.
 */
export interface CycleWindow {
  from: number;
  to: number;
  max: number;
}

/** `ordered`: the reads and writes already in order, when no two share one (the caller has sorted them). */
export function findCycles(
  reads: readonly ReadOp[],
  writes: readonly WriteOp[],
  names: readonly string[],
  window: CycleWindow = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY, max: MAX_CYCLES },
  ordered?: readonly (ReadOp | WriteOp)[],
): Cycle[] {
  if (window.max <= 0) return [];
  const inOrder = ordered ?? [...reads, ...writes].sort((a, b) => a.order - b.order);
  // An edge joins two operations that both touched the item of its key, so a cycle over two
  // items passes through an operation that touched both. Without one, every cycle stays within
  // an item (the lost updates the histories report): the graph would find nothing to keep.
  if (!someSpansItems(inOrder, names)) return [];
  const txns = operations(inOrder, names);
  // By seq, unique in a run and close together in a window: an array, not a map keyed by the request.
  let first = Number.POSITIVE_INFINITY;
  let lastSeq = Number.NEGATIVE_INFINITY;
  for (const t of txns) {
    for (const op of t.ops) {
      first = Math.min(first, op.seq);
      lastSeq = Math.max(lastSeq, op.seq);
    }
  }
  const bySeq = new Array<Txn | undefined>(Math.max(0, lastSeq - first + 1));
  for (const t of txns) for (const op of t.ops) bySeq[op.seq - first] = t;
  const txnOf = { get: (op: ReadOp | WriteOp) => bySeq[op.seq - first] };

  // Versions per account, domain, item and attribute: the applied writes touching it, in order.
  // By item, then attribute (in the order first written), and all of them in that order: a key
  // joined per read and looked up was a tenth of the search's time.
  const byItem = new Map<string, Map<string, Versions>>();
  const versions: Versions[] = [];
  for (const w of writes) {
    if (!w.applied) continue;
    for (const c of w.changes) {
      const itemKey = c.place.key;
      let attrs = byItem.get(itemKey);
      if (!attrs) byItem.set(itemKey, (attrs = new Map()));
      // The attributes it put, deleted, and with a whole item's delete every one written before: each version once.
      for (const p of c.puts) wrote(attrs, itemKey, p.name, w, versions);
      for (const d of c.deletes) wrote(attrs, itemKey, d.name, w, versions);
      if (c.wholeItem) for (const v of attrs.values()) if (v.list.at(-1) !== w) v.list.push(w);
    }
  }
  for (const v of versions) v.list.sort((a, b) => a.order - b.order);

  // By operation: its edges out. One edge per pair of operations and type: the first pair of
  // requests found proves it. An operation has few edges: those made are scanned for the pair,
  // past SCANNED_EDGES looked up in a set of its own (a map and a set per operation were a
  // tenth of the CPU time of a journal whose operations spanned items, with their garbage).
  const edges = new Array<Edge[] | undefined>(txns.length);
  const known = new Map<number, Set<number>>();
  const add = (from: Txn | undefined, to: Txn | undefined, type: Edge['type'], key: string, a: ReadOp | WriteOp, b: ReadOp | WriteOp) => {
    if (!from || !to || from === to) return;
    let list = edges[from.id];
    if (!list) edges[from.id] = list = [];
    const id = to.id * 4 + TYPE_INDEX[type];
    if (list.length < SCANNED_EDGES) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i] as Edge;
        if (e.to === to.id && e.type === type) return;
      }
    } else {
      let seen = known.get(from.id);
      if (!seen) known.set(from.id, (seen = new Set(list.map((e) => e.to * 4 + TYPE_INDEX[e.type]))));
      if (seen.has(id)) return;
      seen.add(id);
    }
    list.push({ to: to.id, type, key, from: a, by: b });
  };
  for (const { key, list } of versions) {
    for (let i = 1; i < list.length; i++) add(txnOf.get(list[i - 1] as WriteOp), txnOf.get(list[i] as WriteOp), 'ww', key, list[i - 1] as WriteOp, list[i] as WriteOp);
  }
  for (const r of reads) {
    const t = txnOf.get(r);
    // A read in no operation (a listing) gains no edge.
    if (!t) continue;
    for (const { key, list } of observed(r, byItem)) {
      const seen = seenPrefix(list, r);
      const observed = seen > 0 ? list[seen - 1] : undefined;
      if (observed) add(txnOf.get(observed), t, 'wr', key, observed, r);
      const next = list[seen];
      if (next) add(t, txnOf.get(next), 'rw', key, r, next);
    }
    const predicate = predicateOf(r);
    if (predicate) {
      // The first unseen write of each item of the domain that touches an attribute the where clause names.
      for (const { key, list } of versions) {
        const [account, domain, , attribute] = key.split(SEP);
        if (account !== r.place.account || domain !== r.place.domain || !(predicate.has(attribute ?? '') || predicate.has('itemName()'))) continue;
        const next = list[seenPrefix(list, r)];
        if (next) add(t, txnOf.get(next), 'predicate', key, r, next);
      }
    }
  }

  const out: Cycle[] = [];
  for (const component of stronglyConnected(txns.length, edges)) {
    if (component.length < 2 || out.length >= window.max) continue;
    const cycle = shortestCycle(component, edges);
    if (!cycle) continue;
    let last = Number.NEGATIVE_INFINITY;
    for (const e of cycle) last = Math.max(last, e.from.order, e.by.order);
    if (last < window.from || last >= window.to) continue;
    const items = new Set(cycle.map((e) => e.key.split(SEP)[2] ?? ''));
    if (items.size < 2) continue;
    const members = cycle.map((e) => txns[e.fromTxn] as Txn);
    const rw = cycle.filter((e) => e.type === 'rw' || e.type === 'predicate').length;
    const cls: CycleClass = cycle.some((e) => e.type === 'predicate')
      ? 'G2'
      : rw === 0
        ? cycle.every((e) => e.type === 'ww')
          ? 'G0'
          : 'G1c'
        : rw === 1
          ? 'G-single'
          : 'G2-item';
    const [account = '', domain = ''] = cycle[0]?.key.split(SEP) ?? [];
    const evidence: Evidence[] = [];
    for (const e of cycle) {
      for (const op of [e.from, e.by]) {
        if (!evidence.some((x) => x.seq === op.seq)) {
          evidence.push({ seq: op.seq, role: op.kind === 'read' ? 'cycle-read' : 'cycle-write', client: clientOf(names, op), action: actionOf(op) });
        }
      }
    }
    out.push({
      class: cls,
      instrumented: members.every((m) => m.operation !== undefined),
      account,
      domain,
      items: [...items].sort(),
      clients: [...new Set(members.map((m) => m.client))],
      edges: cycle.map((e) => {
        const [, , item = '', attribute = ''] = e.key.split(SEP);
        const label = (t: Txn) => `${t.client}${t.operation ? ` ${t.operation}` : ''}`;
        return { from: label(txns[e.fromTxn] as Txn), to: label(txns[e.to] as Txn), type: e.type, item, attribute, seqs: [e.from.seq, e.by.seq] };
      }),
      evidence,
    });
  }
  return out;
}

/**
 * Operations: requests that carried the same operation id (per client); the rest, per client, a
 * run of reads followed by the writes after them (a new run starts at a read after a write).
 * A Select without a where clause does not start or join an inferred operation: a listing is
 * read for display at least as often as to decide a write.
 */
function operations(ops: readonly (ReadOp | WriteOp)[], names: readonly string[]): Txn[] {
  const txns: Txn[] = [];
  groupOperations(
    ops,
    names,
    (client, operation) => {
      const t: Txn = { id: txns.length, client, operation, ops: [] };
      txns.push(t);
      return t;
    },
    (t, op) => {
      t.ops.push(op);
      return false;
    },
  );
  return txns;
}

/**
 * The grouping `operations` describes, for any kind of group: `open` makes a client's next one
 * (given the group it ends, which no request joins again, when there is one), `visit` takes each
 * request into its group and may stop the walk (returning true). True when it did.
 */
function groupOperations<G>(
  ops: readonly (ReadOp | WriteOp)[],
  names: readonly string[],
  open: (client: string, operation: string | undefined, ended: G | undefined) => G,
  visit: (group: G, op: ReadOp | WriteOp) => boolean,
): boolean {
  const byId = new Map<string, G>();
  const current = new Map<string, { group: G; wrote: boolean }>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as ReadOp | WriteOp;
    const client = clientOf(names, op);
    let group: G;
    const operation = operationOf(op);
    if (operation !== undefined) {
      const key = client + SEP + operation;
      let g = byId.get(key);
      if (g === undefined) byId.set(key, (g = open(client, operation, undefined)));
      group = g;
    } else {
      if (op.kind === 'read' && op.place.item === undefined && !predicateOf(op)) continue;
      let c = current.get(client);
      if (!c) current.set(client, (c = { group: open(client, undefined, undefined), wrote: false }));
      else if (op.kind === 'read' && c.wrote) {
        c.group = open(client, undefined, c.group);
        c.wrote = false;
      }
      if (op.kind === 'write') c.wrote = true;
      group = c.group;
    }
    if (visit(group, op)) return true;
  }
  return false;
}

/** What an operation touched so far: its first item. */
interface Touched {
  any: boolean;
  account: string;
  domain: string;
  item: string;
}

/** The operation's first item. */
function first(t: Touched, op: ReadOp | WriteOp, item: string): void {
  t.any = true;
  t.account = op.place.account;
  t.domain = op.place.domain;
  t.item = item;
}

/** Whether the request takes the operation to a second item (a Select: its whole domain); the first item it touches is kept. */
function touchesAnother(t: Touched, op: ReadOp | WriteOp): boolean {
  if (op.kind === 'read') {
    if (op.place.item === undefined) return true;
    if (!t.any) first(t, op, op.place.item);
    else if (op.place.item !== t.item || op.place.domain !== t.domain || op.place.account !== t.account) return true;
    return false;
  }
  for (const c of op.changes) {
    if (!t.any) first(t, op, changedItem(c));
    else if (changedItem(c) !== t.item || op.place.domain !== t.domain || op.place.account !== t.account) return true;
  }
  return false;
}

/**
 * Whether an operation, as `operations` groups the requests, touched two items or more (a Select
 * counts as touching its whole domain): found without building the operations, since most
 * windows have none, and then the cycle search stops here.
 */
function someSpansItems(ops: readonly (ReadOp | WriteOp)[], names: readonly string[]): boolean {
  return groupOperations(ops, names, touching, touchesAnother);
}

/** A group for `someSpansItems`: the one it ends, emptied (a window has one per client's run of reads and writes: thousands). */
function touching(_client: string, _operation: string | undefined, ended: Touched | undefined): Touched {
  if (ended === undefined) return { any: false, account: '', domain: '', item: '' };
  ended.any = false;
  return ended;
}

/** An attribute's versions: its key (account, domain, item, attribute) and the applied writes touching it. */
interface Versions {
  key: string;
  list: WriteOp[];
}

function wrote(attrs: Map<string, Versions>, itemKey: string, attribute: string, w: WriteOp, all: Versions[]): void {
  let v = attrs.get(attribute);
  if (!v) {
    attrs.set(attribute, (v = { key: itemKey + SEP + attribute, list: [] }));
    all.push(v);
  }
  if (v.list.at(-1) !== w) v.list.push(w);
}

/** The attributes whose version a read observed. */
function observed(r: ReadOp, byItem: ReadonlyMap<string, ReadonlyMap<string, Versions>>): Versions[] {
  const read = attributesRead(r);
  const out: Versions[] = [];
  if (r.place.item !== undefined) {
    for (const [a, v] of byItem.get(r.place.key) ?? []) if (read === undefined || read.has(a)) out.push(v);
    return out;
  }
  for (const item of returnedNames(r) ?? []) {
    for (const [a, v] of byItem.get(`${r.place.account}${SEP}${r.place.domain}${SEP}${item}`) ?? []) if (read === undefined || read.has(a)) out.push(v);
  }
  return out;
}

/** How many of the versions (in order) the read saw: they are a prefix, numbered as they happen. */
function seenPrefix(list: readonly WriteOp[], r: ReadOp): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (readSaw(r, list[mid] as WriteOp)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Tarjan's algorithm, without recursion: the components of two operations or more (one alone
 * holds no cycle), in the order found. Its stacks are arrays of numbers: a pair per node visited
 * and a component per node were garbage by the thousand at every window.
 */
function stronglyConnected(n: number, edges: readonly (Edge[] | undefined)[]): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  // The depth-first path: each node and how many of its edges it has followed.
  const path = new Int32Array(n);
  const followed = new Int32Array(n);
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    path[0] = root;
    followed[0] = 0;
    while (depth >= 0) {
      const v = path[depth] as number;
      const i = followed[depth] as number;
      if (i === 0 && index[v] === -1) {
        index[v] = low[v] = counter++;
        stack[top++] = v;
        onStack[v] = 1;
      }
      const list = edges[v];
      if (list !== undefined && i < list.length) {
        followed[depth] = i + 1;
        const w = (list[i] as Edge).to;
        if (index[w] === -1) {
          depth++;
          path[depth] = w;
          followed[depth] = 0;
        } else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      depth--;
      if (depth >= 0) {
        const parent = path[depth] as number;
        low[parent] = Math.min(low[parent] as number, low[v] as number);
      }
      if (low[v] === index[v]) {
        if (stack[top - 1] === v) {
          top--;
          onStack[v] = 0;
          continue;
        }
        const component: number[] = [];
        let w: number;
        do {
          w = stack[--top] as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        out.push(component);
      }
    }
  }
  return out;
}

/** A shortest cycle through the component's first node, by breadth-first search inside the component. */
function shortestCycle(component: readonly number[], edges: readonly (Edge[] | undefined)[]): (Edge & { fromTxn: number })[] | undefined {
  const inside = new Set(component);
  const start = component[0] as number;
  const back = new Map<number, Edge & { fromTxn: number }>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q] as number;
    for (const e of edges[v] ?? []) {
      if (!inside.has(e.to)) continue;
      if (e.to === start) {
        const path = [{ ...e, fromTxn: v }];
        for (let x = v; x !== start; ) {
          const prev = back.get(x) as Edge & { fromTxn: number };
          path.unshift(prev);
          x = prev.fromTxn;
        }
        return path;
      }
      if (back.has(e.to)) continue;
      back.set(e.to, { ...e, fromTxn: v });
      queue.push(e.to);
    }
  }
  return undefined;
}
