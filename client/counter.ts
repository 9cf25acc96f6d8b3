/**
 * A reliable counter kept in one SimpleDB item, after Mitch Garnaat's "Stupid Boto Tricks #2"
 * (2010): consistent reads, and every change one PutAttributes conditional on the exact string
 * last read. Layout of the item (all written with Replace=true):
 *
 * - `current_value`: the value, plain decimal by default (boto's Sequence reads it too);
 * - `last_value`: the value before the latest change (absent until the first change);
 * - `timestamp`: when the latest change was made, ISO 8601 UTC;
 * - `write_id`: a random id of the logical write that stored this state;
 * - `previous_write_ids`: the write ids of the states before it, newest first, space-separated.
 *
 * The write ids let the counter decide, after a response was lost, whether its write was applied,
 * so that no change is ever applied twice (see `Counter.#decide`).
 */
import { randomBytes } from 'node:crypto';
import { inspect, type InspectOptionsStylized } from 'node:util';
import type { SimpleDBClient } from './client.js';
import {
  DeleteAttributesCommand,
  GetAttributesCommand,
  PutAttributesCommand,
  type Attribute,
  type ReplaceableAttribute,
  type UpdateCondition,
} from './commands.js';
import { checkSafe, decodeCounterValue, encodeCounterValue, parseTimestamp, type CounterEncoding } from './counterEncoding.js';
import {
  CounterEncodingError,
  CounterExistsError,
  CounterNotFoundError,
  CounterOutOfSyncError,
  CounterRetriesExhaustedError,
  CounterWriteUnknownError,
  type CounterError,
} from './counterErrors.js';
import { AttributeDoesNotExist, ConditionalCheckFailed, MultiValuedAttribute, SimpleDBAbortError, SimpleDBError } from './errors.js';
import { backoffDelay, defaultSleep } from './retry.js';

const CURRENT = 'current_value';
const LAST = 'last_value';
const TIMESTAMP = 'timestamp';
const WRITE_ID = 'write_id';
const PREVIOUS_IDS = 'previous_write_ids';
const ATTRIBUTES = [CURRENT, LAST, TIMESTAMP, WRITE_ID, PREVIOUS_IDS] as const;

/**
 * Write ids kept in `previous_write_ids`. 16 ids of 16 characters stay far below the 1024-byte
 * value limit, and a lost write is decided as long as fewer than 16 other writes land between
 * it and the read that follows the failure.
 */
const HISTORY = 16;

/** Times a write is re-sent after an ambiguous failure that a read showed had not been applied. */
const MAX_RESENDS = 3;

/**
 * `incrementWithRetry`'s budget, chosen by measurement (docs/notes/counter.md): with 8 processes
 * × 200 increments on one item and the machine saturated, one increment needed up to 55
 * attempts, so a count is the wrong limit (it grows with the number of writers, not with what
 * the caller can wait for); the slowest increment took 28 s with this backoff (37 s with
 * another), hence 60 s. A smaller base or cap meant more conflicts and longer runs on a
 * saturated machine; with this one the writers already spend about half their time waiting.
 */
const RETRY_DEFAULTS = { maxElapsedMs: 60_000, baseDelayMs: 50, maxDelayMs: 2_000 } as const;

export interface CounterOptions {
  client: SimpleDBClient;
  domain: string;
  /** The item name. */
  name: string;
  encoding?: CounterEncoding;
  /**
   * Default true. False reads possibly stale data, which only makes conflicts more likely: it is
   * there to reproduce stale-read bugs. The read that decides a lost write is always consistent.
   */
  consistentRead?: boolean;
}

export interface CreateCounterOptions extends CounterOptions {
  /** Default 0. */
  initial?: number;
  /**
   * When the item already has a `current_value`: `adopt` (default) opens it as it is, `fail`
   * throws CounterExistsError, `overwrite` sets it to `initial` with a conditional write.
   */
  ifExists?: 'adopt' | 'fail' | 'overwrite';
}

export interface IncrementRetryOptions {
  /**
   * Default 60 000. No attempt starts later than this after the first one; the wait before the
   * last is shortened to fit. An attempt in flight is not cut short (that is what `signal` is for).
   */
  maxElapsedMs?: number;
  /** Conditional writes tried in all, first included. Default Infinity: the time budget bounds them. */
  maxAttempts?: number;
  /** Full-jitter backoff between attempts: random() * min(maxDelayMs, baseDelayMs * 2^(retry-1)). Default 50. */
  baseDelayMs?: number;
  /** Default 2000. */
  maxDelayMs?: number;
  /** Stops between attempts and cancels the request in flight (SimpleDBAbortError). */
  signal?: AbortSignal;
  /** Called after each conflict that will be retried, with the wait before the next attempt. */
  onConflict?: (error: CounterOutOfSyncError, attempt: number, delayMs: number) => void;
  /** Default Math.random; injectable so that tests are deterministic. */
  random?: () => number;
}

/** An item's counter attributes as stored; undefined where absent. */
interface StoredState {
  raw: string;
  lastRaw: string | undefined;
  timestampRaw: string | undefined;
  writeId: string | undefined;
  previousIds: readonly string[];
}

const newWriteId = (): string => randomBytes(8).toString('hex');

export class Counter {
  readonly client: SimpleDBClient;
  readonly domain: string;
  readonly name: string;
  readonly encoding: CounterEncoding;
  readonly consistentRead: boolean;

  #stored: StoredState;
  #value: number;
  #lastValue: number | undefined;
  #timestamp: Date | undefined;
  /** Settles when the latest queued call has: calls on one instance run one at a time, in call order. */
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(options: CounterOptions, stored: StoredState, value: number) {
    this.client = options.client;
    this.domain = options.domain;
    this.name = options.name;
    this.encoding = options.encoding ?? 'decimal';
    this.consistentRead = options.consistentRead ?? true;
    this.#stored = stored;
    this.#value = value;
    this.#lastValue = this.#decodeOptional(stored.lastRaw);
    this.#timestamp = parseTimestamp(stored.timestampRaw);
  }

  /**
   * Creates the counter with a write conditional on `current_value` being absent, or, when it
   * exists, adopts, refuses or overwrites it as `ifExists` says.
   */
  static async create(options: CreateCounterOptions): Promise<Counter> {
    const encoding = options.encoding ?? 'decimal';
    const initial = options.initial ?? 0;
    const raw = encodeCounterValue(initial, encoding);
    const probe: Counter = new Counter(options, { raw, lastRaw: undefined, timestampRaw: undefined, writeId: undefined, previousIds: [] }, initial);
    const outcome = await probe.#write(undefined, initial, undefined);
    if (outcome.applied) {
      probe.#adopt(outcome.state);
      return probe;
    }
    if (outcome.state === undefined) throw new CounterNotFoundError(probe.domain, probe.name);
    switch (options.ifExists ?? 'adopt') {
      case 'fail':
        throw new CounterExistsError(probe.domain, probe.name);
      case 'adopt':
        return probe.#adopt(outcome.state);
      case 'overwrite': {
        // Conditional on the exact string found, whatever it holds, so a counter in the other
        // encoding can be reset; a writer in between makes it fail rather than be overwritten.
        const found = outcome.state;
        const overwrite = await probe.#write(found, initial, undefined);
        if (!overwrite.applied) throw probe.#conflict(probe.#decodeOptional(found.raw), overwrite.state);
        return probe.#adopt(overwrite.state);
      }
    }
  }

  /** Opens an existing counter; CounterNotFoundError when the item has no `current_value`. */
  static async open(options: CounterOptions): Promise<Counter> {
    const placeholder = { raw: '', lastRaw: undefined, timestampRaw: undefined, writeId: undefined, previousIds: [] };
    const counter: Counter = new Counter(options, placeholder, 0);
    await counter.refresh();
    return counter;
  }

  /** The last known value; no I/O. */
  get value(): number {
    return this.#value;
  }

  /** The value before the latest change, as last read; undefined before the first change. */
  get lastValue(): number | undefined {
    return this.#lastValue;
  }

  /** When the latest change was made, as last read. */
  get timestamp(): Date | undefined {
    return this.#timestamp;
  }

  /** Reads the counter again (consistently unless `consistentRead: false`). */
  refresh(): Promise<number> {
    return this.#enqueue(() => this.#reload(undefined));
  }

  /**
   * Adds `n`; CounterOutOfSyncError when another writer got there first. Resolves with the value
   * written. (The change methods are async so that a bad argument rejects like any other
   * failure, at once, without waiting in the queue.)
   */
  async increment(n = 1): Promise<number> {
    checkSafe('The increment', n);
    return this.#enqueue(() => this.#change((v) => v + n, undefined));
  }

  /** Subtracts `n`, like `increment(-n)`. */
  async decrement(n = 1): Promise<number> {
    checkSafe('The decrement', n);
    return this.#enqueue(() => this.#change((v) => v - n, undefined));
  }

  /** Sets the value, conditional on the value last read like every change. */
  async set(value: number): Promise<number> {
    checkSafe('A counter value', value);
    return this.#enqueue(() => this.#change(() => value, undefined));
  }

  /**
   * `increment(n)`, retried after each conflict until it lands or the budget is spent
   * (CounterRetriesExhaustedError): wait (full-jitter backoff), read again, write. The attempts
   * hold this instance's queue: other calls on it wait until the increment is done.
   */
  async incrementWithRetry(n = 1, options: IncrementRetryOptions = {}): Promise<number> {
    checkSafe('The increment', n);
    const maxAttempts = options.maxAttempts ?? Infinity;
    if (maxAttempts !== Infinity && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
      throw new RangeError(`maxAttempts must be a positive integer or Infinity, not ${maxAttempts}`);
    }
    const maxElapsedMs = options.maxElapsedMs ?? RETRY_DEFAULTS.maxElapsedMs;
    if (!(maxElapsedMs >= 0)) throw new RangeError(`maxElapsedMs must be a number of milliseconds >= 0, not ${maxElapsedMs}`);
    const { signal } = options;
    const backoff = {
      baseDelayMs: options.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
      random: options.random,
    };
    return this.#enqueue(async () => {
      const started = performance.now();
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted) throw new SimpleDBAbortError(signal.reason);
        try {
          return await this.#change((v) => v + n, signal);
        } catch (error) {
          if (!(error instanceof CounterOutOfSyncError)) throw error;
          const elapsed = performance.now() - started;
          if (attempt >= maxAttempts) throw new CounterRetriesExhaustedError(attempt, error, elapsed, `maxAttempts is ${maxAttempts}`);
          if (elapsed >= maxElapsedMs) throw new CounterRetriesExhaustedError(attempt, error, elapsed, `maxElapsedMs is ${maxElapsedMs}`);
          // Shortened so that the last attempt starts within the budget rather than after it.
          const wait = Math.min(backoffDelay(attempt, backoff), maxElapsedMs - elapsed);
          options.onConflict?.(error, attempt, wait);
          try {
            await defaultSleep(wait, signal);
          } catch {
            throw new SimpleDBAbortError(signal?.reason);
          }
          // The value read at the conflict is as old as the wait, and other writers went on
          // meanwhile: a write conditional on it would be refused again, the more surely the
          // longer the wait, and a writer that backed off would lose to the others every time.
          await this.#reload(signal);
        }
      }
    });
  }

  /** Deletes the item, conditional on the value last read (CounterOutOfSyncError otherwise). */
  delete(): Promise<void> {
    return this.#enqueue(async () => {
      const before = this.#stored;
      const expected = this.#value;
      const outcome = await this.#send(before, undefined, async () => {
        await this.client.send(new DeleteAttributesCommand({ DomainName: this.domain, ItemName: this.name, Expected: this.#expected(before) }));
        return undefined;
      });
      if (!outcome.applied) throw this.#conflict(expected, outcome.state);
    });
  }

  valueOf(): number {
    return this.#value;
  }

  /** `+c`, `c * 2`, `${c}`: the counter acts as its number, as the original acted as an int. */
  [Symbol.toPrimitive](hint: 'number' | 'string' | 'default'): number | string {
    return hint === 'string' ? String(this.#value) : this.#value;
  }

  toString(): string {
    return String(this.#value);
  }

  toJSON(): number {
    return this.#value;
  }

  [inspect.custom](_depth: number, options: InspectOptionsStylized): string {
    return `Counter(${this.domain}/${this.name}) ${options.stylize(String(this.#value), 'number')}`;
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // A failed call must not block the ones queued after it.
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** One change is one logical operation to the emulator's sync-bug detector (docs/analyze.md). */
  #change(next: (current: number) => number, signal: AbortSignal | undefined): Promise<number> {
    return this.client.operation('Counter', () => this.#changeOnce(next, signal));
  }

  async #changeOnce(next: (current: number) => number, signal: AbortSignal | undefined): Promise<number> {
    const before = this.#stored;
    const expected = this.#value;
    const value = checkSafe('The new counter value', next(expected));
    const outcome = await this.#write(before, value, signal);
    if (!outcome.applied) throw this.#conflict(expected, outcome.state);
    this.#adopt(outcome.state);
    return value;
  }

  /**
   * Takes the fresh state after a failed conditional write and returns the error to throw:
   * CounterNotFoundError when the counter is gone, else CounterOutOfSyncError (the counter now
   * holding the fresh value), or CounterEncodingError when the fresh value is unreadable.
   */
  #conflict(expected: number | undefined, fresh: StoredState | undefined): CounterError {
    if (fresh === undefined) return new CounterNotFoundError(this.domain, this.name);
    try {
      this.#adopt(fresh);
    } catch (error) {
      if (error instanceof CounterEncodingError) return error;
      throw error;
    }
    return new CounterOutOfSyncError(this.domain, this.name, expected, this.#value);
  }

  /** One PutAttributes of `value`, conditional on `before` (absent: on `current_value` being absent). */
  #write(before: StoredState | undefined, value: number, signal: AbortSignal | undefined): Promise<Outcome> {
    const writeId = newWriteId();
    const timestamp = new Date().toISOString();
    const state: StoredState = {
      raw: encodeCounterValue(value, this.encoding),
      lastRaw: before?.raw,
      timestampRaw: timestamp,
      writeId,
      previousIds: before === undefined ? [] : [...(before.writeId === undefined ? [] : [before.writeId]), ...before.previousIds].slice(0, HISTORY),
    };
    const attributes: ReplaceableAttribute[] = [
      { Name: CURRENT, Value: state.raw, Replace: true },
      ...(state.lastRaw === undefined ? [] : [{ Name: LAST, Value: state.lastRaw, Replace: true }]),
      { Name: TIMESTAMP, Value: timestamp, Replace: true },
      { Name: WRITE_ID, Value: writeId, Replace: true },
      { Name: PREVIOUS_IDS, Value: state.previousIds.join(' '), Replace: true },
    ];
    return this.#send(before, writeId, async () => {
      await this.client.send(
        new PutAttributesCommand({ DomainName: this.domain, ItemName: this.name, Attributes: attributes, Expected: this.#expected(before) }),
        { abortSignal: signal },
      );
      return state;
    });
  }

  #expected(before: StoredState | undefined): UpdateCondition {
    // The exact string read, never a re-encoding of the number, and never derived from it:
    // boto's 2010 bug sent Exists=false for a counter at 0 because 0 is falsy in Python.
    return before === undefined ? { Name: CURRENT, Exists: false } : { Name: CURRENT, Value: before.raw };
  }

  /**
   * Sends a conditional write (`writeId` undefined for a delete) and tells whether it was
   * applied. A conditional check that failed gives the fresh state; an ambiguous failure (the
   * client flags it) is decided by a consistent read, and re-sent only when nothing changed.
   */
  async #send(before: StoredState | undefined, writeId: string | undefined, attempt: () => Promise<StoredState | undefined>): Promise<Outcome> {
    for (let resends = 0; ; resends++) {
      try {
        return { applied: true, state: await attempt() };
      } catch (error) {
        // Refused by the condition: the fresh state tells why. (A multi-valued current_value
        // makes the read throw CounterEncodingError; one repaired meanwhile is a plain conflict.)
        if (error instanceof ConditionalCheckFailed || error instanceof AttributeDoesNotExist || error instanceof MultiValuedAttribute) {
          return { applied: false, state: await this.#read(this.consistentRead) };
        }
        // An abort is the caller's wish to stop: no read, no re-send; the next write is still
        // conditional on the old state, so a write that did land makes it fail, never doubles.
        if (!(error instanceof SimpleDBError) || error.$writeMayHaveBeenApplied !== true || error instanceof SimpleDBAbortError) throw error;
        let fresh: StoredState | undefined;
        try {
          fresh = await this.#read(true);
        } catch (readError) {
          throw new CounterWriteUnknownError(this.domain, this.name, 'the read after the failure failed too', new AggregateError([error, readError]));
        }
        const decision = this.#decide(before, writeId, fresh);
        if (decision === 'applied') return { applied: true, state: fresh };
        if (decision === 'not applied') return { applied: false, state: fresh };
        if (decision === 'unknown') throw new CounterWriteUnknownError(this.domain, this.name, 'too many other writes since', error);
        if (resends >= MAX_RESENDS) throw error;
      }
    }
  }

  /**
   * After an ambiguous failure, compares the state read consistently (`now`) with the state the
   * write was conditional on (`before`):
   * - our write id is the stored one or among the previous ones: applied (perhaps overwritten since);
   * - nothing changed (same value, same write id): not applied, safe to re-send, since the
   *   re-sent copy and a late original are conditional on the same state and only one can pass;
   * - changed, and the write-id history reaches back to `before` without our id: not applied,
   *   a plain conflict. Without that history (more than HISTORY writes since), a conflict could
   *   hide our applied write, and retrying it would apply it twice: undecidable.
   */
  #decide(before: StoredState | undefined, writeId: string | undefined, now: StoredState | undefined): Decision {
    if (writeId === undefined) {
      // A delete: the item is gone, by us or another deleter; either way what was asked holds.
      if (now === undefined) return 'applied';
    } else if (now !== undefined && (now.writeId === writeId || now.previousIds.includes(writeId))) {
      return 'applied';
    }
    if (now === undefined) return before === undefined ? 'resend' : 'not applied';
    if (before !== undefined && now.raw === before.raw && now.writeId === before.writeId) return 'resend';
    const reaches =
      before?.writeId === undefined
        ? // Since `before` had no write id, every write id ever stored is newer: the history is whole unless full.
          now.writeId === undefined || now.previousIds.length < HISTORY
        : now.writeId === before.writeId || now.previousIds.includes(before.writeId);
    return reaches ? 'not applied' : 'unknown';
  }

  /** Reads the counter and makes what it found its own. */
  async #reload(signal: AbortSignal | undefined): Promise<number> {
    const state = await this.#read(this.consistentRead, signal);
    if (state === undefined) throw new CounterNotFoundError(this.domain, this.name);
    return this.#adopt(state).value;
  }

  /** The counter's attributes; undefined when `current_value` is absent. */
  async #read(consistent: boolean, signal?: AbortSignal): Promise<StoredState | undefined> {
    const out = await this.client.send(
      new GetAttributesCommand({ DomainName: this.domain, ItemName: this.name, AttributeNames: ATTRIBUTES, ConsistentRead: consistent }),
      { abortSignal: signal },
    );
    const attributes = out.Attributes ?? [];
    const values = (name: string) => attributes.filter((a: Attribute) => a.Name === name).map((a) => a.Value);
    const current = values(CURRENT);
    if (current.length === 0) return undefined;
    const [raw] = current;
    if (current.length > 1 || raw === undefined) throw this.#encodingError(current, 'current_value has several values');
    const previous = values(PREVIOUS_IDS)[0] ?? '';
    return {
      raw,
      lastRaw: values(LAST)[0],
      timestampRaw: values(TIMESTAMP)[0],
      writeId: values(WRITE_ID)[0],
      previousIds: previous === '' ? [] : previous.split(' '),
    };
  }

  /** Makes `state` the counter's own; checks first, so an unreadable state changes nothing. */
  #adopt(state: StoredState | undefined): this {
    if (state === undefined) throw new CounterNotFoundError(this.domain, this.name);
    const value = this.#decode(state.raw);
    this.#stored = state;
    this.#value = value;
    this.#lastValue = this.#decodeOptional(state.lastRaw);
    this.#timestamp = parseTimestamp(state.timestampRaw);
    return this;
  }

  #decode(text: string): number {
    const decoded = decodeCounterValue(text, this.encoding);
    if (typeof decoded === 'number') return decoded;
    throw this.#encodingError([text], decoded.reason);
  }

  /** `last_value` is informative: one that does not decode is shown as unknown rather than failing the counter. */
  #decodeOptional(text: string | undefined): number | undefined {
    if (text === undefined) return undefined;
    const decoded = decodeCounterValue(text, this.encoding);
    return typeof decoded === 'number' ? decoded : undefined;
  }

  #encodingError(stored: readonly string[], reason: string): CounterEncodingError {
    return new CounterEncodingError(this.domain, this.name, stored, this.encoding, reason);
  }
}

/** Whether a conditional write was applied, and the state known after it (undefined: absent). */
interface Outcome {
  applied: boolean;
  state: StoredState | undefined;
}
type Decision = 'applied' | 'not applied' | 'resend' | 'unknown';
