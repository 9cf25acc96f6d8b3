import { setTimeout as delay } from 'node:timers/promises';
import {
  SimpleDBAbortError,
  SimpleDBNetworkError,
  SimpleDBServiceError,
  SimpleDBTimeoutError,
  type SimpleDBError,
} from './errors.js';

/** AWS standard retry mode's backoff: full jitter, `random() * min(cap, base * 2^(retry - 1))`. */
export interface RetryBackoff {
  /** Default 100 ms. */
  baseDelayMs?: number;
  /** Default 20 000 ms. */
  maxDelayMs?: number;
  /** Waits between attempts; injectable so tests need not wait. Must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Default Math.random. */
  random?: () => number;
}

const DEFAULT_BASE_DELAY_MS = 100;
const DEFAULT_MAX_DELAY_MS = 20_000;

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, { signal });

/** Milliseconds to wait before retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, backoff: RetryBackoff = {}): number {
  const base = backoff.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = backoff.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  return Math.floor((backoff.random ?? Math.random)() * Math.min(cap, base * 2 ** (retry - 1)));
}

/** The throttling codes AWS SDKs retry in standard mode. */
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/** Transient service codes: the Developer Guide's "API Error Codes" (500, 503) plus the SDKs' transient list. */
const TRANSIENT_CODES = new Set(['InternalError', 'ServiceUnavailable', 'RequestTimeout', 'QueryTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryable(error: SimpleDBError): boolean {
  if (error instanceof SimpleDBNetworkError || error instanceof SimpleDBTimeoutError) return true;
  if (!(error instanceof SimpleDBServiceError)) return false;
  const status = error.$metadata.httpStatusCode ?? 0;
  return THROTTLING_CODES.has(error.name) || TRANSIENT_CODES.has(error.name) || TRANSIENT_STATUSES.has(status);
}

/**
 * Whether the service may have applied the request although the call failed. A 5xx or 408 may
 * come after the write committed; a 2xx whose body could not be read almost surely did; a 4xx
 * (throttling included) is a refusal.
 */
export function mayHaveBeenApplied(error: SimpleDBError): boolean {
  if (error instanceof SimpleDBNetworkError || error instanceof SimpleDBTimeoutError) return error.requestMayHaveBeenSent;
  if (error instanceof SimpleDBAbortError) return true;
  const status = error.$metadata.httpStatusCode ?? 0;
  return status < 400 || status >= 500 || status === 408;
}
