/**
 * How the counter stores its value and timestamp as SimpleDB strings, and the range it accepts.
 * Exported for Select literals: a query on counter items compares the encoded strings.
 */

/**
 * - `decimal` (default): `String(value)`, e.g. `-5`, `0`, `42`: what boto's Sequence and people write.
 * - `sortable`: value + 2^53, zero-padded to 17 digits, so that Select's string order is numeric
 *   order for the whole safe-integer range, negatives included (0 is `09007199254740992`).
 */
export type CounterEncoding = 'decimal' | 'sortable';

/** Values outside it are refused: a double cannot add 1 to them exactly. */
export function checkSafe(what: string, n: number): number {
  // A string shows quoted: "not 5" for '5' would read as if 5 had been refused.
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be a safe integer, not ${typeof n === 'string' ? JSON.stringify(n) : String(n)}`);
  return n;
}

const OFFSET = 2n ** 53n;
const SORTABLE_WIDTH = 17;
const DECIMAL = /^-?(0|[1-9][0-9]*)$/;
const SORTABLE = /^[0-9]{17}$/;

export function encodeCounterValue(value: number, encoding: CounterEncoding): string {
  checkSafe('A counter value', value);
  if (encoding === 'decimal') return String(value);
  // BigInt: value + 2^53 reaches 2^54 - 1, beyond what a double holds exactly.
  return (BigInt(value) + OFFSET).toString().padStart(SORTABLE_WIDTH, '0');
}

/** The value, or the reason why `text` is not one in this encoding. */
export function decodeCounterValue(text: string, encoding: CounterEncoding): number | { reason: string } {
  const shown = JSON.stringify(text);
  if (encoding === 'decimal') {
    // Strict, so that the exact string read is the canonical form of the value, and a sortable
    // string (17 digits, leading zero or beyond 2^53) can never pass for a decimal one.
    if (!DECIMAL.test(text) || text === '-0') {
      const hint = SORTABLE.test(text) ? "; it looks like the sortable encoding: open it with encoding: 'sortable'" : '';
      return { reason: `${shown} is not a plain decimal integer${hint}` };
    }
    const value = Number(text);
    if (!Number.isSafeInteger(value)) {
      const hint = SORTABLE.test(text) ? "; it looks like the sortable encoding: open it with encoding: 'sortable'" : '';
      return { reason: `${shown} is outside the safe-integer range${hint}` };
    }
    return value;
  }
  if (!SORTABLE.test(text)) {
    const hint = DECIMAL.test(text) ? "; it looks like plain decimal: open it with encoding: 'decimal'" : '';
    return { reason: `${shown} is not a 17-digit sortable counter value${hint}` };
  }
  const value = Number(BigInt(text) - OFFSET);
  if (!Number.isSafeInteger(value)) return { reason: `${shown} decodes outside the safe-integer range` };
  return value;
}

/** ISO 8601 as this counter writes it, or boto Sequence's float Unix seconds (`1290000000.123`). */
export function parseTimestamp(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = /^[0-9]+(\.[0-9]+)?$/.test(text) ? new Date(Number(text) * 1000) : /^\d{4}-\d\d-\d\dT/.test(text) ? new Date(text) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date;
}
