import { ControlInputError } from '../../core/input.js';
import type { AnalyzeOptions } from './types.js';

const KEYS = new Set(['stormRate', 'stormMinWrites']);

export type Threshold = 'stormRate' | 'stormMinWrites';

/** The most conditional writes a storm may be asked to need. */
const MAX_MIN_WRITES = 1e9;

/**
 * The thresholds as text (a query string, CLI flags) or numbers (code), checked: a bad one is
 * the caller's mistake (ControlInputError, answered 400 on the route). `nameOf` names an option
 * as the caller wrote it: its key on the route and in code, its flag on the command line.
 */
export function parseAnalyzeOptions(input: Readonly<Record<string, unknown>>, nameOf: (key: Threshold) => string = (key) => key): AnalyzeOptions {
  const out: AnalyzeOptions = {};
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    if (!KEYS.has(key)) throw new ControlInputError(`unknown option ${key} (known: ${[...KEYS].join(', ')})`);
    const value = typeof raw === 'string' && /^\s*[\d.]+\s*$/.test(raw) ? Number(raw) : raw;
    if (key === 'stormRate') {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new ControlInputError(`${nameOf('stormRate')}: a number from 0 to 1`);
      out.stormRate = value;
    } else {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_MIN_WRITES) {
        throw new ControlInputError(`${nameOf('stormMinWrites')}: a whole number from 1 to ${MAX_MIN_WRITES}`);
      }
      out.stormMinWrites = value;
    }
  }
  return out;
}
