/**
 * The sync-bug detector: reads journal entries and names lost updates, writes built on stale
 * reads, double-applied retries and conflict storms, each with the journal sequence numbers that
 * prove it. Pure: entries in, findings out (definitions in docs/analyze.md).
 */
import { Identities } from './clients.js';
import { analyseItem, evidence, type ItemHistory } from './history.js';
import { toOp, type ReadOp, type WriteOp } from './ops.js';
import { groupFindings } from './report.js';
import { findCycles } from './cycles.js';
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

interface Run {
  identities: Identities;
  reads: ReadOp[];
  writes: WriteOp[];
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

type Draft = Omit<Finding, 'id' | 'severity' | 'seqs' | 'clients' | 'confidence' | 'reason'> & { doubt: string | undefined };

/** `#12 (w1), #14 (w2)`, at most five named: the evidence lists them all. */
function listed(refs: readonly { op: WriteOp; client: string }[]): string {
  const shown = refs.slice(0, 5).map((r) => `#${r.op.seq} (${r.client})`).join(', ');
  return refs.length > 5 ? `${shown} and ${refs.length - 5} more` : shown;
}

/** Entries one at a time (a file streams through it), then `finish` once. */
export class Analyzer {
  private readonly runs: Run[] = [];
  private lastSeq = Number.NEGATIVE_INFINITY;
  private requests = 0;
  private firstSeq: number | null = null;
  private simulated = false;
  private withoutOrder = false;
  private withoutConnection = false;

  constructor(private readonly options: AnalyzeOptions = {}) {}

  add(e: AnalyzableEntry): void {
    if (this.options.account && (e.account ?? '') !== this.options.account) return;
    let run = this.runs.at(-1);
    // A --journal file is appended to across restarts: sequence numbers start again at 1.
    if (!run || e.seq <= this.lastSeq) {
      this.runs.push((run = { identities: new Identities(), reads: [], writes: [] }));
      this.firstSeq = e.seq;
    }
    this.lastSeq = e.seq;
    this.requests++;
    if (e.atSeq !== undefined) this.simulated = true;
    if (e.order === undefined) this.withoutOrder = true;
    if (e.connection === undefined && !e.client) this.withoutConnection = true;
    const identity = run.identities.intern({
      header: e.client ?? null,
      userAgent: e.userAgent ?? null,
      keyHash: e.keyHash ?? null,
      connection: e.connection,
    }, e.order ?? e.seq, e.code === 'ConnectionReset');
    const op = toOp(e, identity, this.runs.length);
    if (op?.kind === 'read') run.reads.push(op);
    else if (op) run.writes.push(op);
  }

  finish(): Analysis {
    const several = this.runs.length > 1;
    const taken = new Set<string>();
    const clients: ClientSummary[] = [];
    const drafts: Draft[] = [];
    this.runs.forEach((run, index) => {
      const resolved = run.identities.resolve(several ? index + 1 : undefined, taken);
      clients.push(...resolved.clients);
      drafts.push(...analyseRun(run, resolved.names, this.options, several ? index + 1 : undefined));
    });
    const findings = drafts
      .map((d) => {
        const seqs = [...new Set(d.evidence.map((x) => x.seq))].sort((a, b) => a - b);
        const involved = d.conditional ? d.conditional.byClient.map((c) => c.client) : [...new Set(d.evidence.map((x) => x.client))];
        return { ...d, seqs, clients: involved };
      })
      .sort((a, b) => (a.run ?? 0) - (b.run ?? 0) || (a.seqs[0] ?? 0) - (b.seqs[0] ?? 0) || a.kind.localeCompare(b.kind))
      .map(({ kind, doubt, ...rest }, i): Finding => ({
        id: `F${i + 1}`,
        kind,
        severity: SEVERITY[kind],
        confidence: doubt === undefined ? 'definite' : 'possible',
        ...(doubt === undefined ? {} : { reason: doubt }),
        ...rest,
      }));
    const count = (k: FindingKind) => findings.filter((f) => f.kind === k).length;
    return {
      format: 1,
      requests: this.requests,
      runs: this.runs.length,
      firstSeq: this.firstSeq,
      lastSeq: this.requests > 0 ? this.lastSeq : null,
      clients,
      findings,
      groups: groupFindings(findings),
      summary: {
        anomalies: findings.filter((f) => f.severity === 'anomaly' && f.confidence === 'definite').length,
        possible: findings.filter((f) => f.severity === 'anomaly' && f.confidence === 'possible').length,
        hotspots: findings.filter((f) => f.severity === 'hotspot').length,
        'lost-update': count('lost-update'),
        'stale-read-write': count('stale-read-write'),
        'double-applied-retry': count('double-applied-retry'),
        'write-cycle': count('write-cycle'),
        'read-skew': count('read-skew'),
        'write-skew': count('write-skew'),
        phantom: count('phantom'),
        'conflict-storm': count('conflict-storm'),
      },
      notes: this.notes(clients),
    };
  }

  private notes(clients: ClientSummary[]): string[] {
    const notes: string[] = [];
    if (this.requests > 0 && !this.simulated) {
      notes.push(
        'No consistency simulation was on (mode consistent): every read saw the latest state, so no read was stale; lost updates can still come from interleaving.',
      );
    }
    if (this.runs.length > 1) notes.push(`The journal holds ${this.runs.length} runs (sequence numbers start again): each is analysed on its own.`);
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

/** What a lost write added to the number its read returned (an increment: 1), when both are numbers. */
function numericStep(write: WriteOp, item: string, attribute: string, read: ReadOp | undefined): number | undefined {
  const written = write.changes.find((c) => c.item === item)?.puts.filter((p) => p.name === attribute) ?? [];
  const shown = read?.returned?.get(item)?.get(attribute) ?? [];
  if (written.length !== 1 || shown.length !== 1) return undefined;
  const step = Number(written[0]?.value) - Number(shown[0]);
  return Number.isFinite(step) && step !== 0 ? step : undefined;
}

function byOrder<T extends { order: number }>(list: T[]): T[] {
  return list.sort((a, b) => a.order - b.order);
}

function analyseRun(run: Run, names: readonly string[], options: AnalyzeOptions, runNumber: number | undefined): Draft[] {
  const name = (op: ReadOp | WriteOp) => names[op.identity] ?? 'unknown';
  const itemKey = (account: string, domain: string, item: string) => `${account}\u0000${domain}\u0000${item}`;
  const domainKey = (account: string, domain: string) => `${account}\u0000${domain}`;

  const itemReads = new Map<string, Map<string, ReadOp[]>>();
  const selectReads = new Map<string, Map<string, ReadOp[]>>();
  for (const r of run.reads) {
    const map = r.item === undefined ? selectReads : itemReads;
    const key = r.item === undefined ? domainKey(r.account, r.domain) : itemKey(r.account, r.domain, r.item);
    let perClient = map.get(key);
    if (!perClient) map.set(key, (perClient = new Map()));
    const client = name(r);
    let list = perClient.get(client);
    if (!list) perClient.set(client, (list = []));
    list.push(r);
  }
  for (const map of [itemReads, selectReads]) for (const perClient of map.values()) for (const list of perClient.values()) byOrder(list);

  const items = new Map<string, ItemHistory>();
  const storms = new Map<string, { history: ItemHistory; writes: number; failed: WriteOp[]; byClient: Map<string, { writes: number; failed: number }> }>();
  for (const op of run.writes) {
    const client = name(op);
    for (const change of op.changes) {
      const key = itemKey(op.account, op.domain, change.item);
      let h = items.get(key);
      if (!h) items.set(key, (h = { run: runNumber ?? 1, account: op.account, domain: op.domain, item: change.item, writes: [] }));
      h.writes.push({ op, change, client });
      if (op.conditional && (op.applied || op.conditionFailed)) {
        let s = storms.get(key);
        if (!s) storms.set(key, (s = { history: h, writes: 0, failed: [], byClient: new Map() }));
        s.writes++;
        let c = s.byClient.get(client);
        if (!c) s.byClient.set(client, (c = { writes: 0, failed: 0 }));
        c.writes++;
        if (op.conditionFailed) {
          s.failed.push(op);
          c.failed++;
        }
      }
    }
  }

  const drafts: Draft[] = [];
  const where = (h: ItemHistory) => ({
    ...(runNumber === undefined ? {} : { run: runNumber }),
    ...(h.account ? { account: h.account } : {}),
    domain: h.domain,
    item: h.item,
  });
  for (const [key, h] of items) {
    const reads = itemReads.get(key);
    const selects = selectReads.get(domainKey(h.account, h.domain));
    const found = analyseItem(
      h,
      (client) => reads?.get(client) ?? [],
      (client) => selects?.get(client) ?? [],
    );
    const path = `${h.domain}/${h.item}`;
    for (const l of found.lost) {
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
        for (const u of l.unseen) ev.push(evidence(u.op, 'unseen-write', u.client));
        message =
          `Lost update of ${path} ${l.attribute}: ${l.lostClient}'s write #${l.lost.seq}${l.lostRead ? `, built on read #${l.lostRead.seq},` : ''} ` +
          `stored a value already written by ${listed(l.unseen)}, which it had not seen: two updates, one effect.`;
      }
      const step = numericStep(l.lost, h.item, l.attribute, l.lostRead);
      drafts.push({ kind: 'lost-update', ...where(h), attributes: [l.attribute], evidence: ev, message, doubt: l.doubt, ...(step === undefined ? {} : { step }) });
    }
    for (const s of found.stale) {
      const ev: Evidence[] = [evidence(s.read, 'stale-read', s.client), evidence(s.write, 'write', s.client)];
      const missed = [...s.missed.values()].sort((a, b) => a.op.seq - b.op.seq);
      for (const m of missed) ev.push(evidence(m.op, 'missed-write', m.client));
      const attributes = [...s.attributes].sort();
      drafts.push({
        kind: 'stale-read-write',
        doubt: s.doubt,
        ...where(h),
        attributes,
        evidence: ev,
        message:
          `${s.client} wrote ${path} ${attributes.join(', ')} (#${s.write.seq}) on a stale read (#${s.read.seq}, served as of write sequence ${s.read.asOfSeq ?? '?'})` +
          (missed.length > 0 ? ` that did not show ${listed(missed)}.` : '.'),
      });
    }
    for (const d of found.doubles) {
      drafts.push({
        kind: 'double-applied-retry',
        doubt: d.doubt,
        ...where(h),
        attributes: d.attributes,
        evidence: [evidence(d.first, 'lost-response', d.client), evidence(d.read, 'retry-read', d.client), evidence(d.retry, 'retry', d.client)],
        message:
          `Double-applied retry on ${path}: ${d.client}'s write #${d.first.seq} was applied but its response was lost (${d.first.lostResponse ?? 'lost'}); ` +
          `the client read the item again (#${d.read.seq}, which showed that write) and wrote it again (#${d.retry.seq}).`,
      });
    }
  }

  for (const c of findCycles(run.reads, run.writes, name)) {
    const kind = CYCLE_KINDS[c.class];
    const path = c.edges.map((e) => `${e.from} -${e.type}(${e.item}.${e.attribute} #${e.seqs[0]}→#${e.seqs[1]})→`).join(' ');
    drafts.push({
      kind,
      doubt: c.instrumented
        ? undefined
        : 'the operations were inferred from each client’s reads and the writes after them (no X-SimpleDB-Operation ids): a read may not have decided the write',
      ...(runNumber === undefined ? {} : { run: runNumber }),
      ...(c.account ? { account: c.account } : {}),
      domain: c.domain,
      item: c.items[0] ?? '',
      items: c.items,
      attributes: [...new Set(c.edges.map((e) => e.attribute))].sort(),
      evidence: c.evidence,
      cycle: { class: c.class, edges: c.edges },
      message: `${CYCLE_WORDS[c.class]} across ${c.items.map((i) => `${c.domain}/${i}`).join(', ')} (${c.class}) between ${c.clients.join(', ')}: ${path} back to the first.`,
    });
  }

  const rate = options.stormRate ?? DEFAULT_STORM_RATE;
  const min = options.stormMinWrites ?? DEFAULT_STORM_MIN_WRITES;
  for (const s of storms.values()) {
    const failed = s.failed.length;
    if (s.writes < min || failed / s.writes < rate || failed === 0) continue;
    const byClient = [...s.byClient].map(([client, c]) => ({ client, ...c })).sort((a, b) => b.failed - a.failed || a.client.localeCompare(b.client));
    const shown = [...s.failed].sort((a, b) => a.seq - b.seq).slice(0, STORM_EVIDENCE);
    const pct = Math.round((100 * failed) / s.writes);
    drafts.push({
      kind: 'conflict-storm',
      doubt: undefined,
      ...where(s.history),
      attributes: [],
      evidence: shown.map((op) => evidence(op, 'failed-write', name(op))),
      conditional: { writes: s.writes, failed, rate: failed / s.writes, byClient },
      message:
        `Conflict storm on ${s.history.domain}/${s.history.item}: ${failed} of ${s.writes} conditional writes failed (${pct} %); ` +
        byClient.map((c) => `${c.client} ${c.failed}/${c.writes}`).join(', ') +
        (failed > shown.length ? ` (the first ${shown.length} failures listed).` : '.'),
    });
  }
  return drafts;
}
