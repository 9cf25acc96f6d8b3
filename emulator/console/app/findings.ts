import { analysis, type AnalysisResult, type Finding } from './api.js';
import { field, h, notice } from './dom.js';
import { describeError } from './domains.js';
import { href } from './router.js';

type Group = AnalysisResult['groups'][number];

/** Groups shown per page: a long race makes hundreds, and a page should be read, not scrolled. */
const PAGE = 20;
/** Findings listed in a group; the rest are counted (the JSON route has them all). */
const LISTED = 50;
/** A group this small is shown open. */
const OPEN = 3;

function where(f: { domain: string; item: string; attributes: readonly string[] }): string {
  return [f.domain, f.item].join(' / ') + (f.attributes.length > 0 ? ` (${f.attributes.join(', ')})` : '');
}

function findingView(f: Finding): HTMLElement {
  return h(
    'li',
    { class: `finding ${f.severity} ${f.confidence}`, 'data-finding': f.id },
    // The link's text is its whole name: what a screen reader announces is what is seen.
    h('h3', {}, h('span', { class: 'badge' }, f.kind), ` ${f.id}: `, h('a', { href: href.timeline(f.domain, f.item) }, `Timeline of ${where(f)}`)),
    h('p', {}, f.message),
    f.reason ? h('p', { class: 'reason' }, `Possible only: ${f.reason}.`) : '',
    h('dl', {},
      h('dt', {}, 'Clients'), h('dd', {}, f.clients.join(', ')),
      h('dt', {}, 'Requests'), h('dd', { class: 'seqs' }, f.evidence.map((e) => `#${e.seq} ${e.role} (${e.client} ${e.action})`).join(', ')),
    ),
  );
}

function groupView(g: Group, byId: ReadonlyMap<string, Finding>): HTMLElement {
  const list = g.findings.slice(0, LISTED).map((id) => byId.get(id)).filter((f): f is Finding => f !== undefined);
  const more = g.findings.length - list.length;
  return h(
    'li',
    { class: `group ${g.severity} ${g.confidence}`, 'data-kind': g.kind },
    h('h2', {}, g.line),
    h(
      'details',
      { open: g.findings.length <= OPEN },
      h('summary', {}, `${g.findings.length} finding${g.findings.length === 1 ? '' : 's'}`),
      h('ol', { class: 'findings' }, ...list.map(findingView)),
      more > 0 ? h('p', {}, `and ${more} more (GET /_simpledb/analysis lists them all)`) : '',
    ),
  );
}

/** The sync-bug detector over the journal's ring, read once per visit (reload to run it again). */
export function findingsView(root: HTMLElement): void {
  const body = h('div', {}, notice('info', 'Analysing the journal…'));
  root.append(
    h('h1', {}, 'Findings'),
    h(
      'p',
      {},
      'What the detector finds in the journal (docs/analyze.md), one line per item, attributes and kind: definite anomalies first, then possible ones (with what the journal could not tell), then hot spots. Each finding links to the timeline of its item, where the requests it names are marked.',
    ),
    body,
  );
  void analysis().then(
    (a) => {
      if (a.findings.length === 0) {
        body.replaceChildren(notice('empty', `No anomalies found in ${a.requests} requests.`));
        return;
      }
      const byId = new Map(a.findings.map((f) => [f.id, f]));
      const kinds = [...new Set(a.groups.map((g) => g.kind))];
      const kind = h('select', { name: 'kind' }, h('option', { value: '' }, 'every kind'), ...kinds.map((k) => h('option', { value: k }, k)));
      const confidence = h(
        'select',
        { name: 'confidence' },
        h('option', { value: '' }, 'definite and possible'),
        h('option', { value: 'definite' }, 'definite only'),
        h('option', { value: 'possible' }, 'possible only'),
      );
      const list = h('ol', { class: 'groups', 'aria-label': 'Findings by item and kind' });
      const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of findings' });
      const count = h('p', { class: 'count', role: 'status' });
      let page = 0;
      const render = () => {
        const shown = a.groups.filter((g) => (!kind.value || g.kind === kind.value) && (!confidence.value || g.confidence === confidence.value));
        const pages = Math.max(1, Math.ceil(shown.length / PAGE));
        page = Math.min(page, pages - 1);
        count.textContent = `${shown.length} group${shown.length === 1 ? '' : 's'} of ${a.findings.length} findings in ${a.requests} requests (${a.summary.anomalies} definite, ${a.summary.possible} possible anomalies, ${a.summary.hotspots} hot spots); page ${page + 1} of ${pages}.`;
        list.replaceChildren(...shown.slice(page * PAGE, (page + 1) * PAGE).map((g) => groupView(g, byId)));
        const go = (to: number, label: string) => {
          const b = h('button', { type: 'button' }, label);
          b.disabled = to < 0 || to >= pages || to === page;
          b.addEventListener('click', () => {
            page = to;
            render();
          });
          return b;
        };
        pager.replaceChildren(go(page - 1, 'Previous page'), go(page + 1, 'Next page'));
      };
      for (const s of [kind, confidence]) {
        s.addEventListener('change', () => {
          page = 0;
          render();
        });
      }
      body.replaceChildren(h('form', { class: 'filters', role: 'search' }, field('Kind', kind), field('Confidence', confidence)), count, list, pager);
      render();
    },
    (err: unknown) => body.replaceChildren(notice('error', `Cannot run the analysis: ${describeError(err)}`)),
  );
}
