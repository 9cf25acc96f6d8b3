import { ControlInputError, integerText } from '../core/input.js';

/**
 * How long a client may take and how many may be connected at once. Node's own defaults hold a
 * stalled client for a minute and a half (headers) to five minutes (body), and admit any number.
 */
export interface ServerLimits {
  /** All request headers must have arrived this long after the request began. */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived by then. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this many are closed as they are accepted. */
  maxConnections: number;
}

/**
 * Generous for any client on a loaded machine (a 25-item batch is a few hundred kB), short enough
 * that a stalled one is gone within seconds. The keep-alive wait outlasts the 4 s that undici and
 * most SDK pools assume, so a pooled client never reuses a connection the server is closing.
 */
export const SERVER_LIMIT_DEFAULTS: Readonly<ServerLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
};

const DAY_MS = 24 * 60 * 60 * 1000;
const RANGES: Readonly<Record<keyof ServerLimits, readonly [number, number]>> = {
  headersTimeoutMs: [1, DAY_MS],
  requestTimeoutMs: [1, DAY_MS],
  keepAliveTimeoutMs: [1, DAY_MS],
  maxConnections: [1, 1_000_000],
};

/** The defaults with `given` applied, checked as a whole. */
export function serverLimits(given: Partial<ServerLimits> = {}): ServerLimits {
  const limits: ServerLimits = {
    headersTimeoutMs: given.headersTimeoutMs ?? SERVER_LIMIT_DEFAULTS.headersTimeoutMs,
    requestTimeoutMs: given.requestTimeoutMs ?? SERVER_LIMIT_DEFAULTS.requestTimeoutMs,
    keepAliveTimeoutMs: given.keepAliveTimeoutMs ?? SERVER_LIMIT_DEFAULTS.keepAliveTimeoutMs,
    maxConnections: given.maxConnections ?? SERVER_LIMIT_DEFAULTS.maxConnections,
  };
  for (const [key, [min, max]] of Object.entries(RANGES) as [keyof ServerLimits, readonly [number, number]][]) {
    const v = limits[key];
    if (!Number.isInteger(v) || v < min || v > max) throw new ControlInputError(`${key}: a whole number from ${min} to ${max}`);
  }
  // Node refuses the reverse: headers are part of the request.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ControlInputError(
      `headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`,
    );
  }
  return limits;
}

/** A --…-timeout or --max-connections value from the command line or the environment. */
export function parseLimitText(key: keyof ServerLimits, text: string): number {
  const [min, max] = RANGES[key];
  return integerText(key, text, min, max);
}

/**
 * Node checks the two request timeouts on an interval (30 s by default, which is why a stalled
 * client lingered 90 s rather than 60 s). A quarter of the shorter timeout keeps the overshoot
 * small without waking the server more than four times a second.
 */
export function checkingIntervalMs(limits: ServerLimits): number {
  return Math.max(1, Math.min(250, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}
