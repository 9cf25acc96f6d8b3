import type { JournalEntry } from '../../core/wire.js';

/**
 * What the analysis reads of a journal entry. Entries of the emulator's journal have all of it;
 * the optional parts may be missing from files written by older versions (then: finish order
 * stands in for `order`, success for `applied`, and clients are told apart by User-Agent).
 */
export type AnalyzableEntry = Pick<JournalEntry, 'seq' | 'action' | 'params' | 'code'> &
  Partial<
    Pick<
      JournalEntry,
      'userAgent' | 'order' | 'applied' | 'connection' | 'client' | 'operation' | 'keyHash' | 'account' | 'atSeq' | 'writeSeq' | 'read' | 'faults' | 'request'
    >
  >;

export interface AnalyzeOptions {
  /** Conflict storm: an item whose conditional writes fail at least this often (0..1). Default 0.5. */
  stormRate?: number;
  /** ... over at least this many conditional writes. Default 10. */
  stormMinWrites?: number;
  /** Only requests of this account namespace ('' or undefined: all). */
  account?: string;
}

/** Every kind of finding: the type is made from the list, so that what numbers them (drafts.ts) misses none. */
export const FINDING_KINDS = ['lost-update', 'stale-read-write', 'double-applied-retry', 'write-cycle', 'read-skew', 'write-skew', 'phantom', 'conflict-storm'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Adya's anomaly classes as Elle names them: the kind of dependency cycle between logical operations. */
export type CycleClass = 'G0' | 'G1c' | 'G-single' | 'G2-item' | 'G2';

/** One edge of a cycle: `to` had to come after `from`, because of the two requests in `seqs`. */
export interface CycleEdge {
  /** The operations, as `client` and, when it carried one, its operation id. */
  from: string;
  to: string;
  /** ww: `to` wrote the next version; wr: `to` read `from`'s version; rw: `to` wrote the version after the one `from` read; predicate: `to` changed what `from`'s Select matched, unseen. */
  type: 'ww' | 'wr' | 'rw' | 'predicate';
  item: string;
  attribute: string;
  seqs: [number, number];
}

/** Anomalies are wrong results; hot spots are contention that costs retries but loses nothing. */
export type Severity = 'anomaly' | 'hotspot';

/**
 * `definite`: the journal proves it (the write was built on what a read returned, or the
 * operation ids say so). `possible`: it may be an anomaly, and `reason` says what the journal
 * could not tell. Only definite anomalies fail `analyze` (exit 1) unless `--strict`.
 */
export type Confidence = 'definite' | 'possible';

/** Every part a request plays in a finding's evidence, the type made from the list as for FINDING_KINDS. */
export const EVIDENCE_ROLES = [
  'lost-write',
  'read',
  'overwrite',
  'overwrite-read',
  'unseen-write',
  'stale-read',
  'write',
  'missed-write',
  'lost-response',
  'retry-read',
  'retry',
  'failed-write',
  'cycle-read',
  'cycle-write',
] as const;
export type EvidenceRole = (typeof EVIDENCE_ROLES)[number];

/** One request a finding rests on, with the part it plays. */
export interface Evidence {
  seq: number;
  role: EvidenceRole;
  client: string;
  action: string;
}

export interface Finding {
  /** F1, F2, ... in the order of the first request involved. */
  id: string;
  kind: FindingKind;
  severity: Severity;
  confidence: Confidence;
  /** For a possible finding: what the journal could not tell. */
  reason?: string;
  /** Present when the journal holds several runs (a --journal file appended across restarts): 1, 2, ... */
  run?: number;
  /** Present when the requests ran in an isolated account. */
  account?: string;
  domain: string;
  item: string;
  /** The attributes concerned (empty for a whole-item finding such as a conflict storm). */
  attributes: string[];
  clients: string[];
  /** Every journal sequence number of `evidence`, ascending: enough to find the bug in the journal. */
  seqs: number[];
  evidence: Evidence[];
  /** One or two sentences for people. */
  message: string;
  /** Lost updates: what the lost write added to the number its read returned (1 for an increment). */
  step?: number;
  /** Anomalies across items: every item of the cycle (`item` is the first). */
  items?: string[];
  /** Anomalies across items: the cycle between logical operations. */
  cycle?: { class: CycleClass; edges: CycleEdge[] };
  /** Conflict storms: the conditional writes, per client. */
  conditional?: { writes: number; failed: number; rate: number; byClient: { client: string; writes: number; failed: number }[] };
}

/** The findings of one kind and confidence on one item and attribute list: one line of the summary. */
export interface FindingGroup {
  kind: FindingKind;
  severity: Severity;
  confidence: Confidence;
  run?: number;
  account?: string;
  domain: string;
  item: string;
  attributes: string[];
  clients: string[];
  /** The ids of its findings, in order. */
  findings: string[];
  /** Lost updates that each lost a number's change: their sum (`37 increments lost` when each was +1). */
  lostTotal?: number;
  /** The line for people: how many of what, where, by whom, the consequence when known, and the first finding's evidence chain. */
  line: string;
}

/** How a client was told apart (docs/analyze.md, "Clients"). */
export type ClientBasis = 'header' | 'connection' | 'user-agent';

export interface ClientSummary {
  id: string;
  by: ClientBasis;
  userAgent: string | null;
  keyHash: string | null;
  /** Its connections by number, ascending: the lowest 1,000 (clients.ts, LISTED_CONNECTIONS). */
  connections: number[];
  /** How many connections it used. */
  connectionCount: number;
  requests: number;
  run?: number;
}

export interface Analysis {
  /** Bumped if the shape changes incompatibly. */
  format: 1;
  /** Requests analysed. */
  requests: number;
  runs: number;
  /** First and last journal sequence number analysed (of the last run). */
  firstSeq: number | null;
  lastSeq: number | null;
  clients: ClientSummary[];
  findings: Finding[];
  /** The summary: findings grouped by item, attributes, kind and confidence; definite first, then the largest. */
  groups: FindingGroup[];
  /**
   * `anomalies`: definite anomalies (what fails `analyze`); `possible`: possible anomalies;
   * `hotspots`; and per kind, the findings of that kind whatever their confidence.
   */
  summary: { anomalies: number; possible: number; hotspots: number } & Record<FindingKind, number>;
  /** What this journal did not let the analysis see (docs/analyze.md, "Limits"). */
  notes: string[];
}
