import { closeSync, openSync, writeSync } from 'node:fs';

/** Never written to the journal: they would let a reader sign requests as the caller. */
export const REDACTED_PARAMS: ReadonlySet<string> = new Set(['Signature', 'AWSAccessKeyId', 'SecurityToken']);

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
}

export interface JournalEntry {
  /** 1, 2, 3, ... in the order requests finished. */
  seq: number;
  /** Arrival, by the emulator's clock. */
  time: string;
  requestId: string;
  method: string;
  action: string | null;
  domain: string | null;
  /** ItemName, or the Item.N.ItemName of a batch. */
  items: string[];
  /** Every parameter but Signature, AWSAccessKeyId and SecurityToken. */
  params: Record<string, string>;
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
  faults?: { rule: string; effect: string }[];
}

export interface JournalFilter {
  action?: string;
  domain?: string;
  /** Matches ItemName or any item of a batch. */
  item?: string;
  code?: string;
  /** Only entries after this sequence number. */
  since?: number;
  /** With `since`, the first this many after it; without, the last this many. */
  limit?: number;
}

/**
 * One entry per protocol request: a bounded ring in memory and, with a file, JSON lines
 * appended to it. Written synchronously in the step that sends the response, so a test in the
 * same process can read the file as soon as it has the response, without waiting for a flush.
 */
export class Journal {
  private readonly ring: (JournalEntry | undefined)[];
  private next = 0;
  private seq = 0;
  private fd: number | undefined;

  constructor(
    readonly capacity: number,
    file?: string,
  ) {
    this.ring = new Array<JournalEntry | undefined>(capacity);
    if (file !== undefined) this.fd = openSync(file, 'a');
  }

  get latestSeq(): number {
    return this.seq;
  }

  add(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full: JournalEntry = { seq: ++this.seq, ...entry };
    if (this.capacity > 0) {
      this.ring[this.next] = full;
      this.next = (this.next + 1) % this.capacity;
    }
    if (this.fd !== undefined) writeSync(this.fd, JSON.stringify(full) + '\n');
    return full;
  }

  /** Oldest first. */
  query(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const e = this.ring[(this.next + i) % this.capacity];
      if (e && matches(e, filter)) out.push(e);
    }
    if (filter.limit === undefined) return out;
    return filter.since === undefined ? out.slice(-filter.limit) : out.slice(0, filter.limit);
  }

  /** Empties the ring; sequence numbers keep counting, so `since` stays meaningful. */
  clear(): void {
    this.ring.fill(undefined);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function matches(e: JournalEntry, f: JournalFilter): boolean {
  return (
    (f.since === undefined || e.seq > f.since) &&
    (f.action === undefined || e.action === f.action) &&
    (f.domain === undefined || e.domain === f.domain) &&
    (f.code === undefined || e.code === f.code) &&
    (f.item === undefined || e.items.includes(f.item))
  );
}
