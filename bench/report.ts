/** The Markdown table: one row per figure, each beside its baseline and, where set, its target. */
import { median } from './stats.js';

export interface Row {
  measurement: string;
  result: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  verdict?: string;
}

const COLUMNS = ['Measurement', 'Result', 'Baseline (same run)', 'Ratio', 'Target', 'Verdict'] as const;

export function markdownTable(rows: readonly Row[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [
    line(COLUMNS),
    line(COLUMNS.map(() => '---')),
    ...rows.map((r) => line([r.measurement, r.result, r.baseline ?? '', r.ratio ?? '', r.target ?? '', r.verdict ?? ''])),
  ].join('\n');
}

export function num(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ms(n: number): string {
  return `${num(n, n < 10 ? 2 : 0)} ms`;
}

export function ratio(n: number): string {
  return `${num(n, 2)}×`;
}

/**
 * The median over rounds of a per-round ratio `a[k] / b[k]`, and as text with the range of the
 * rounds: the two sides of a round run minutes apart at most, so the host's drift falls on both.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): { median: number; text: string } {
  const ratios = a.map((x, k) => x / (b[k] ?? Number.NaN));
  const m = median(ratios);
  return { median: m, text: `${ratio(m)} (${ratio(Math.min(...ratios))}–${ratio(Math.max(...ratios))})` };
}

/**
 * "pass (12% above)" or "miss (101% over)": whether the value meets the target ('min': at
 * least, 'max': at most) and how far it lies from it.
 */
export function verdict(value: number, target: number, kind: 'min' | 'max'): string {
  const pass = kind === 'min' ? value >= target : value <= target;
  const pct = `${num(Math.abs(value / target - 1) * 100)}%`;
  const side = kind === 'min' ? (pass ? 'above' : 'below') : pass ? 'under' : 'over';
  return `${pass ? 'pass' : 'miss'} (${pct} ${side})`;
}
