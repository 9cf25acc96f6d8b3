/** The Markdown table: one row per figure, each beside its baseline and, where set, its target. */

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
 * "pass (12% above)" or "miss (101% over)": whether the value meets the target ('min': at
 * least, 'max': at most) and how far it lies from it.
 */
export function verdict(value: number, target: number, kind: 'min' | 'max'): string {
  const pass = kind === 'min' ? value >= target : value <= target;
  const pct = `${num(Math.abs(value / target - 1) * 100)}%`;
  const side = kind === 'min' ? (pass ? 'above' : 'below') : pass ? 'under' : 'over';
  return `${pass ? 'pass' : 'miss'} (${pct} ${side})`;
}
