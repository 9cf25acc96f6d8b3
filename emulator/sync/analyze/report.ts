import type { Analysis, Finding, FindingGroup } from './types.js';

const plural = (n: number, word: string, many = `${word}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;

/** Findings by item, attributes, kind and confidence: definite anomalies first, then possible ones, then hot spots; larger groups first. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  // By item, then a look through that item's few groups: no key made per finding, tens of
  // thousands of them at the report's peak.
  // Per group, its clients as a set beside the list: a storm can name thousands.
  type Pending = { group: FindingGroup; list: Finding[]; clients: Set<string> };
  const groups: Pending[] = [];
  const byItem = new Map<string, Pending[]>();
  for (const f of findings) {
    let ofItem = byItem.get(f.item);
    if (!ofItem) byItem.set(f.item, (ofItem = []));
    let g: Pending | undefined;
    for (const candidate of ofItem) {
      if (!sameGroup(candidate.group, f)) continue;
      g = candidate;
      break;
    }
    if (!g) {
      const group: FindingGroup = {
        kind: f.kind,
        severity: f.severity,
        confidence: f.confidence,
        ...(f.run === undefined ? {} : { run: f.run }),
        ...(f.account === undefined ? {} : { account: f.account }),
        domain: f.domain,
        item: f.item,
        attributes: f.attributes,
        clients: [],
        findings: [],
        line: '',
      };
      g = { group, list: [], clients: new Set() };
      groups.push(g);
      ofItem.push(g);
    }
    g.list.push(f);
    g.group.findings.push(f.id);
    for (const c of f.clients) {
      if (g.clients.has(c)) continue;
      g.clients.add(c);
      g.group.clients.push(c);
    }
  }
  const rank = (g: FindingGroup) => (g.severity === 'hotspot' ? 2 : g.confidence === 'definite' ? 0 : 1);
  const out = groups.map(({ group, list }) => {
    const steps = list.map((f) => f.step);
    const total = group.kind === 'lost-update' && steps.every((x) => x !== undefined) ? steps.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined;
    const g = total === undefined ? group : { ...group, lostTotal: total };
    return { ...g, line: groupLine(g, list[0], steps) };
  });
  return out.sort((a, b) => rank(a) - rank(b) || b.findings.length - a.findings.length || FINDING_IDS.compare(a.findings[0] ?? '', b.findings[0] ?? ''));
}

/** F2 before F10. One collator for every comparison: `localeCompare` with a locale or options makes one per call. */
const FINDING_IDS = new Intl.Collator('en', { numeric: true });

/** Whether the finding belongs in the group: the same run, place, attributes, kind and confidence. */
function sameGroup(g: FindingGroup, f: Finding): boolean {
  if (g.run !== f.run || g.account !== f.account || g.domain !== f.domain || g.kind !== f.kind || g.confidence !== f.confidence) return false;
  if (g.attributes.length !== f.attributes.length) return false;
  for (let i = 0; i < g.attributes.length; i++) if (g.attributes[i] !== f.attributes[i]) return false;
  return true;
}

const WHAT: Record<Finding['kind'], [string, string]> = {
  'lost-update': ['lost update', 'lost updates'],
  'stale-read-write': ['write built on a stale read', 'writes built on stale reads'],
  'double-applied-retry': ['double-applied retry', 'double-applied retries'],
  'write-cycle': ['write cycle', 'write cycles'],
  'read-skew': ['read skew', 'read skews'],
  'write-skew': ['write skew', 'write skews'],
  phantom: ['phantom', 'phantoms'],
  'conflict-storm': ['conflict storm', 'conflict storms'],
};

/** One line for a group: how many of what, where, by whom, and the first finding's evidence chain. */
/** The consequence in the application's terms, when every lost write changed a number by the same step. */
function consequence(g: FindingGroup, steps: readonly (number | undefined)[]): string {
  if (g.lostTotal === undefined || steps.length === 0) return '';
  const step = steps[0];
  if (steps.every((x) => x === 1)) return ` (${plural(steps.length, 'increment')} lost)`;
  if (steps.every((x) => x === -1)) return ` (${plural(steps.length, 'decrement')} lost)`;
  return steps.every((x) => x === step) ? ` (${plural(steps.length, `change of ${step}`)} lost)` : ` (changes adding up to ${g.lostTotal} lost)`;
}

function groupLine(g: FindingGroup, first: Finding | undefined, steps: readonly (number | undefined)[] = []): string {
  const [one, many] = WHAT[g.kind];
  const attributes = g.attributes.length > 0 ? ` ${g.attributes.join(', ')}` : '';
  const chain = first ? first.evidence.slice(0, 4).map((e) => `#${e.seq} ${e.role} (${e.client})`).join(' → ') : '';
  const clients = g.clients.length > 4 ? `${g.clients.slice(0, 4).join(', ')} and ${g.clients.length - 4} more` : g.clients.join(', ');
  return (
    `${plural(g.findings.length, one, many)}${g.confidence === 'possible' ? ' (possible)' : ''}${consequence(g, steps)} on ${g.domain}/${g.item}${attributes}, ` +
    `clients ${clients}; e.g. ${first?.id ?? ''}: ${chain}`
  );
}

/**
 * The analysis for people: a headline, one line per item and attribute, every finding, then what
 * the journal could not show. In pieces (a line, or a finding's lines, each with its newline): a
 * long report is written as it is made.
 */
export function* analysisText(a: Analysis): Generator<string> {
  const range = a.firstSeq === null ? '' : ` (seq ${a.firstSeq}–${a.lastSeq}${a.runs > 1 ? `, ${a.runs} runs` : ''})`;
  yield `Analysed ${plural(a.requests, 'request')} from ${plural(a.clients.length, 'client')}${range}.\n`;
  const s = a.summary;
  yield s.anomalies === 0 && s.possible === 0 && s.hotspots === 0
    ? 'No anomalies found.\n'
    : `${plural(s.anomalies, 'definite anomaly', 'definite anomalies')}, ${plural(s.possible, 'possible anomaly', 'possible anomalies')}, ${plural(s.hotspots, 'hot spot')}.\n`;
  if (a.groups.length > 0) yield `\nSummary:\n${a.groups.map((g) => `  ${g.line}\n`).join('')}`;
  if (a.findings.length > 0) yield '\nFindings:\n';
  for (const f of a.findings) {
    const attributes = f.attributes.length > 0 ? ` [${f.attributes.join(', ')}]` : '';
    const run = f.run === undefined ? '' : `run ${f.run}, `;
    const seqs = f.seqs.length > 12 ? `${f.seqs.slice(0, 12).join(', ')}, … (${f.seqs.length})` : f.seqs.join(', ');
    const label = f.severity === 'hotspot' ? f.severity : `${f.severity}, ${f.confidence}`;
    yield `\n${f.id} ${f.kind} (${label})  ${f.domain}/${f.item}${attributes}  ${run}seq ${seqs}\n   ${f.message}\n` + (f.reason ? `   Possible only: ${f.reason}.\n` : '');
  }
  if (a.notes.length > 0) yield `\nNotes:\n${a.notes.map((n) => `  - ${n}\n`).join('')}`;
}

/**
 * `JSON.stringify(a, null, 2)` and a newline, in pieces: a finding at a time. The same bytes (what
 * the JSON of each value is, and its indentation, are JSON.stringify's own), without the whole
 * text of a long report in memory at once.
 */
export function* analysisJson(a: Analysis): Generator<string> {
  const fields = Object.entries(a).filter(([, value]) => value !== undefined);
  // A value's own newlines are JSON.stringify's indentation: a string's never are (it escapes them).
  const at = (value: unknown, pad: string) => (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${pad}`);
  yield '{';
  for (const [i, [key, value]] of fields.entries()) {
    const comma = i < fields.length - 1 ? ',' : '';
    if (key === 'findings' && Array.isArray(value) && value.length > 0) {
      yield `\n  ${JSON.stringify(key)}: [`;
      for (const [j, f] of value.entries()) yield `\n    ${at(f, '    ')}${j < value.length - 1 ? ',' : ''}`;
      yield `\n  ]${comma}`;
    } else yield `\n  ${JSON.stringify(key)}: ${at(value, '  ')}${comma}`;
  }
  yield '\n}\n';
}
