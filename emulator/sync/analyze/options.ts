import { ControlInputError } from '../../core/input.js';
import type { AnalyzeOptions } from './types.js';

const KEYS = new Set(['stormRate', 'stormMinWrites']);

/**
 * The thresholds as text (a query string, CLI flags) or numbers (code), checked: a bad one is
 * the caller's mistake (ControlInputError, answered 400 on the route).
 */
export function parseAnalyzeOptions(input: Readonly<Record<string, unknown>>): AnalyzeOptions {
  const out: AnalyzeOptions = {};
  for (const [key, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    if (!KEYS.has(key)) throw new ControlInputError(`unknown option ${key} (known: ${[...KEYS].join(', ')})`);
    const value = typeof raw === 'string' && /^\s*[\d.]+\s*$/.test(raw) ? Number(raw) : raw;
    if (key === 'stormRate') {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new ControlInputError('stormRate: a number from 0 to 1');
      out.stormRate = value;
    } else {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1e9) {
        throw new ControlInputError('stormMinWrites: a whole number from 1');
      }
      out.stormMinWrites = value;
    }
  }
  return out;
}
