import { readSaw } from './history.js';
import { actionOf, attributesRead, changedItem, clientOf, operationOf, predicateOf, returnedNames, type ReadOp, type WriteOp } from './ops.js';
import { grownInts } from './column.js';
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
const [WW, WR, RW, PREDICATE] = [0, 1, 2, 3];
const TYPES: readonly CycleEdge['type'][] = ['ww', 'wr', 'rw', 'predicate'];
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

/**
 * `ordered`: the reads and writes already in order, when no two share one (the caller has sorted them).
 *
 * Each pass is a function of its own: a long loop is compiled on its own entry point (on-stack
 * replacement), and as one function of six loops, called once per window, the search was compiled
 * eleven times over a journal of a million one-request connections, half a second in all.
 */
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
  const txns = new Operations(inOrder, names);
  const { byItem, versions } = versionsOf(writes);
  const graph = new Graph(txns.list.length);
  versionEdges(graph, txns, versions);
  readEdges(graph, txns, reads, byItem, versions);
  return cyclesOf(graph, txns, versions, names, window);
}

/**
 * Each request's operation, and each request by its place among the window's: by seq, unique in a
 * run and close together in a window (arrays, not maps keyed by the request).
 */
class Operations {
  readonly list: Txn[];
  private readonly first: number;
  private readonly bySeq: (Txn | undefined)[];
  private readonly requests: (ReadOp | WriteOp | undefined)[];

  constructor(inOrder: readonly (ReadOp | WriteOp)[], names: readonly string[]) {
    const [first, last] = seqRange(inOrder);
    this.first = first;
    this.bySeq = new Array<Txn | undefined>(Math.max(0, last - first + 1));
    this.requests = new Array<ReadOp | WriteOp | undefined>(this.bySeq.length);
    this.list = operations(inOrder, names, (t, op) => {
      this.bySeq[op.seq - first] = t;
      this.requests[op.seq - first] = op;
    });
  }

  of(op: ReadOp | WriteOp): Txn | undefined {
    return this.bySeq[op.seq - this.first];
  }

  /** The request's number in the window: what an edge keeps of it. */
  numberOf(op: ReadOp | WriteOp): number {
    return op.seq - this.first;
  }

  request(n: number): ReadOp | WriteOp {
    return this.requests[n] as ReadOp | WriteOp;
  }
}

function seqRange(ops: readonly (ReadOp | WriteOp)[]): [number, number] {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < ops.length; i++) {
    const seq = (ops[i] as ReadOp | WriteOp).seq;
    first = Math.min(first, seq);
    last = Math.max(last, seq);
  }
  return [first, last];
}

/**
 * Versions per account, domain, item and attribute: the applied writes touching it, in order. By
 * item, then attribute (in the order first written), and all of them in that order: a key joined
 * per read and looked up was a tenth of the search's time.
 */
function versionsOf(writes: readonly WriteOp[]): { byItem: Map<string, Map<string, Versions>>; versions: Versions[] } {
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
  return { byItem, versions };
}

/** An edge between the operations of two requests, when both are in one. */
function edge(graph: Graph, txns: Operations, type: number, version: number, a: ReadOp | WriteOp, b: ReadOp | WriteOp): void {
  const from = txns.of(a);
  const to = txns.of(b);
  if (from && to) graph.add(from.id, to.id, type, version, txns.numberOf(a), txns.numberOf(b));
}

/** ww: each version to the next. */
function versionEdges(graph: Graph, txns: Operations, versions: readonly Versions[]): void {
  for (let v = 0; v < versions.length; v++) {
    const list = (versions[v] as Versions).list;
    for (let i = 1; i < list.length; i++) edge(graph, txns, WW, v, list[i - 1] as WriteOp, list[i] as WriteOp);
  }
}

/** wr and rw: each read from the version it saw and to the next; predicate: a Select to the first unseen write its where clause names. */
function readEdges(graph: Graph, txns: Operations, reads: readonly ReadOp[], byItem: ReadonlyMap<string, ReadonlyMap<string, Versions>>, versions: readonly Versions[]): void {
  for (const r of reads) {
    // A read in no operation (a listing) gains no edge.
    if (!txns.of(r)) continue;
    for (const { index, list } of observed(r, byItem)) {
      const seen = seenPrefix(list, r);
      const observed = seen > 0 ? list[seen - 1] : undefined;
      if (observed) edge(graph, txns, WR, index, observed, r);
      const next = list[seen];
      if (next) edge(graph, txns, RW, index, r, next);
    }
    const predicate = predicateOf(r);
    if (predicate) {
      // The first unseen write of each item of the domain that touches an attribute the where clause names.
      for (const { key, list, index } of versions) {
        const [account, domain, , attribute] = key.split(SEP);
        if (account !== r.place.account || domain !== r.place.domain || !(predicate.has(attribute ?? '') || predicate.has('itemName()'))) continue;
        const next = list[seenPrefix(list, r)];
        if (next) edge(graph, txns, PREDICATE, index, r, next);
      }
    }
  }
}

/** The cycles of the graph's components, one each, that the window reports. */
function cyclesOf(graph: Graph, txns: Operations, versions: readonly Versions[], names: readonly string[], window: CycleWindow): Cycle[] {
  const out: Cycle[] = [];
  for (const component of stronglyConnected(txns.list.length, graph)) {
    if (component.length < 2 || out.length >= window.max) continue;
    const cycle = shortestCycle(component, graph, txns, versions);
    if (!cycle) continue;
    let last = Number.NEGATIVE_INFINITY;
    for (const e of cycle) last = Math.max(last, e.from.order, e.by.order);
    if (last < window.from || last >= window.to) continue;
    const items = new Set(cycle.map((e) => e.key.split(SEP)[2] ?? ''));
    if (items.size < 2) continue;
    const members = cycle.map((e) => txns.list[e.fromTxn] as Txn);
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
        return { from: label(txns.list[e.fromTxn] as Txn), to: label(txns.list[e.to] as Txn), type: e.type, item, attribute, seqs: [e.from.seq, e.by.seq] };
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
function operations(ops: readonly (ReadOp | WriteOp)[], names: readonly string[], visit: (t: Txn, op: ReadOp | WriteOp) => void): Txn[] {
  const txns: Txn[] = [];
  groupOperations(
    ops,
    names,
    (client, operation) => {
      const t: Txn = { id: txns.length, client, operation };
      txns.push(t);
      return t;
    },
    (t, op) => {
      visit(t, op);
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

/** An attribute's versions: its key (account, domain, item, attribute), the applied writes touching it, and its place among all. */
interface Versions {
  key: string;
  list: WriteOp[];
  index: number;
}

function wrote(attrs: Map<string, Versions>, itemKey: string, attribute: string, w: WriteOp, all: Versions[]): void {
  let v = attrs.get(attribute);
  if (!v) {
    attrs.set(attribute, (v = { key: itemKey + SEP + attribute, list: [], index: all.length }));
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
 * The edges between operations, as columns of numbers (the requests that prove an edge by their
 * number in the window, `Operations.numberOf`), each operation's in the order made: an object per
 * edge and a list per operation were most of the search's garbage, and lists of the requests,
 * grown a push at a time, went through the large-object space. One edge per pair of operations
 * and type: the first pair of requests found proves it. An operation has few edges: its own are
 * scanned for the pair, past SCANNED_EDGES looked up in a set of its own.
 */
class Graph {
  /** Per operation: its first and last edge out (-1: none), and how many. */
  readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly degree: Int32Array;
  // Per edge: where it goes, its type, the attribute's versions it is about, the requests that prove it, and the next edge of its operation.
  private toColumn = new Int32Array(1024);
  private typeColumn = new Int32Array(1024);
  private versionColumn = new Int32Array(1024);
  private fromColumn = new Int32Array(1024);
  private byColumn = new Int32Array(1024);
  private nextColumn = new Int32Array(1024);
  private edges = 0;
  private readonly known = new Map<number, Set<number>>();

  constructor(operations: number) {
    this.head = new Int32Array(operations).fill(-1);
    this.tail = new Int32Array(operations).fill(-1);
    this.degree = new Int32Array(operations);
  }

  to(e: number): number {
    return this.toColumn[e] as number;
  }

  type(e: number): number {
    return this.typeColumn[e] as number;
  }

  version(e: number): number {
    return this.versionColumn[e] as number;
  }

  /** The requests that prove the edge, by their number in the window. */
  from(e: number): number {
    return this.fromColumn[e] as number;
  }

  by(e: number): number {
    return this.byColumn[e] as number;
  }

  /** The operation's next edge (-1: none). */
  next(e: number): number {
    return this.nextColumn[e] as number;
  }

  add(from: number, to: number, type: number, version: number, a: number, b: number): void {
    if (from === to) return;
    if ((this.degree[from] as number) < SCANNED_EDGES) {
      for (let e = this.head[from] as number; e !== -1; e = this.nextColumn[e] as number) if (this.toColumn[e] === to && this.typeColumn[e] === type) return;
    } else {
      let seen = this.known.get(from);
      if (!seen) {
        seen = new Set();
        for (let e = this.head[from] as number; e !== -1; e = this.nextColumn[e] as number) seen.add((this.toColumn[e] as number) * 4 + (this.typeColumn[e] as number));
        this.known.set(from, seen);
      }
      if (seen.has(to * 4 + type)) return;
      seen.add(to * 4 + type);
    }
    const e = this.edges++;
    if (e === this.toColumn.length) this.grow();
    this.toColumn[e] = to;
    this.typeColumn[e] = type;
    this.versionColumn[e] = version;
    this.fromColumn[e] = a;
    this.byColumn[e] = b;
    this.nextColumn[e] = -1;
    const last = this.tail[from] as number;
    if (last === -1) this.head[from] = e;
    else this.nextColumn[last] = e;
    this.tail[from] = e;
    this.degree[from] = (this.degree[from] as number) + 1;
  }

  private grow(): void {
    const size = 2 * this.toColumn.length;
    this.toColumn = grownInts(this.toColumn, size);
    this.typeColumn = grownInts(this.typeColumn, size);
    this.versionColumn = grownInts(this.versionColumn, size);
    this.fromColumn = grownInts(this.fromColumn, size);
    this.byColumn = grownInts(this.byColumn, size);
    this.nextColumn = grownInts(this.nextColumn, size);
  }
}

/**
 * Tarjan's algorithm, without recursion: the components of two operations or more (one alone
 * holds no cycle), in the order found. Its stacks are arrays of numbers: a pair per node visited
 * and a component per node were garbage by the thousand at every window.
 */
function stronglyConnected(n: number, graph: Graph): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  // The depth-first path: each node and its next edge to follow (-1: none left; ENTER: not yet entered).
  const ENTER = -2;
  const path = new Int32Array(n);
  const cursor = new Int32Array(n);
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    path[0] = root;
    cursor[0] = ENTER;
    while (depth >= 0) {
      const v = path[depth] as number;
      let e = cursor[depth] as number;
      if (e === ENTER) {
        index[v] = low[v] = counter++;
        stack[top++] = v;
        onStack[v] = 1;
        e = graph.head[v] as number;
      }
      if (e !== -1) {
        cursor[depth] = graph.next(e);
        const w = graph.to(e);
        if (index[w] === -1) {
          depth++;
          path[depth] = w;
          cursor[depth] = ENTER;
        } else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      cursor[depth] = -1;
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
function shortestCycle(component: readonly number[], graph: Graph, txns: Operations, versions: readonly Versions[]): (Edge & { fromTxn: number })[] | undefined {
  const inside = new Set(component);
  const start = component[0] as number;
  // Per node reached: the edge it was reached by, and from where.
  const back = new Map<number, { edge: number; fromTxn: number }>();
  const edge = (e: number, fromTxn: number): Edge & { fromTxn: number } => ({
    to: graph.to(e),
    type: TYPES[graph.type(e)] as CycleEdge['type'],
    key: (versions[graph.version(e)] as Versions).key,
    from: txns.request(graph.from(e)),
    by: txns.request(graph.by(e)),
    fromTxn,
  });
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q] as number;
    for (let e = graph.head[v] as number; e !== -1; e = graph.next(e)) {
      const to = graph.to(e);
      if (!inside.has(to)) continue;
      if (to === start) {
        const path = [edge(e, v)];
        for (let x = v; x !== start; ) {
          const prev = back.get(x) as { edge: number; fromTxn: number };
          path.unshift(edge(prev.edge, prev.fromTxn));
          x = prev.fromTxn;
        }
        return path;
      }
      if (back.has(to)) continue;
      back.set(to, { edge: e, fromTxn: v });
      queue.push(to);
    }
  }
  return undefined;
}
