import { readFileSync } from 'node:fs';
import type { JournalEntry } from '../core/wire.js';
import { describeSchedule, type ExploreResult, type RunResult } from './explore.js';

/**
 * `explore --report FILE`: one self-contained HTML page (no script, no link, no outside
 * resource) with each failing run's verdict, findings, the command's last output, and that run's
 * requests per item, read from the journal file explore kept.
 */
export function exploreReport(result: ExploreResult, command: readonly string[]): string {
  const failing = result.runs.filter((r) => r.failed);
  const body = [
    `<h1>simpledb-local explore</h1>`,
    `<p>${esc(command.join(' '))}</p>`,
    `<p>${result.runs.length} runs, ${result.failed} failed; ${result.totalRuns} runs made in all (shrinking included).</p>`,
    result.groups.length === 0 ? '<p>No failure.</p>' : `<h2>Failures by symptom</h2><table><tr><th>symptom</th><th>runs</th><th>smallest schedule</th><th>replay file</th></tr>${result.groups
      .map((g) => `<tr><td>${esc(g.symptom)}</td><td>${g.runs.join(', ')}</td><td>${esc(describeSchedule(g.smallest))}</td><td>${esc(g.replay)}</td></tr>`)
      .join('')}</table>`,
    ...failing.map(runSection),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>simpledb-local explore</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1a1a1a; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; max-width: 40em; overflow-wrap: anywhere; }
th { background: #eee; }
pre { background: #f4f4f4; padding: .5em; white-space: pre-wrap; overflow-wrap: anywhere; }
.bad { color: #a00; }
</style></head><body>
${body}
</body></html>
`;
}

function runSection(run: RunResult): string {
  // The run's emulator first, then those the command's own set-ups started: separate stores, so
  // their items stay apart.
  const journals: [prefix: string, file: string][] = run.files
    ? [['', run.files.journal], ...run.files.emulatorJournals.map((f, k): [string, string] => [`emulator ${k + 1}: `, f])]
    : [];
  const byItem = new Map<string, JournalEntry[]>();
  for (const [prefix, file] of journals) {
    for (const e of readEntries(file)) {
      for (const item of e.items.length > 0 ? e.items : [e.domain === null ? '(no domain)' : `(${e.action} on ${e.domain})`]) {
        const key = `${prefix}${e.domain ?? ''}/${item}`;
        const list = byItem.get(key) ?? [];
        list.push(e);
        byItem.set(key, list);
      }
    }
  }
  return [
    `<h2 id="run-${run.index}">Run ${run.index}</h2>`,
    `<p>${esc(describeSchedule(run.schedule))}</p>`,
    `<p class="bad">${run.symptoms.map(esc).join('<br>')}</p>`,
    run.files ? `<p>Replay: <code>simpledb-local explore --replay ${esc(run.files.replay)} -- …</code></p>` : '',
    run.findings.length === 0
      ? ''
      : `<h3>Findings</h3><ul>${run.findings.map((f) => `<li>${esc(`${f.id} ${f.kind}: ${f.message} (requests ${f.seqs.join(', ')})`)}</li>`).join('')}</ul>`,
    `<h3>Output (last lines)</h3><pre>${esc(run.output)}</pre>`,
    `<h3>Requests per item</h3>`,
    ...[...byItem].map(([key, list]) => `<h4>${esc(key)}</h4>${timeline(list)}`),
  ].join('\n');
}

function timeline(entries: readonly JournalEntry[]): string {
  const rows = entries.map((e) => {
    const stale = e.read?.stale ? ' (stale)' : '';
    const faults = e.faults?.map((f) => f.effect).join(', ') ?? '';
    return `<tr><td>${e.seq}</td><td>${esc(e.time.slice(11, 23))}</td><td>${esc(e.client ?? e.userAgent ?? '')}</td><td>${esc(e.action ?? '')}${stale}</td><td>${esc(gist(e))}</td><td>${esc(e.code)}${faults ? ` — ${esc(faults)}` : ''}</td></tr>`;
  });
  return `<table><tr><th>seq</th><th>time (UTC)</th><th>client</th><th>action</th><th>what</th><th>answer</th></tr>${rows.join('')}</table>`;
}

function gist(e: JournalEntry): string {
  const r = e.request;
  if (!r) return '';
  if (r.action === 'PutAttributes' || r.action === 'DeleteAttributes') {
    const sets = r.attributes.map((a) => (a.value === undefined ? a.name : `${a.name}=${a.value}`)).join(', ');
    const ex = r.expected[0];
    return ex?.name === undefined ? sets : `${sets} if ${ex.name}${ex.value === undefined ? ` exists=${ex.exists ?? ''}` : `=${ex.value}`}`;
  }
  if (r.action === 'GetAttributes') return r.attributeNames.join(', ');
  if (r.action === 'Select') return r.expression ?? '';
  return '';
}

function readEntries(file: string): JournalEntry[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as JournalEntry);
  } catch {
    return [];
  }
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
