/**
 * The shapes the control surface and the journal publish as JSON, in one module with no
 * dependencies: the server builds them, and the web console (compiled apart, for the browser)
 * imports them as types, so the two cannot drift.
 */

// What a request asks for (emulator/actions/readers.ts reads it).

export interface AttributeInput {
  readonly name: string;
  /** Absent on a DeleteAttributes that names the attribute alone (every value goes). */
  readonly value: string | undefined;
  /** `Replace=true` (PutAttributes only). */
  readonly replace: boolean;
}

export interface ItemInput {
  readonly item: string;
  readonly attributes: readonly AttributeInput[];
}

/** One `Expected` condition as sent; the action checks that it is well formed. */
export interface ExpectedInput {
  readonly name: string | undefined;
  readonly value: string | undefined;
  readonly exists: string | undefined;
}

export type RequestReading =
  | { readonly action: 'CreateDomain' | 'DeleteDomain' | 'DomainMetadata'; readonly domain: string | undefined }
  | { readonly action: 'ListDomains'; readonly nextToken: string | undefined }
  | {
      readonly action: 'PutAttributes' | 'DeleteAttributes';
      readonly domain: string | undefined;
      readonly item: string | undefined;
      readonly attributes: readonly AttributeInput[];
      readonly expected: readonly ExpectedInput[];
    }
  | { readonly action: 'BatchPutAttributes' | 'BatchDeleteAttributes'; readonly domain: string | undefined; readonly items: readonly ItemInput[] }
  | {
      readonly action: 'GetAttributes';
      readonly domain: string | undefined;
      readonly item: string | undefined;
      /** Empty: every attribute. */
      readonly attributeNames: readonly string[];
      readonly consistentRead: boolean;
    }
  | { readonly action: 'Select'; readonly expression: string | undefined; readonly nextToken: string | undefined; readonly consistentRead: boolean };

// The journal (emulator/sync/journal.ts).

/** How an eventually consistent (or consistent) read saw the store. */
export interface ReadRecord {
  consistentRead: boolean;
  /** Whether what it returned differed from the latest state. */
  stale: boolean;
  /** While a simulation is on: the write sequence the read saw, and the latest one. */
  asOfSeq?: number;
  latestSeq?: number;
  /** Writes it did not see (anywhere in the store). */
  behindWrites?: number;
  /** How far behind the clock the state it saw was. */
  lagMs?: number;
  /** What a successful GetAttributes or Select returned (docs/analyze.md, "What reads returned"). */
  returned?: ReturnedRecord;
}

/**
 * The items a read returned, per attribute its values in the order answered. A value longer than
 * RETURNED_VALUE_CHARS characters is kept as `sha256:` and the first 16 hex digits of its SHA-256,
 * a slash and its length in characters, enough to tell whether a later write stored the same value.
 */
export interface ReturnedRecord {
  items: { name: string; attributes: Record<string, string[]> }[];
  /** Items returned beyond the recorded ones (a Select page of more than RETURNED_ITEMS items). */
  more?: number;
  /** `select count(*)`: the count answered (no items are returned). */
  count?: number;
}

export const RETURNED_VALUE_CHARS = 64;
export const RETURNED_ITEMS = 100;

export interface JournalEntry {
  /** 1, 2, 3, ... in the order requests finished. */
  seq: number;
  /** Arrival, by the emulator's clock. */
  time: string;
  requestId: string;
  method: string;
  /**
   * With accounts isolated: the account the request was authenticated into. Absent when every
   * caller shares one namespace, and for a request that failed before it was authenticated.
   */
  account?: string;
  action: string | null;
  domain: string | null;
  /** ItemName, or the Item.N.ItemName of a batch. */
  items: string[];
  /** Every parameter but Signature, AWSAccessKeyId and SecurityToken. */
  params: Record<string, string>;
  /** The parameters as the action reads them; null when the request named no action of ours. */
  request: RequestReading | null;
  /** HTTP status answered; 0 when the connection was reset instead. */
  status: number;
  /** 'Success', the error code answered, or 'ConnectionReset'. */
  code: string;
  latencyMs: number;
  userAgent: string | null;
  /**
   * While a simulation is on: the latest write sequence when the action ran (what a conditional
   * check was evaluated against), and the write's own number when it changed the store.
   */
  atSeq?: number;
  writeSeq?: number;
  read?: ReadRecord;
  /** Fault rules that fired, with their effect. */
  faults?: readonly { rule: string; effect: string }[];
  /**
   * 1, 2, 3, ... in the order the actions took effect (stamped in the same synchronous step that
   * ran the action); `seq` is the order requests finished, which differs when an answer waited.
   */
  order: number;
  /** The action ran to success: a write is in the store, even when its response was then lost. */
  applied: boolean;
  /** The TCP connection (1, 2, ... by first request): requests over one keep-alive connection share it. */
  connection: number;
  /** The `X-SimpleDB-Client` header: the name a caller gives itself (docs/analyze.md). */
  client: string | null;
  /** The `X-SimpleDB-Operation` header, when sent: the logical operation the request is part of (docs/analyze.md). */
  operation?: string;
  /** The first 12 hex digits of the SHA-256 of AWSAccessKeyId: tells keys apart without showing them. */
  keyHash: string | null;
}

export interface JournalFilter {
  /** Only this account's requests (see JournalEntry.account). */
  account?: string;
  action?: string;
  domain?: string;
  /** Matches ItemName or any item of a batch. */
  item?: string;
  code?: string;
  /**
   * Who sent it, as the console names a client: its X-SimpleDB-Client name, else the first word
   * of its User-Agent (`Boto3/1.34.0 …` is `Boto3/1.34.0`).
   */
  client?: string;
  /** Arrival at or after / before this time, in ms since the epoch. */
  from?: number;
  to?: number;
  /** Only entries after this sequence number. */
  since?: number;
  /** Only entries before this sequence number: the page older than one already shown. */
  before?: number;
  /** With `since`, the first this many after it; without, the last this many. */
  limit?: number;
}

// Consistency (emulator/sync/consistency.ts).

export const CONSISTENCY_MODES = ['consistent', 'eventual', 'frozen'] as const;
export type ConsistencyMode = (typeof CONSISTENCY_MODES)[number];

export interface ConsistencySettings {
  mode?: ConsistencyMode;
  /** eventual: the oldest state a read may see, in ms behind the clock. */
  maxStalenessMs?: number;
  /**
   * eventual: instead of time, how many writes (anywhere in the store) a read may be behind;
   * null: by time. Counting writes makes a replay independent of how fast the test ran.
   */
  maxStalenessWrites?: number | null;
  /** Seeds the staleness drawn per read; the same seed replays the same sequence. */
  seed?: number;
}

export interface ConsistencyState {
  mode: ConsistencyMode;
  maxStalenessMs: number;
  maxStalenessWrites: number | null;
  seed: number;
  /** While frozen: the write sequence eventually consistent reads see. */
  frozenAtSeq: number | null;
  /** frozen: the mode `thaw` returns to. */
  thawTo: ConsistencyMode | null;
  /** Sequence number of the latest write (counted only while a simulation is on). */
  latestSeq: number;
  /** Rows of the version log now: bounded by the staleness window. */
  history: { writes: number; changes: number };
}

// Fault rules (emulator/sync/faults.ts).

export type LoseResponse = 'reset' | '503';

/** A rule as given (JSON or code). Exactly one effect: `error`, `delayMs` or `loseResponse`. */
export interface FaultRuleInput {
  /** An action name; omitted: every action. */
  action?: string;
  /** Exact domain name; omitted: any. */
  domain?: string;
  /** Item name pattern (`*` any run of characters, `?` one); a batch matches if any item does. */
  item?: string;
  /** Answer this error code of the Developer Guide's error table instead of running the action. */
  error?: string;
  /** Wait this long: before the action runs (default), or after the write and before answering. */
  delayMs?: number;
  phase?: 'before' | 'after';
  /** Run the action, then lose the answer: reset the connection, or answer 503 ServiceUnavailable. */
  loseResponse?: LoseResponse;
  /** Fire this many times, then stay listed as spent; omitted: no limit. */
  count?: number;
  /** Let this many matching requests through before firing. */
  skip?: number;
  /** Fire on each eligible request with this chance (0..1), drawn from the rule's seed per client and item. */
  probability?: number;
  /** The rule's stream; default derived from the run's seed and the rule's number. */
  seed?: number;
}

export interface FaultRule extends FaultRuleInput {
  readonly id: string;
  /** Requests that matched action, domain and item. */
  matched: number;
  fired: number;
}
