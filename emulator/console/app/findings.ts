import { analysis, type Finding } from './api.js';
import { h, notice } from './dom.js';
import { describeError } from './domains.js';
import { href } from './router.js';

function findingView(f: Finding): HTMLElement {
  const what = [f.domain, f.item].join(' / ') + (f.attributes.length > 0 ? ` (${f.attributes.join(', ')})` : '');
  return h(
    'li',
    { class: `finding ${f.severity}`, 'data-finding': f.id },
    h('h2', {}, h('span', { class: 'badge' }, f.kind), ` ${f.id}: `, h('a', { href: href.timeline(f.domain, f.item), 'aria-label': `Timeline of ${f.item} (${f.id}, ${f.kind})` }, what)),
    h('p', {}, f.message),
    h('dl', {},
      h('dt', {}, 'Clients'), h('dd', {}, f.clients.join(', ')),
      h('dt', {}, 'Requests'), h('dd', { class: 'seqs' }, f.evidence.map((e) => `#${e.seq} ${e.role} (${e.client} ${e.action})`).join(', ')),
    ),
  );
}

/** The sync-bug detector over the journal's ring, read once per visit (reload to run it again). */
export function findingsView(root: HTMLElement): void {
  const body = h('div', {}, notice('info', 'Analysing the journal…'));
  root.append(
    h('h1', {}, 'Findings'),
    h('p', {}, 'Lost updates, writes built on stale reads, double-applied retries and conflict storms that the detector finds in the journal (docs/analyze.md). Each links to the timeline of its item, where the requests it names are marked.'),
    body,
  );
  void analysis().then(
    (a) => {
      if (a.findings.length === 0) {
        body.replaceChildren(notice('empty', `No anomalies found in ${a.requests} requests.`));
        return;
      }
      body.replaceChildren(
        notice('info', `${a.findings.length} finding${a.findings.length === 1 ? '' : 's'} in ${a.requests} requests.`),
        h('ol', { class: 'findings', 'aria-label': 'Findings' }, ...a.findings.map(findingView)),
      );
    },
    (err: unknown) => body.replaceChildren(notice('error', `Cannot run the analysis: ${describeError(err)}`)),
  );
}
