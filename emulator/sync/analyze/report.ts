import type { Analysis } from './types.js';

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The analysis for people: a headline, one block per finding, then what the journal could not show. */
export function formatAnalysis(a: Analysis): string {
  const lines: string[] = [];
  const range = a.firstSeq === null ? '' : ` (seq ${a.firstSeq}–${a.lastSeq}${a.runs > 1 ? `, ${a.runs} runs` : ''})`;
  lines.push(`Analysed ${plural(a.requests, 'request')} from ${plural(a.clients.length, 'client')}${range}.`);
  lines.push(
    a.summary.anomalies === 0 && a.summary.hotspots === 0
      ? 'No anomalies found.'
      : `${plural(a.summary.anomalies, 'anomaly').replace('anomalys', 'anomalies')}, ${plural(a.summary.hotspots, 'hot spot')}.`,
  );
  for (const f of a.findings) {
    const attributes = f.attributes.length > 0 ? ` [${f.attributes.join(', ')}]` : '';
    const run = f.run === undefined ? '' : `run ${f.run}, `;
    const seqs = f.seqs.length > 12 ? `${f.seqs.slice(0, 12).join(', ')}, … (${f.seqs.length})` : f.seqs.join(', ');
    lines.push('', `${f.id} ${f.kind} (${f.severity})  ${f.domain}/${f.item}${attributes}  ${run}seq ${seqs}`, `   ${f.message}`);
  }
  if (a.notes.length > 0) lines.push('', 'Notes:', ...a.notes.map((n) => `  - ${n}`));
  return lines.join('\n') + '\n';
}
