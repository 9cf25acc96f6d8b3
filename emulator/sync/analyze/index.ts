/**
 * The sync-bug detector: reads journal entries and names lost updates, writes built on stale
 * reads, double-applied retries and conflict storms, each with the journal sequence numbers that
 * prove it. Pure: entries in, findings out (definitions in docs/analyze.md).
 */
import { Identities } from './clients.js';
import { analyseItem, evidence, itemOf, type DoubleApplied, type ItemCarry, type ItemHistory, type ItemWrite, type LostUpdate, type ReadsOf, type StaleWrite, type WriteRef } from './history.js';
import { changedItem, clientOf, inOrder, lostResponseOf, Names, returnedValues, toOp, WRITE_ACTIONS, type ItemChange, type Place, type ReadOp, type WriteOp } from './ops.js';
import { groupFindings } from './report.js';
import { findCycles, MAX_CYCLES } from './cycles.js';
import { grownInts, grownNumbers } from './column.js';
import { DraftStore, type Draft, type DraftLimits } from './drafts.js';
import { readJournal } from './file.js';
import { LastReads } from './lastreads.js';
import type { AnalyzableEntry, Analysis, AnalyzeOptions, ClientSummary, CycleClass, Evidence, Finding, FindingKind } from './types.js';

export type * from './types.js';
export { parseAnalyzeOptions } from './options.js';

const CYCLE_KINDS: Record<CycleClass, FindingKind> = {
  G0: 'write-cycle',
  G1c: 'write-cycle',
  'G-single': 'read-skew',
  'G2-item': 'write-skew',
  G2: 'phantom',
};

const CYCLE_WORDS: Record<CycleClass, string> = {
  G0: 'Write cycle: each operation overwrote the other on one of the items',
  G1c: 'Circular information flow: each operation saw or overwrote the other',
  'G-single': 'Read skew: an operation saw one item before and another after a second operation',
  'G2-item': 'Write skew: each operation read what the other then changed, and wrote something else',
  G2: 'Phantom: each operation’s Select missed what the other then wrote',
};

const DEFAULT_STORM_RATE = 0.5;
const DEFAULT_STORM_MIN_WRITES = 10;
/** A storm lists at most this many of its failed writes. */
const STORM_EVIDENCE = 50;

/**
 * A long journal is analysed in windows (docs/analyze.md, "Streaming"): once this many
 * operations are held, the older ones are settled (their findings reported) and dropped, but for
 * the context the next window needs.
 */
export const WINDOW = 50_000;
/** Of a window, the newest operations whose findings wait for the next one: what comes after them (a retry, a replacing write) may still arrive. */
const AHEAD = 0.1;
/** ... and the operations before those kept as context: the reads and versions the next writes may build on or miss. */
const BEHIND = 0.1;
/** The newest arrivals, and what took effect after the earliest of them, are not analysed yet: an entry that took effect before them may still arrive. */
const LATE = 0.05;

/**
 * The conditional writes of one item that reached the check: counted as each window drops them. Its
 * numbers are in typed arrays, not lists: there is a storm per item written conditionally, held
 * to the end of the run, and as six lists each the bench's 2,000 were about 3 MB of the heap left
 * after a full collection, which V8 lets the heap grow to about four times of before the next.
 */
interface Storm {
  place: Place;
  writes: number;
  failed: number;
  /**
   * Per writer, three numbers: its identity, its writes and its failures. A storm has a writer or
   * a few, and a scan of a short list of numbers touches less memory than a map...
   */
  writers: Int32Array;
  writerCount: number;
  /**
   * ... until it has more than WRITERS_SCANNED: then each writer's position by its identity.
   * A storm of thousands of writers (clients that each send a name of their own) made a scan per
   * write take time growing with the square of the writes.
   */
  writerAt: Map<number, number> | undefined;
  /** The first STORM_EVIDENCE failed writes by seq, in seq order, three numbers each: seq, identity and the action's index in WRITE_ACTIONS. */
  shown: Float64Array | undefined;
  shownCount: number;
}

interface Run {
  number: number;
  identities: Identities;
  /**
   * The operations held, in the order they arrived: the first `held` of the list. The list keeps
   * its length from window to window, past those an empty slot each: cut to the operations a
   * window kept, V8 trims a list's store, and filling it again copied it into a larger one three
   * or four times a window, each new in the large-object space (growing lists made a tenth of the
   * analysis's page faults over the bench's 1,000,000 requests; 2.4 % after).
   */
  ops: (ReadOp | WriteOp | undefined)[];
  held: number;
  /** Findings anchored before this order were reported by an earlier window. */
  settled: number;
  /** Per item (and per domain, for Selects) and client: its last read before the operations held, which a later write may build on. */
  lastReads: LastReads;
  /** Per item (by `Place.index`, as the other maps by place): each attribute's values before the first write held. */
  carry: Map<number, Map<string, readonly string[]>>;
  /** Per item, per client: its last applied write before those held, when its response was lost (a retry may still come). */
  lostBefore: Map<number, Map<string, ItemWrite>>;
  /** The items' storms, in the order each was first counted, and by the item's place index (the lookup for each item, with no hashing of its key). */
  storms: Storm[];
  stormAt: (Storm | undefined)[];
  cycles: number;
  /** `held` after the last window: the next starts when the held operations pass WINDOW and twice this. */
  kept: number;
  /** The domain and item names the operations share. */
  strings: Names;
  /** A window's reads of items, and its writes' changes, by item (kept for the next window's). */
  readChains: Chains;
  writeChains: Chains;
  /** The lists a window's passes fill, filled again by the next (`windowOf`, `keepFrom`). */
  lists: WindowLists;
}

/**
 * A window's operations (those it analyses, its reads, its writes) and the writes it dropped. Made
 * anew for each window, each was a list of tens of thousands in the large-object space, a new one
 * four times a window (about 8,000 of the 65,000 page faults over the bench's 1,000,000 requests). Filled again,
 * a list keeps its store: its length changes little from window to window. Emptied once the window
 * is settled, so that they keep no operation alive.
 */
interface WindowLists {
  analysed: (ReadOp | WriteOp)[];
  reads: ReadOp[];
  writes: WriteOp[];
  dropped: WriteOp[];
}

/** The lists emptied of their operations, their stores kept. */
function emptied(lists: WindowLists): void {
  for (const list of [lists.analysed, lists.reads, lists.writes, lists.dropped] as (ReadOp | WriteOp | undefined)[][]) list.fill(undefined);
}

const SEVERITY: Record<FindingKind, Finding['severity']> = {
  'lost-update': 'anomaly',
  'stale-read-write': 'anomaly',
  'double-applied-retry': 'anomaly',
  'write-cycle': 'anomaly',
  'read-skew': 'anomaly',
  'write-skew': 'anomaly',
  phantom: 'anomaly',
  'conflict-storm': 'hotspot',
};

/*
 * A finding's evidence is a few requests: its sequence numbers and clients are found by scans of
 * a short list, not through a set and a sorted copy per finding (tens of thousands of findings).
 */

/**
 * The evidence's sequence numbers, ascending. Each is another request's: a run's sequence numbers
 * only grow (a smaller one starts a new run), each piece of evidence of an item's finding is
 * another operation, and a cycle names each of its operations once (cycles.ts).
 */
function sequenceNumbers(evidence: readonly Evidence[]): number[] {
  const seqs = new Array<number>(evidence.length);
  if (evidence.length <= SHORT) {
    // Each into its place among those before: the library's sort sets up more for each call
    // (about 0.8 KB, 40 MB over the findings of a million requests) than it sorts here.
    for (let i = 0; i < evidence.length; i++) {
      const seq = (evidence[i] as Evidence).seq;
      let j = i;
      for (; j > 0 && (seqs[j - 1] as number) > seq; j--) seqs[j] = seqs[j - 1] as number;
      seqs[j] = seq;
    }
    return seqs;
  }
  for (let i = 0; i < evidence.length; i++) seqs[i] = (evidence[i] as Evidence).seq;
  return seqs.sort((a, b) => a - b);
}

/** Evidence this long or shorter (nearly every finding's) is scanned or sorted in place; longer goes through a set or the library's sort. */
const SHORT = 16;

/** The evidence's clients, each once, in the order first named. */
function clientsOf(evidence: readonly Evidence[]): string[] {
  // A scan of those named so far while the evidence is short; a set past that (a lost update can
  // have thousands of unseen writes).
  if (evidence.length > SHORT) return [...new Set(evidence.map((e) => e.client))];
  // Made at the largest it can be and cut: a push onto an empty list reserves room for seventeen.
  const clients = new Array<string>(evidence.length);
  let count = 0;
  for (let i = 0; i < evidence.length; i++) {
    const client = (evidence[i] as Evidence).client;
    let seen = false;
    for (let j = 0; j < count && !seen; j++) seen = clients[j] === client;
    if (!seen) clients[count++] = client;
  }
  clients.length = count;
  return clients;
}

/** Spread where an optional field is absent: `{}` there makes an object each time. */
const NOTHING = Object.freeze({});

/**
 * At most this many of a list named in a message, then how many more: the evidence, or a storm's
 * `conditional.byClient`, has them all, and a storm of 40,000 clients named every one
 * in a message megabytes long.
 */
const NAMED = 5;

function firstFew<T>(list: readonly T[], name: (x: T) => string, more: string): string {
  const shown = list.slice(0, NAMED).map(name).join(', ');
  return list.length > NAMED ? `${shown} and ${list.length - NAMED} ${more}` : shown;
}

/** `#12 (w1), #14 (w2)`. */
const listed = (refs: readonly WriteRef[]): string => firstFew(refs, (r) => `#${r.op.seq} (${r.client})`, 'more');

/** Entries one at a time (a file streams through it), then `finish`: the report, the same each time it is asked for. */
export class Analyzer {
  /** Per run ended: the clients it had. */
  private readonly finished: ClientSummary[][] = [];
  private readonly drafts: DraftStore;
  private run: Run | undefined;
  private readonly taken = new Set<string>();
  private readonly window: number;
  private lastSeq = Number.NEGATIVE_INFINITY;
  private requests = 0;
  private firstSeq: number | null = null;
  private simulated = false;
  private withoutOrder = false;
  private withoutConnection = false;
  /** The report, once made: asked again, the analysis gives it again (its findings' text is gone by then). */
  private done: Analysis | undefined;

  /**
   * `window`: how many operations are held before the older ones are settled (WINDOW);
   * `drafts`: how the findings wait for the report (drafts.ts). Tests use less of both.
   */
  constructor(
    private readonly options: AnalyzeOptions = {},
    limits: { window?: number; drafts?: DraftLimits } = {},
  ) {
    this.window = limits.window ?? WINDOW;
    this.drafts = new DraftStore(limits.drafts);
  }

  add(e: AnalyzableEntry): void {
    if (this.done) throw new Error('this analysis is finished: a new Analyzer takes further entries');
    if (this.options.account && (e.account ?? '') !== this.options.account) return;
    let run = this.run;
    // A --journal file is appended to across restarts: sequence numbers start again at 1.
    if (!run || e.seq <= this.lastSeq) {
      if (run) this.close(run, true);
      const number = this.finished.length + 1;
      this.run = run = { number, identities: new Identities(), ops: [], held: 0, settled: Number.NEGATIVE_INFINITY, lastReads: new LastReads(), carry: new Map(), lostBefore: new Map(), storms: [], stormAt: [], cycles: 0, kept: 0, strings: new Names(), readChains: new Chains(), writeChains: new Chains(), lists: { analysed: [], reads: [], writes: [], dropped: [] } };
      this.firstSeq = e.seq;
    }
    this.lastSeq = e.seq;
    this.requests++;
    if (e.atSeq !== undefined) this.simulated = true;
    if (e.order === undefined) this.withoutOrder = true;
    // A file may say null for none (readJournal refuses what is not a number).
    const connection = e.connection ?? undefined;
    if (connection === undefined && !e.client) this.withoutConnection = true;
    const identity = run.identities.intern(e.client ?? null, e.userAgent ?? null, e.keyHash ?? null, connection, e.order ?? e.seq, e.code === 'ConnectionReset');
    const op = toOp(e, identity, run.strings);
    if (!op) return;
    run.identities.opened(op);
    if (run.held < run.ops.length) run.ops[run.held] = op;
    else run.ops.push(op);
    run.held++;
    // Both read at every entry: a field first read when the first window fills would throw away
    // the code optimised before it (V8 compiles no path it has not seen taken).
    if (run.held >= Math.max(this.window, 2 * run.kept)) this.settle(run, provisionalNames(run, this.taken));
  }

  /** The operations held now: what the memory of the analysis grows with (bench/analyze.ts, test/analyze/bounded.test.ts). */
  retained(): number {
    let lost = 0;
    for (const m of this.run?.lostBefore.values() ?? []) lost += m.size;
    return (this.run?.held ?? 0) + (this.run?.lastReads.size ?? 0) + lost;
  }

  /** The connections and identities the client table holds now (clients.ts). */
  heldClients(): number {
    return this.run?.identities.held() ?? 0;
  }

  finish(): Analysis {
    if (this.done) return this.done;
    if (this.run) this.close(this.run, this.finished.length > 0);
    this.run = undefined;
    const several = this.finished.length > 1;
    const clients = this.finished.flat();
    const findings: Finding[] = [];
    for (const d of this.drafts.ordered()) {
      // The fields in the order the report has always given them, whatever the kind.
      findings.push({
        id: `F${findings.length + 1}`,
        kind: d.kind,
        severity: SEVERITY[d.kind],
        confidence: d.doubt === undefined ? 'definite' : 'possible',
        ...(d.doubt === undefined ? NOTHING : { reason: d.doubt }),
        ...(several ? { run: d.run } : NOTHING),
        ...(d.account === undefined ? NOTHING : { account: d.account }),
        domain: d.domain,
        item: d.item,
        ...(d.items ? { items: d.items } : NOTHING),
        attributes: d.attributes,
        evidence: d.evidence,
        ...(d.cycle ? { cycle: d.cycle } : NOTHING),
        ...(d.conditional ? { conditional: d.conditional } : NOTHING),
        message: d.message,
        ...(d.step === undefined ? NOTHING : { step: d.step }),
        seqs: sequenceNumbers(d.evidence),
        clients: d.conditional ? d.conditional.byClient.map((c) => c.client) : clientsOf(d.evidence),
      });
    }
    // Counted in one pass: a list per count made as many lists of the findings, at the report's peak.
    const byKind: Record<FindingKind, number> = { 'lost-update': 0, 'stale-read-write': 0, 'double-applied-retry': 0, 'write-cycle': 0, 'read-skew': 0, 'write-skew': 0, phantom: 0, 'conflict-storm': 0 };
    let anomalies = 0;
    let possible = 0;
    let hotspots = 0;
    for (const f of findings) {
      byKind[f.kind]++;
      if (f.severity === 'hotspot') hotspots++;
      else if (f.severity === 'anomaly' && f.confidence === 'definite') anomalies++;
      else if (f.severity === 'anomaly') possible++;
    }
    this.done = {
      format: 1,
      requests: this.requests,
      runs: this.finished.length,
      firstSeq: this.firstSeq,
      lastSeq: this.requests > 0 ? this.lastSeq : null,
      clients,
      findings,
      groups: groupFindings(findings),
      summary: { anomalies, possible, hotspots, ...byKind },
      notes: this.notes(clients),
    };
    return this.done;
  }

  /** The run's last window, with the clients named for good; `several`: other runs came or come before. */
  private close(run: Run, several: boolean): void {
    const resolved = run.identities.resolve(several ? run.number : undefined, this.taken);
    this.settle(run, resolved.names, true);
    for (const d of stormDrafts(run, resolved.names, this.options)) this.drafts.add(d);
    this.finished.push(resolved.clients);
  }

  /**
   * Reports the findings anchored in the older part of the held operations and drops them, but
   * for the reads the next writes may build on; `last`: all of them, the stream has ended.
   */
  private settle(run: Run, names: readonly string[], last = false): void {
    const { ops, held } = run;
    // An entry finishes after others that took effect after it (a delay, a slow answer): the
    // newest arrivals, and whatever took effect after the earliest of them, wait for the next window.
    let horizon = Number.POSITIVE_INFINITY;
    if (!last) for (let i = held - Math.ceil(held * LATE); i < held; i++) horizon = Math.min(horizon, (ops[i] as ReadOp | WriteOp).order);
    const window = windowOf(ops, held, horizon, last, run.lists);
    const sorted = window.sorted;
    let cut = horizon;
    let boundary = Number.POSITIVE_INFINITY;
    if (!last) {
      const ahead = Math.ceil(held * AHEAD);
      cut = Math.min(cut, sorted[sorted.length - ahead]?.order ?? cut);
      boundary = Math.min(cut, sorted[sorted.length - ahead - Math.ceil(held * BEHIND)]?.order ?? cut);
    }
    analyseWindow(run, window, names, cut, boundary, this.drafts);
    run.lastReads.release();
    run.settled = cut;
    if (last) {
      run.ops = [];
      run.held = 0;
      run.lists = { analysed: [], reads: [], writes: [], dropped: [] };
      return;
    }
    const dropped = keepFrom(run, names, boundary);
    run.identities.fold(boundary);
    if (dropped.length > 0 && (run.lostBefore.size > 0 || dropped.some((op) => lostResponseOf(op) !== undefined))) carryLostWrites(run, names, dropped);
    emptied(run.lists);
    run.kept = run.held;
  }

  private notes(clients: ClientSummary[]): string[] {
    const notes: string[] = [];
    if (this.requests > 0 && !this.simulated) {
      notes.push(
        'No consistency simulation was on (mode consistent): every read saw the latest state, so no read was stale; lost updates can still come from interleaving.',
      );
    }
    if (this.finished.length > 1) notes.push(`The journal holds ${this.finished.length} runs (sequence numbers start again): each is analysed on its own.`);
    if (this.withoutOrder) notes.push('Some entries have no `order` (an older journal): the order they finished in stands in for the order they took effect.');
    if (this.withoutConnection) notes.push('Some entries have no `connection` (an older journal): their clients are told apart by User-Agent and access key alone.');
    const byAgent = clients.filter((c) => c.by === 'user-agent').length;
    if (byAgent > 0) {
      notes.push(
        `${byAgent} client(s) named by User-Agent alone (each connection carried one request): processes sharing a User-Agent and key look like one client; an X-SimpleDB-Client header names them.`,
      );
    }
    return notes;
  }
}

export function analyze(entries: Iterable<AnalyzableEntry>, options: AnalyzeOptions = {}): Analysis {
  const a = new Analyzer(options);
  for (const e of entries) a.add(e);
  return a.finish();
}

/** A journal file analysed as it streams (memory bounded by its live items and clients, not its length), and how many entries it held. */
export async function analyzeJournalFile(path: string, options: AnalyzeOptions = {}): Promise<{ analysis: Analysis; entries: number }> {
  const a = new Analyzer(options);
  const entries = await readJournal(path, (e) => a.add(e));
  return { analysis: a.finish(), entries };
}

/** What a lost write added to the number its read returned (an increment: 1), when both are numbers. */
function numericStep(write: WriteOp, item: string, attribute: string, read: ReadOp | undefined): number | undefined {
  const written = write.changes.find((c) => changedItem(c) === item)?.puts.filter((p) => p.name === attribute) ?? [];
  const shown = (read && returnedValues(read, item, attribute)) ?? [];
  if (written.length !== 1 || shown.length !== 1) return undefined;
  const step = Number(written[0]?.value) - Number(shown[0]);
  return Number.isFinite(step) && step !== 0 ? step : undefined;
}

/** The clients named as the entries so far tell them apart: a window settled before the end names them so. */
function provisionalNames(run: Run, taken: ReadonlySet<string>): string[] {
  return run.identities.resolve(undefined, new Set(taken), false).names;
}

/**
 * Counts the item's conditional writes that reached the check and leave the held operations with
 * this window (all of them in the last): each is counted once, when it is dropped. Counted here,
 * an item at a time, not as each entry arrives: a storm is looked up once per item and window,
 * not once per write, and the analysis of the bench's 1,000,000 requests took about 5 % less CPU
 * time (docs/analyze.md, "Performance").
 */
function countStorms(w: ItemWindow, h: ItemHistory): void {
  const writes = h.writes;
  let s: Storm | undefined;
  for (let i = 0; i < writes.length; i++) {
    const op = (writes[i] as ItemWrite).op;
    if (!op.conditional || !(op.applied || op.conditionFailed) || (!w.final && op.order >= w.boundary)) continue;
    s ??= stormOf(w.run, h.itemPlace);
    s.writes++;
    const c = writerOf(s, op.identity);
    (s.writers[3 * c + 1] as number)++;
    if (op.conditionFailed) {
      s.failed++;
      (s.writers[3 * c + 2] as number)++;
      showFailure(s, op);
    }
  }
}

function stormOf(run: Run, place: Place): Storm {
  const index = place.index;
  // Grown an element at a time: an element stored far past the end turns an array into a dictionary.
  while (run.stormAt.length <= index) run.stormAt.push(undefined);
  let s = run.stormAt[index];
  if (!s) {
    s = { place, writes: 0, failed: 0, writers: new Int32Array(12), writerCount: 0, writerAt: undefined, shown: undefined, shownCount: 0 };
    run.storms.push(s);
    run.stormAt[index] = s;
  }
  return s;
}

/**
 * Keeps the failure if it is among the STORM_EVIDENCE first by seq, in seq order. A window's
 * writes come in the order they arrived, which is seq order; but a write that took effect late
 * is dropped with a later window than writes that arrived after it.
 */
function showFailure(s: Storm, op: WriteOp): void {
  let at = s.shownCount;
  if (at === STORM_EVIDENCE) {
    if ((s.shown as Float64Array)[3 * (at - 1)] as number < op.seq) return;
    at--;
  } else {
    if (!s.shown || 3 * at === s.shown.length) s.shown = grownNumbers(s.shown, s.shown ? Math.min(2 * s.shown.length, 3 * STORM_EVIDENCE) : 12);
    s.shownCount++;
  }
  const shown = s.shown as Float64Array;
  for (; at > 0 && (shown[3 * (at - 1)] as number) > op.seq; at--) shown.copyWithin(3 * at, 3 * (at - 1), 3 * at);
  shown[3 * at] = op.seq;
  shown[3 * at + 1] = op.identity;
  shown[3 * at + 2] = WRITE_ACTIONS.indexOf(op.action);
}

/**
 * A storm's writers scanned before a map finds them. Not fewer: with a map per storm of the
 * bench's 50 clients, the heap left after a full collection grew from 19.7 to 22.3 MB.
 */
const WRITERS_SCANNED = 64;

/** The writer's position in the storm's `writers`, added when new. */
function writerOf(s: Storm, identity: number): number {
  let c = 0;
  if (s.writerAt) c = s.writerAt.get(identity) ?? s.writerCount;
  else while (c < s.writerCount && s.writers[3 * c] !== identity) c++;
  if (c < s.writerCount) return c;
  if (3 * c === s.writers.length) s.writers = grownInts(s.writers, 2 * s.writers.length);
  s.writers[3 * c] = identity;
  s.writerCount++;
  if (s.writerAt) s.writerAt.set(identity, c);
  else if (s.writerCount > WRITERS_SCANNED) {
    s.writerAt = new Map();
    for (let w = 0; w < s.writerCount; w++) s.writerAt.set(s.writers[3 * w] as number, w);
  }
  return c;
}

function stormDrafts(run: Run, names: readonly string[], options: AnalyzeOptions): Draft[] {
  const rate = options.stormRate ?? DEFAULT_STORM_RATE;
  const min = options.stormMinWrites ?? DEFAULT_STORM_MIN_WRITES;
  const drafts: Draft[] = [];
  for (const s of run.storms) {
    const failed = s.failed;
    if (s.writes < min || failed / s.writes < rate || failed === 0) continue;
    const perClient = new Map<string, { writes: number; failed: number }>();
    for (let c = 0; c < s.writerCount; c++) {
      const client = names[s.writers[3 * c] as number] ?? 'unknown';
      const writes = s.writers[3 * c + 1] as number;
      const failedBy = s.writers[3 * c + 2] as number;
      const sum = perClient.get(client);
      if (sum) {
        sum.writes += writes;
        sum.failed += failedBy;
      } else perClient.set(client, { writes, failed: failedBy });
    }
    const byClient = [...perClient].map(([client, c]) => ({ client, ...c })).sort((a, b) => b.failed - a.failed || a.client.localeCompare(b.client));
    const shown = s.shown as Float64Array;
    const pct = Math.round((100 * failed) / s.writes);
    const { account, domain } = s.place;
    const item = s.place.item as string;
    drafts.push(shaped({
      kind: 'conflict-storm',
      doubt: undefined,
      run: run.number,
      account,
      domain,
      item,
      attributes: [],
      // Kept in seq order.
      evidence: Array.from({ length: s.shownCount }, (_, i) => ({
        seq: shown[3 * i] as number,
        role: 'failed-write',
        client: names[shown[3 * i + 1] as number] ?? 'unknown',
        action: WRITE_ACTIONS[shown[3 * i + 2] as number] as string,
      })),
      conditional: { writes: s.writes, failed, rate: failed / s.writes, byClient },
      message:
        `Conflict storm on ${domain}/${item}: ${failed} of ${s.writes} conditional writes failed (${pct} %); ` +
        firstFew(byClient, (c) => `${c.client} ${c.failed}/${c.writes}`, 'more clients') +
        (failed > s.shownCount ? ` (the first ${s.shownCount} failures listed).` : '.'),
    }));
  }
  return drafts;
}

/*
 * Each pass over a window's operations is a function of its own, not a loop in `settle`: a long
 * loop in a function is compiled on its own entry point (on-stack replacement), so one function
 * of five loops, with all it calls, was compiled again for each.
 */

/**
 * The operations a window analyses (those that took effect before `horizon`; all of them in the
 * last window), split into reads and writes, in one pass, with whether they arrived in order
 * (most journals: then they are not sorted again). Each pass over tens of thousands of
 * operations, scattered in the heap, waits on memory more than it computes. The lists are the
 * run's (`WindowLists`), filled again and cut to what they got.
 */
function windowOf(ops: readonly (ReadOp | WriteOp | undefined)[], held: number, horizon: number, last: boolean, lists: WindowLists): WindowOps {
  const { analysed, reads, writes } = lists;
  let analysedCount = 0;
  let readCount = 0;
  let writeCount = 0;
  let arrivedInOrder = true;
  let tied = false;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < held; i++) {
    const op = ops[i] as ReadOp | WriteOp;
    if (!last && op.order >= horizon) continue;
    analysed[analysedCount++] = op;
    if (op.kind === 'read') reads[readCount++] = op;
    else writes[writeCount++] = op;
    if (op.order < previous) arrivedInOrder = false;
    else if (op.order === previous) tied = true;
    previous = op.order;
  }
  analysed.length = analysedCount;
  reads.length = readCount;
  writes.length = writeCount;
  if (arrivedInOrder) return { reads, writes, sorted: analysed, inOrder: true, tied };
  const sorted = inOrder(analysed);
  tied = false;
  for (let i = 1; i < sorted.length && !tied; i++) tied = (sorted[i - 1] as ReadOp | WriteOp).order === (sorted[i] as ReadOp | WriteOp).order;
  return { reads, writes, sorted, inOrder: false, tied };
}

/**
 * Keeps, in the order they arrived, the operations that took effect from `boundary` on: moved to
 * the front of the held list, the slots they leave emptied (so that what was dropped can be
 * collected). Of the rest, offers each read to the last reads (the one that took effect last is
 * kept, whatever order they come in) and returns the applied writes.
 */
function keepFrom(run: Run, names: readonly string[], boundary: number): WriteOp[] {
  const { ops, held } = run;
  const dropped = run.lists.dropped;
  let droppedCount = 0;
  let kept = 0;
  for (let i = 0; i < held; i++) {
    const op = ops[i] as ReadOp | WriteOp;
    if (op.order >= boundary) ops[kept++] = op;
    else if (op.kind === 'read') run.lastReads.offer(clientOf(names, op), op);
    else if (op.applied) dropped[droppedCount++] = op;
  }
  ops.fill(undefined, kept, held);
  run.held = kept;
  dropped.length = droppedCount;
  return dropped;
}

/**
 * Per item and client, its last write dropped whose response was lost: its retry may be in a
 * later window. Only the items that had or get such a write need their writes, in the order they
 * took effect; a later write of the client's ends the wait.
 */
function carryLostWrites(run: Run, names: readonly string[], dropped: readonly WriteOp[]): void {
  const lostItems = new Set(run.lostBefore.keys());
  for (const op of dropped) if (lostResponseOf(op)) for (const change of op.changes) lostItems.add(change.place.index);
  const relevant = inOrder(dropped.filter((op) => op.changes.some((c) => lostItems.has(c.place.index))));
  for (const op of relevant) {
    const client = clientOf(names, op);
    for (const change of op.changes) {
      const key = change.place.index;
      let perClient = run.lostBefore.get(key);
      if (lostResponseOf(op)) {
        if (!perClient) run.lostBefore.set(key, (perClient = new Map()));
        perClient.set(client, { op, change, client });
      } else if (perClient?.delete(client) && perClient.size === 0) run.lostBefore.delete(key);
    }
  }
}

/**
 * The window's entries of one kind (each change of each write, or each read of an item) by item,
 * as chains through columns of numbers: each entry points to the next of its item. Kept from
 * window to window. Per item, a list of its writes and a map of its readers, all made before the
 * first item was analysed, lived through every young-generation collection of the window's
 * analysis and were promoted, to die in the old generation once it was settled. Each item's are
 * now made as it is analysed, and die young (docs/analyze.md, "Performance").
 */
class Chains {
  /** By place index: its first and last entry (-1: none in this window). */
  private head = new Int32Array(256).fill(-1);
  private tail = new Int32Array(256).fill(-1);
  /** By entry: the next entry of its place (-1: the last), and the two numbers it was added with. */
  private link = new Int32Array(1024);
  private first = new Int32Array(1024);
  private second = new Int32Array(1024);
  private entries = 0;
  /** The places with entries, in the order first met. */
  readonly places: number[] = [];

  /** Forgets the last window's entries. */
  clear(): void {
    for (let i = 0; i < this.places.length; i++) this.head[this.places[i] as number] = -1;
    this.places.length = 0;
    this.entries = 0;
  }

  add(place: number, a: number, b: number): void {
    if (place >= this.head.length) {
      const size = Math.max(place + 1, 2 * this.head.length);
      this.head = grownInts(this.head, size, -1);
      this.tail = grownInts(this.tail, size, -1);
    }
    const entry = this.entries++;
    if (entry === this.link.length) {
      this.link = grownInts(this.link, 2 * entry);
      this.first = grownInts(this.first, 2 * entry);
      this.second = grownInts(this.second, 2 * entry);
    }
    this.link[entry] = -1;
    this.first[entry] = a;
    this.second[entry] = b;
    if (this.head[place] === -1) {
      this.head[place] = entry;
      this.places.push(place);
    } else this.link[this.tail[place] as number] = entry;
    this.tail[place] = entry;
  }

  /** The place's first entry, then `next` of each: -1 past the last. */
  start(place: number): number {
    return this.head[place] as number;
  }

  next(entry: number): number {
    return this.link[entry] as number;
  }

  a(entry: number): number {
    return this.first[entry] as number;
  }

  b(entry: number): number {
    return this.second[entry] as number;
  }
}

/**
 * Per domain and client, its Selects in the window, in order (`sorted` gives them so, and so do
 * `reads` when the operations arrived in order), after its last Select before the window, which
 * a write may build on; and the reads of items, chained by item in the same order.
 */
function readsByPlace(run: Run, window: WindowOps, names: readonly string[], chains: Chains): Map<number, Map<string, ReadOp[]>> {
  const selectReads = new Map<number, Map<string, ReadOp[]>>();
  const ordered = window.inOrder ? window.reads : window.sorted;
  chains.clear();
  for (let i = 0; i < ordered.length; i++) {
    const r = ordered[i] as ReadOp | WriteOp;
    if (r.kind !== 'read') continue;
    if (r.place.item !== undefined) {
      chains.add(r.place.index, i, 0);
      continue;
    }
    let perClient = selectReads.get(r.place.index);
    if (!perClient) selectReads.set(r.place.index, (perClient = new Map()));
    addRead(run, perClient, clientOf(names, r), r);
  }
  return selectReads;
}

/** Per client, its reads of the item in the window, in order, after its last read before the window; undefined when there were none. */
function itemReadsOf(run: Run, ordered: readonly (ReadOp | WriteOp)[], chains: Chains, place: number, names: readonly string[]): Map<string, ReadOp[]> | undefined {
  let entry = chains.start(place);
  if (entry < 0) return undefined;
  const perClient = new Map<string, ReadOp[]>();
  for (; entry >= 0; entry = chains.next(entry)) {
    const r = ordered[chains.a(entry)] as ReadOp;
    addRead(run, perClient, clientOf(names, r), r);
  }
  return perClient;
}

function addRead(run: Run, perClient: Map<string, ReadOp[]>, client: string, r: ReadOp): void {
  const list = perClient.get(client);
  if (list) list.push(r);
  else {
    // The client's last read before the window comes first: a write may build on it. A list
    // made as a literal: a push onto an empty array reserves room for seventeen, and most
    // clients read an item once or twice in a window.
    const last = run.lastReads.get(r.place, client);
    perClient.set(client, last ? [last, r] : [r]);
  }
}

/** The window's writes, each change chained by the item it changed, as they arrived. */
function chainWrites(writes: readonly WriteOp[], chains: Chains): void {
  chains.clear();
  for (let i = 0; i < writes.length; i++) {
    const changes = (writes[i] as WriteOp).changes;
    for (let j = 0; j < changes.length; j++) chains.add((changes[j] as ItemChange).place.index, i, j);
  }
}

/** The writes of the window that changed the item, as they arrived. */
function historyOf(writes: readonly WriteOp[], chains: Chains, place: number, names: readonly string[]): ItemHistory {
  let entry = chains.start(place);
  const op = writes[chains.a(entry)] as WriteOp;
  const change = op.changes[chains.b(entry)] as ItemChange;
  const h: ItemHistory = { itemPlace: change.place, domainPlace: op.place, writes: [{ op, change, client: clientOf(names, op) }] };
  for (entry = chains.next(entry); entry >= 0; entry = chains.next(entry)) {
    const w = writes[chains.a(entry)] as WriteOp;
    h.writes.push({ op: w, change: w.changes[chains.b(entry)] as ItemChange, client: clientOf(names, w) });
  }
  return h;
}

/**
 * The findings anchored in [run.settled, cut) among the held operations: a lost update at the
 * lost write, a stale-read write at the write, a double-applied retry at the retry, a
 * cycle at its last request. Operations from `boundary` on stay, and each item's values there
 * are carried to the next window. Each finding goes to `drafts` as it is found, not into a list
 * returned at the end: the list outlived the window's young-generation collections, which
 * copied and promoted every finding in it.
 */
function analyseWindow(run: Run, window: WindowOps, names: readonly string[], cut: number, boundary: number, drafts: DraftStore): void {
  const from = run.settled;
  const runNumber = run.number;
  const { reads, writes, sorted } = window;
  const selectReads = readsByPlace(run, window, names, run.readChains);
  chainWrites(writes, run.writeChains);
  const final = cut === Number.POSITIVE_INFINITY;
  const itemWindow: ItemWindow = { run, final, cut: final ? 0 : cut, boundary: final ? 0 : boundary, drafts };
  const ordered = window.inOrder ? reads : sorted;
  const items = run.writeChains.places;
  for (let i = 0; i < items.length; i++) {
    const place = items[i] as number;
    const h = historyOf(writes, run.writeChains, place, names);
    countStorms(itemWindow, h);
    settleItem(itemWindow, h, itemReadsOf(run, ordered, run.readChains, place, names), selectReads.get(h.domainPlace.index));
  }

  const cycles = findCycles(reads, writes, names, { from, to: cut, max: MAX_CYCLES - run.cycles }, window.tied ? undefined : sorted);
  run.cycles += cycles.length;
  for (const c of cycles) {
    const kind = CYCLE_KINDS[c.class];
    const path = c.edges.map((e) => `${e.from} -${e.type}(${e.item}.${e.attribute} #${e.seqs[0]}→#${e.seqs[1]})→`).join(' ');
    drafts.add(shaped({
      kind,
      doubt: c.instrumented
        ? undefined
        : 'the operations were inferred from each client’s reads and the writes after them (no X-SimpleDB-Operation ids): a read may not have decided the write',
      run: runNumber,
      account: c.account,
      domain: c.domain,
      item: c.items[0] ?? '',
      items: c.items,
      attributes: [...new Set(c.edges.map((e) => e.attribute))].sort(),
      evidence: c.evidence,
      cycle: { class: c.class, edges: c.edges },
      message: `${CYCLE_WORDS[c.class]} across ${c.items.map((i) => `${c.domain}/${i}`).join(', ')} (${c.class}) between ${c.clients.join(', ')}: ${path} back to the first.`,
    }));
  }
}

// A carry's maps are never missing, only empty: code optimised before the first window that
// carried something then met a call it had not seen, and was thrown away.
const NOTHING_CARRIED: ReadonlyMap<string, readonly string[]> = new Map();
const NO_LOST_WRITES: ReadonlyMap<string, ItemWrite> = new Map();

/** The operations a window analyses: its reads and its writes as they arrived, and all of them by the order they took effect. */
interface WindowOps {
  reads: ReadOp[];
  writes: WriteOp[];
  /** All of them by order: the list as they arrived when that was in order. */
  sorted: readonly (ReadOp | WriteOp)[];
  inOrder: boolean;
  /** Two of them share an order. */
  tied: boolean;
}

/** What the items of a window share as each is settled. */
interface ItemWindow {
  run: Run;
  /** The stream has ended: every finding is reported, and nothing is carried. */
  final: boolean;
  /**
   * Findings anchored from `run.settled` up to this order are reported now; what took effect from
   * `boundary` on is carried. Both 0 in the final window, not infinity: a field that held whole
   * numbers and then a double changed the objects' shape, and the code built for it was thrown away.
   */
  cut: number;
  boundary: number;
  drafts: DraftStore;
}

const anchored = (w: ItemWindow, op: WriteOp): boolean => op.order >= w.run.settled && (w.final || op.order < w.cut);

/**
 * The draft with every field, in one order, the absent ones undefined (and no account for the
 * default one): one shape for the store to read. With a shape per kind of finding, a new one
 * threw away the store's compiled code (a "wrong map" deoptimisation in `--trace-deopt`).
 */
function shaped(d: Draft): Draft {
  return {
    kind: d.kind,
    doubt: d.doubt,
    run: d.run,
    account: d.account || undefined,
    domain: d.domain,
    item: d.item,
    items: d.items,
    attributes: d.attributes,
    evidence: d.evidence,
    cycle: d.cycle,
    conditional: d.conditional,
    message: d.message,
    step: d.step,
  };
}

/** A finding of one item as a draft. */
function itemDraft(kind: FindingKind, run: number, h: ItemHistory, attributes: string[], evidence: Evidence[], message: string, doubt: string | undefined, step: number | undefined): Draft {
  return shaped({ kind, doubt, run, account: h.itemPlace.account, domain: h.itemPlace.domain, item: itemOf(h), attributes, evidence, message, step });
}

/**
 * A client's reads of one item (or Selects of its domain) in the window, or, when it made none,
 * its last read before. One object per item, not a closure: a function made anew per item and
 * window had its optimised code compiled again each window.
 */
class WindowReads implements ReadsOf {
  constructor(
    private readonly inWindow: Map<string, ReadOp[]> | undefined,
    private readonly place: Place,
    private readonly lastReads: LastReads,
  ) {}

  of(client: string): readonly ReadOp[] {
    return this.inWindow?.get(client) ?? this.lastReads.alone(this.place, client);
  }
}

/** One item's findings in the window, to `w.drafts`; and what of it the next window carries. */
function settleItem(w: ItemWindow, h: ItemHistory, reads: Map<string, ReadOp[]> | undefined, selects: Map<string, ReadOp[]> | undefined): void {
  const run = w.run;
  const key = h.itemPlace.index;
  const carry: ItemCarry | undefined =
    // The sizes first: looked at in every window, not only the last (whose code would otherwise meet them for the first time).
    run.carry.size === 0 && run.lostBefore.size === 0 && w.final
      ? undefined
      : { initial: run.carry.get(key) ?? NOTHING_CARRIED, boundary: w.boundary, next: undefined, lostBefore: run.lostBefore.get(key) ?? NO_LOST_WRITES };
  const found = analyseItem(h, new WindowReads(reads, h.itemPlace, run.lastReads), new WindowReads(selects, h.domainPlace, run.lastReads), carry);
  if (carry && !w.final) {
    if (carry.next !== undefined) run.carry.set(key, carry.next);
    else run.carry.delete(key);
  }
  if (found.lost.length === 0 && found.stale.length === 0 && found.doubles.length === 0) return;
  const path = `${h.itemPlace.domain}/${itemOf(h)}`;
  for (let i = 0; i < found.lost.length; i++) {
    const l = found.lost[i] as LostUpdate;
    if (!anchored(w, l.lost)) continue;
    const ev: Evidence[] = [evidence(l.lost, 'lost-write', l.lostClient)];
    if (l.lostRead) ev.push(evidence(l.lostRead, 'read', l.lostClient));
    let message: string;
    if (l.replacedBy) {
      const by = l.replacedBy;
      ev.push(evidence(by.op, 'overwrite', by.client));
      if (by.read) ev.push(evidence(by.read, 'overwrite-read', by.client));
      message =
        `Lost update of ${path} ${l.attribute}: written by ${l.lostClient} (#${l.lost.seq}), then replaced by ${by.client} (#${by.op.seq}) ` +
        `which had not seen it${by.read ? ` (its last read, #${by.read.seq}, was older)` : ''}.`;
    } else {
      for (let j = 0; j < l.unseen.length; j++) {
        const u = l.unseen[j] as WriteRef;
        ev.push(evidence(u.op, 'unseen-write', u.client));
      }
      message =
        `Lost update of ${path} ${l.attribute}: ${l.lostClient}'s write #${l.lost.seq}${l.lostRead ? `, built on read #${l.lostRead.seq},` : ''} ` +
        `stored a value already written by ${listed(l.unseen)}, which it had not seen: two updates, one effect.`;
    }
    const step = numericStep(l.lost, itemOf(h), l.attribute, l.lostRead);
    w.drafts.add(itemDraft('lost-update', w.run.number, h, [l.attribute], ev, message, l.doubt, step));
  }
  for (let i = 0; i < found.stale.length; i++) {
    const s = found.stale[i] as StaleWrite;
    if (!anchored(w, s.write)) continue;
    const ev: Evidence[] = [evidence(s.read, 'stale-read', s.client), evidence(s.write, 'write', s.client)];
    const missed = [...s.missed.values()].sort((a, b) => a.op.seq - b.op.seq);
    for (let j = 0; j < missed.length; j++) {
      const m = missed[j] as WriteRef;
      ev.push(evidence(m.op, 'missed-write', m.client));
    }
    const attributes = [...s.attributes].sort();
    const message =
      `${s.client} wrote ${path} ${attributes.join(', ')} (#${s.write.seq}) on a stale read (#${s.read.seq}, served as of write sequence ${s.read.asOfSeq ?? '?'})` +
      (missed.length > 0 ? ` that did not show ${listed(missed)}.` : '.');
    w.drafts.add(itemDraft('stale-read-write', w.run.number, h, attributes, ev, message, s.doubt, undefined));
  }
  for (let i = 0; i < found.doubles.length; i++) {
    const d = found.doubles[i] as DoubleApplied;
    if (!anchored(w, d.retry)) continue;
    const ev = [evidence(d.first, 'lost-response', d.client), evidence(d.read, 'retry-read', d.client), evidence(d.retry, 'retry', d.client)];
    const message =
      `Double-applied retry on ${path}: ${d.client}'s write #${d.first.seq} was applied but its response was lost (${lostResponseOf(d.first) ?? 'lost'}); ` +
      `the client read the item again (#${d.read.seq}, which showed that write) and wrote it again (#${d.retry.seq}).`;
    w.drafts.add(itemDraft('double-applied-retry', w.run.number, h, d.attributes, ev, message, d.doubt, undefined));
  }
}
