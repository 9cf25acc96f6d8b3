/**
 * The reliable counter's own errors (see counter.ts). SimpleDB's errors are not wrapped: they
 * come through as the client throws them.
 */
import type { CounterEncoding } from './counterEncoding.js';

/** Every error of the counter itself; SimpleDB errors (NoSuchDomain, network...) come through unchanged. */
export class CounterError extends Error {
  constructor(
    message: string,
    readonly domain: string,
    readonly counterName: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Another writer changed the counter since it was last read (the original's ValueError). The
 * counter has been refreshed: it now holds `actual`.
 */
export class CounterOutOfSyncError extends CounterError {
  override readonly name = 'CounterOutOfSyncError';
  constructor(
    domain: string,
    counterName: string,
    /**
     * The value the write was conditional on; undefined when that was not a value of this
     * encoding (`create` with `ifExists: 'overwrite'`).
     */
    readonly expected: number | undefined,
    /** The value found by the read that followed. */
    readonly actual: number,
  ) {
    const was = expected === undefined ? 'the value last read' : `the expected ${expected}`;
    super(`Counter was out of sync: ${domain}/${counterName} holds ${actual}, not ${was}`, domain, counterName);
  }
}

/** The item has no `current_value` (never created, or deleted). */
export class CounterNotFoundError extends CounterError {
  override readonly name = 'CounterNotFoundError';
  constructor(domain: string, counterName: string) {
    super(`Counter ${domain}/${counterName} does not exist`, domain, counterName);
  }
}

/** `Counter.create` with `ifExists: 'fail'` found a counter. */
export class CounterExistsError extends CounterError {
  override readonly name = 'CounterExistsError';
  constructor(domain: string, counterName: string) {
    super(`Counter ${domain}/${counterName} exists already`, domain, counterName);
  }
}

/** `current_value` is not a value of this counter's encoding (or has several values). */
export class CounterEncodingError extends CounterError {
  override readonly name = 'CounterEncodingError';
  constructor(
    domain: string,
    counterName: string,
    /** Every value stored in `current_value`. */
    readonly stored: readonly string[],
    readonly encoding: CounterEncoding,
    reason: string,
  ) {
    super(`Counter ${domain}/${counterName}: ${reason}`, domain, counterName);
  }
}

/**
 * `incrementWithRetry` met a conflict on each of its attempts until its budget (`maxAttempts` or
 * `maxElapsedMs`) was spent; `cause` is the last conflict.
 */
export class CounterRetriesExhaustedError extends CounterError {
  override readonly name = 'CounterRetriesExhaustedError';
  constructor(
    readonly attempts: number,
    cause: CounterOutOfSyncError,
    /** From the first attempt to the last conflict. */
    readonly elapsedMs: number,
    /** Which limit was reached, e.g. `maxElapsedMs is 30000`. */
    limit: string,
  ) {
    super(
      `Counter ${cause.domain}/${cause.counterName}: still out of sync after ${attempts} attempts in ${Math.round(elapsedMs)} ms (${limit})`,
      cause.domain,
      cause.counterName,
      { cause },
    );
  }
}

/**
 * A write failed ambiguously and the counter could not find out whether it was applied: the read
 * that should tell failed too (`cause`), or more than the write-id history of other writes landed
 * in between. The change was not re-sent; `refresh()` shows the current state.
 */
export class CounterWriteUnknownError extends CounterError {
  override readonly name = 'CounterWriteUnknownError';
  constructor(domain: string, counterName: string, reason: string, cause: unknown) {
    super(`Counter ${domain}/${counterName}: the write may or may not have been applied (${reason})`, domain, counterName, { cause });
  }
}
