import { createHash } from 'node:crypto';
import { readRequest } from '../actions/readers.js';
import { integer, integerText } from '../core/input.js';
import { Params, parseForm } from '../core/params.js';
import type { ActionResult } from '../actions/types.js';
import { RETURNED_ITEMS, RETURNED_VALUE_CHARS, type JournalEntry, type JournalFilter, type ReadRecord, type ReturnedRecord } from '../core/wire.js';
import type { JournalFile } from './journalFile.js';

export type { JournalEntry, JournalFilter, ReadRecord, ReturnedRecord };

/** What a successful read returned, as the action produced it. */
export type ReadResult = Extract<ActionResult, { action: 'GetAttributes' | 'Select' }>;

/** Never written to the journal: they would let a reader sign requests as the caller. */
export const REDACTED_PARAMS: ReadonlySet<string> = new Set(['Signature', 'AWSAccessKeyId', 'SecurityToken']);

/** A request's parameters as they arrived: the query string and, for POST, the form body. */
export interface RawRequest {
  query: string;
  body: string | null;
}

/**
 * What `add` takes: the raw parameters, parsed and redacted only when an entry is read. One
 * string weighs a fraction of the thousands of small objects a parsed batch is made of, and
 * costs the garbage collector next to nothing while it waits in the ring.
 */
export type JournalInput = Omit<JournalEntry, 'seq' | 'params' | 'request' | 'time' | 'keyHash' | 'items'> & {
  /** The request's own list, copied only when the entry is read. */
  items: readonly string[];
  params: RawRequest;
  /** Arrival in ms since the epoch, written out as ISO 8601 when the entry is read. */
  time: number;
  /** A read's result, recorded as `read.returned` when the entry is read. */
  returned?: ReadResult;
};

/** Kept as it came: the public entry is only assembled when someone reads it. */
type Stored = { seq: number; input: JournalInput; bytes: number };

/**
 * The ring also stops at about this much memory held by parameters: 1,000 maximal batches would
 * be gigabytes, and retained requests weigh on the garbage collector of a busy emulator.
 */
export const JOURNAL_MAX_BYTES = 16 * 1024 * 1024;

/** The ring's most entries: a bound on its memory (it also stops at JOURNAL_MAX_BYTES of parameters). */
export const MAX_JOURNAL_SIZE = 10_000_000;

/** --journal-size: entries the ring keeps, 0 to MAX_JOURNAL_SIZE. */
export function parseJournalSize(text: string): number {
  return integerText('journalSize', text, 0, MAX_JOURNAL_SIZE);
}

/**
 * One entry per protocol request: a bounded ring in memory and, with a file, JSON lines
 * appended to it. Written synchronously in the step that sends the response, so a test in the
 * same process can read the file as soon as it has the response, without waiting for a flush.
 * The ring keeps the request's own parsed pairs rather than a copy, and redacts them when an
 * entry is read, so journalling costs the hot path almost nothing.
 */
export class Journal {
  private ring: Stored[] = [];
  private preloaded: readonly JournalEntry[] = [];
  /** Index of the oldest entry in `ring`; the array is compacted once half of it is dead. */
  private head = 0;
  private bytes = 0;
  private seq = 0;
  /** Under isolated accounts, each account's latest: the global one would tell it how many requests others made. */
  private accountSeq = new Map<string, number>();
  private order = 0;
  /** Entries the ring let go of to stay within its size (not those `clear` removed). */
  private evicted = 0;
  private evictedByAccount = new Map<string, number>();
  private connections = new WeakMap<object, number>();
  private connectionCount = 0;
  constructor(
    readonly capacity: number,
    private file?: JournalFile,
    private readonly maxBytes = JOURNAL_MAX_BYTES,
  ) {
    // The library's option comes here unparsed: a negative or fractional size kept nothing, silently.
    integer({ journalSize: capacity }, 'journalSize', 0, MAX_JOURNAL_SIZE);
  }

  get latestSeq(): number {
    return this.seq;
  }

  /** The sequence number of `account`'s latest entry (0 before its first). */
  latestSeqOf(account: string): number {
    return this.accountSeq.get(account) ?? 0;
  }

  /**
   * How many entries (of `account`'s, under isolated accounts) the ring has let go of since it was
   * last cleared: an analysis of the ring did not see them.
   */
  evictedOf(account?: string): number {
    return account === undefined ? this.evicted : (this.evictedByAccount.get(account) ?? 0);
  }

  /** Whether entries are kept anywhere: without, `add` stores nothing and callers may skip gathering. */
  get active(): boolean {
    return this.capacity > 0 || this.file !== undefined;
  }

  /** The next position in the order actions take effect. */
  stamp(): number {
    return ++this.order;
  }

  /** A number per socket, handed out at its first request. */
  connectionId(socket: object): number {
    let id = this.connections.get(socket);
    if (id === undefined) this.connections.set(socket, (id = ++this.connectionCount));
    return id;
  }

  add(input: JournalInput): void {
    const stored: Stored = { seq: ++this.seq, input, bytes: paramBytes(input.params) + resultBytes(input.returned) };
    if (input.account !== undefined) this.accountSeq.set(input.account, stored.seq);
    this.file?.append(JSON.stringify(publish(stored)) + '\n');
    if (this.capacity <= 0) return;
    this.ring.push(stored);
    this.bytes += stored.bytes;
    while (this.ring.length - this.head > this.capacity || (this.bytes > this.maxBytes && this.ring.length - this.head > 1)) {
      const gone = this.ring[this.head];
      this.bytes -= gone?.bytes ?? 0;
      this.evicted++;
      const account = gone?.input.account;
      if (account !== undefined) this.evictedByAccount.set(account, (this.evictedByAccount.get(account) ?? 0) + 1);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Entries of an earlier run (a kept journal file), shown before this run's and read-only: the
   * console and the analysis see them as if they had just happened. Sequence numbers go on after
   * theirs.
   */
  preload(entries: readonly JournalEntry[]): void {
    this.preloaded = [...entries].sort((a, b) => a.seq - b.seq);
    this.seq = Math.max(this.seq, this.preloaded.at(-1)?.seq ?? 0);
    for (const e of this.preloaded) this.order = Math.max(this.order, e.order ?? 0);
  }

  /**
   * Oldest first. Only the entries returned are built: the newest page walks back from the end,
   * a page after `since` starts at the first entry after it, and both stop at `limit`.
   */
  query(filter: JournalFilter = {}): JournalEntry[] {
    const current = this.queryRing(filter);
    if (this.preloaded.length === 0) return current;
    const earlier = this.preloaded.filter((e) => matchesEntry(e.seq, { ...e, time: Date.parse(e.time) }, filter));
    const all = [...earlier, ...current];
    if (filter.limit === undefined) return all;
    return filter.since === undefined ? all.slice(-filter.limit) : all.slice(0, filter.limit);
  }

  private queryRing(filter: JournalFilter): JournalEntry[] {
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    const picked: Stored[] = [];
    if (filter.since === undefined && filter.limit !== undefined) {
      for (let i = this.ring.length - 1; i >= this.head && picked.length < limit; i--) {
        const s = this.ring[i];
        if (s && matches(s, filter)) picked.push(s);
      }
      picked.reverse();
    } else {
      for (let i = this.firstAfter(filter.since); i < this.ring.length && picked.length < limit; i++) {
        const s = this.ring[i];
        if (s && matches(s, filter)) picked.push(s);
      }
    }
    return picked.map(publish);
  }

  /** The index of the first entry after `since` (sequence numbers ascend along the ring). */
  private firstAfter(since: number | undefined): number {
    let lo = this.head;
    if (since === undefined) return lo;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ring[mid]?.seq ?? 0) <= since) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Empties the ring, or drops one account's entries; sequence numbers keep counting, so `since`
   * stays meaningful.
   */
  clear(account?: string): void {
    this.preloaded = account === undefined ? [] : this.preloaded.filter((e) => e.account !== account);
    const kept = account === undefined ? [] : this.ring.slice(this.head).filter((s) => s.input.account !== account);
    this.ring = kept;
    this.head = 0;
    if (account === undefined) {
      this.evicted = 0;
      this.evictedByAccount.clear();
    } else {
      this.evicted -= this.evictedByAccount.get(account) ?? 0;
      this.evictedByAccount.delete(account);
    }
    this.bytes = kept.reduce((sum, s) => sum + s.bytes, 0);
  }

  close(): void {
    this.file?.close();
    this.file = undefined;
  }
}

/** The request's parameters as the emulator read them (the body wins over the query string). */
function publish(s: Stored): JournalEntry {
  const params: Record<string, string> = {};
  let keyId: string | undefined;
  const e = s.input;
  for (const text of [e.params.query, e.params.body ?? '']) {
    for (const [name, value] of parseForm(text)) {
      if (!REDACTED_PARAMS.has(name)) params[name] = value;
      else if (name === 'AWSAccessKeyId') keyId = value;
    }
  }
  const keyHash = keyId === undefined ? null : createHash('sha256').update(keyId).digest('hex').slice(0, 12);
  // In a fixed order, the optional fields in their places, however the input was assembled.
  return {
    seq: s.seq,
    time: new Date(e.time).toISOString(),
    requestId: e.requestId,
    method: e.method,
    ...(e.account === undefined ? {} : { account: e.account }),
    action: e.action,
    domain: e.domain,
    items: [...e.items],
    status: e.status,
    code: e.code,
    latencyMs: e.latencyMs,
    userAgent: e.userAgent,
    ...(e.atSeq === undefined ? {} : { atSeq: e.atSeq }),
    ...(e.writeSeq === undefined ? {} : { writeSeq: e.writeSeq }),
    ...(e.read === undefined ? {} : { read: e.returned === undefined ? e.read : { ...e.read, returned: returnedRecord(e.items, e.returned) } }),
    ...(e.faults === undefined ? {} : { faults: e.faults }),
    order: e.order,
    applied: e.applied,
    connection: e.connection,
    client: e.client,
    ...(e.operation === undefined ? {} : { operation: e.operation }),
    keyHash,
    params,
    request: readRequest(new Params(Object.entries(params))) ?? null,
  };
}

/**
 * A value as `read.returned` records it: itself up to RETURNED_VALUE_CHARS characters, else a
 * digest that a write of the same value maps to as well (the analysis compares them).
 */
export function recordedValue(value: string): string {
  if (value.length <= RETURNED_VALUE_CHARS) return value;
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}/${value.length}`;
}

function returnedRecord(items: readonly string[], r: ReadResult): ReturnedRecord {
  const attributes = (pairs: readonly { name: string; value: string }[]) => {
    const out: Record<string, string[]> = {};
    for (const p of pairs) (out[p.name] ??= []).push(recordedValue(p.value));
    return out;
  };
  if (r.action === 'GetAttributes') return { items: [{ name: items[0] ?? '', attributes: attributes(r.attributes) }] };
  if ('count' in r) return { items: [], count: r.count };
  const shown = r.items.slice(0, RETURNED_ITEMS).map((i) => ({ name: i.name, attributes: attributes(i.attributes) }));
  return r.items.length > RETURNED_ITEMS ? { items: shown, more: r.items.length - RETURNED_ITEMS } : { items: shown };
}

/** Roughly what V8 holds for a retained result: its strings, two-byte at worst, and an object per pair. */
function resultBytes(r: ReadResult | undefined): number {
  if (r === undefined) return 0;
  const sum = (pairs: readonly { name: string; value: string }[]) => {
    let n = 48;
    for (const p of pairs) n += 2 * (p.name.length + p.value.length) + 48;
    return n;
  };
  if (r.action === 'GetAttributes') return sum(r.attributes);
  let n = 0;
  if ('items' in r) for (const i of r.items) n += sum(i.attributes) + 2 * i.name.length;
  return n;
}

/** What V8 holds for the two strings: two-byte characters at worst. */
function paramBytes(params: RawRequest): number {
  return 2 * (params.query.length + (params.body?.length ?? 0)) + 64;
}

/** The name a journal entry's client goes by in filters (JournalFilter.client). */
export function clientName(client: string | null, userAgent: string | null): string {
  if (client) return client;
  const ua = userAgent ?? '';
  return ua === '' ? 'unknown' : (ua.split(' ')[0] ?? ua);
}

/** What a filter looks at, in a stored entry and in a published one alike. */
interface Filterable {
  time: number;
  client: string | null;
  userAgent: string | null;
  account?: string;
  action: string | null;
  domain: string | null;
  code: string;
  items: readonly string[];
}

const matches = ({ seq, input }: Stored, f: JournalFilter): boolean => matchesEntry(seq, input, f);

function matchesEntry(seq: number, e: Filterable, f: JournalFilter): boolean {
  return (
    (f.since === undefined || seq > f.since) &&
    (f.before === undefined || seq < f.before) &&
    (f.from === undefined || e.time >= f.from) &&
    (f.to === undefined || e.time < f.to) &&
    (f.client === undefined || clientName(e.client, e.userAgent) === f.client) &&
    (f.account === undefined || e.account === f.account) &&
    (f.action === undefined || e.action === f.action) &&
    (f.domain === undefined || e.domain === f.domain) &&
    (f.code === undefined || e.code === f.code) &&
    (f.item === undefined || e.items.includes(f.item))
  );
}
