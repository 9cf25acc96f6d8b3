import { ACTIONS, analysis, clientOf, clientResolver, control, type JournalEntry, type JournalPage } from './api.js';
import { field, h, notice, svg } from './dom.js';
import { describeError } from './domains.js';
import { href, TRAFFIC_FILTERS } from './router.js';

const POLL_MS = 1000;
/** Entries kept on the page; older ones scroll away (the journal itself keeps its own ring). */
const SHOWN = 300;
/** The most entries the list holds, live ones and older pages together. */
const MAX_ON_PAGE = 5000;
const SERVER_FILTERS = ['action', 'domain', 'item', 'code', 'client', 'account'] as const;

/**
 * Follows the journal: one request for what is there, then `since` the latest sequence every
 * second. Polling rather than a stream: it passes the same guard and proxies as every route.
 */
function follow(filter: Record<string, string>, onEntries: (e: JournalEntry[], first: boolean) => void, onError: (m: string) => void): () => void {
  let since: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    const q = new URLSearchParams();
    for (const k of SERVER_FILTERS) if (filter[k]) q.set(k, filter[k] ?? '');
    if (since === undefined) q.set('limit', String(SHOWN));
    else q.set('since', String(since));
    try {
      const page = await control<JournalPage>('GET', `journal?${q}`);
      if (stopped) return;
      const first = since === undefined;
      since = Math.max(since ?? 0, page.latestSeq, ...page.entries.map((e) => e.seq));
      onEntries(page.entries, first);
    } catch (err) {
      onError(describeError(err));
    }
    if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** The page of matching entries just older than `before`: the journal filters on the server, over all it holds. */
async function olderPage(filter: Record<string, string>, before: number): Promise<JournalEntry[]> {
  const q = new URLSearchParams();
  for (const k of SERVER_FILTERS) if (filter[k]) q.set(k, filter[k] ?? '');
  q.set('before', String(before));
  q.set('limit', String(SHOWN));
  return (await control<JournalPage>('GET', `journal?${q}`)).entries;
}

const isLost = (e: JournalEntry) =>
  e.code === 'ConnectionReset' || (e.faults ?? []).some((f) => f.effect.startsWith('loseResponse')) || e.code === 'ServiceUnavailable';
const isConflict = (e: JournalEntry) => e.code === 'ConditionalCheckFailed' || e.code === 'AttributeDoesNotExist';

function outcomeClass(e: JournalEntry): string {
  if (isLost(e)) return 'lost';
  if (isConflict(e)) return 'conflict';
  return e.status >= 200 && e.status < 300 ? 'success' : 'failure';
}

function entryView(e: JournalEntry): HTMLElement {
  const item = e.items[0];
  const outcome = {
    status: e.status, code: e.code, latencyMs: e.latencyMs, client: clientOf(e),
    ...(e.account ? { account: e.account } : {}), ...(e.read ? { read: e.read } : {}),
    ...(e.atSeq !== undefined ? { atSeq: e.atSeq } : {}), ...(e.writeSeq !== undefined ? { writeSeq: e.writeSeq } : {}),
    ...(e.faults ? { faults: e.faults } : {}), requestId: e.requestId,
  };
  return h(
    'details',
    { class: `entry ${outcomeClass(e)}`, 'data-seq': e.seq },
    h(
      'summary',
      {},
      h('span', { class: 'seq' }, `#${e.seq}`),
      h('time', { datetime: e.time, title: `${e.time.slice(0, 10)} UTC` }, `${e.time.slice(11, 23)} UTC`),
      h('span', { class: 'client' }, clientOf(e)),
      h('span', { class: 'action' }, e.action ?? e.method),
      h('span', { class: 'target' }, [e.domain, e.items.length > 1 ? `${e.items.length} items` : item].filter(Boolean).join(' / ')),
      h('span', { class: 'code' }, `${e.code} ${e.status || ''}`),
      e.read?.stale ? h('span', { class: 'badge' }, 'stale') : null,
    ),
    h('div', { class: 'entry-body' },
      h('h3', {}, 'Parameters'), h('pre', {}, JSON.stringify(e.params, null, 2)),
      h('h3', {}, 'Outcome'), h('pre', {}, JSON.stringify(outcome, null, 2)),
      e.domain && item ? h('p', {}, h('a', { href: href.timeline(e.domain, item) }, `Timeline of ${item}`)) : null,
    ),
  );
}

export function trafficView(filter: Record<string, string>) {
  return (root: HTMLElement): () => void => {
    const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
    const action = h('select', { name: 'action' }, h('option', { value: '' }, 'any'), ...ACTIONS.map((a) => h('option', { value: a, selected: filter.action === a }, a)));
    inputs.set('action', action);
    const labels: Record<string, string> = { domain: 'Domain', item: 'Item', code: 'Outcome code', client: 'Client', account: 'Account' };
    for (const key of TRAFFIC_FILTERS) {
      if (key === 'action') continue;
      const input = h('input', { name: key, autocomplete: 'off', value: filter[key] ?? '', list: key === 'code' ? 'codes' : undefined });
      inputs.set(key, input);
    }
    const codes = h('datalist', { id: 'codes' }, ...['Success', 'ConditionalCheckFailed', 'AttributeDoesNotExist', 'ConnectionReset', 'ServiceUnavailable', 'NoSuchDomain', 'InvalidQueryExpression'].map((c) => h('option', { value: c })));
    const form = h(
      'form',
      { class: 'filters', 'aria-label': 'Filter the journal' },
      field('Action', action),
      ...TRAFFIC_FILTERS.filter((k) => k !== 'action').map((k) => field(labels[k] ?? k, inputs.get(k) as HTMLElement)),
      codes,
      h('button', { type: 'submit' }, 'Filter'),
      h('a', { href: href.traffic(), class: 'button-link' }, 'Clear'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const next: Record<string, string> = {};
      for (const [k, el] of inputs) if (el.value) next[k] = el.value;
      location.hash = href.traffic(next);
    });
    const pause = h('input', { type: 'checkbox', name: 'paused' });
    const state = h('span', { class: 'live', role: 'status' }, 'Live');
    const status = h('div', {});
    const list = h('div', { class: 'journal', role: 'region', 'aria-label': 'Journal entries, newest first' });
    let count = 0;
    root.append(
      h('h1', {}, 'Traffic'),
      form,
      h('div', { class: 'row' }, state, h('label', { class: 'check' }, pause, ' Pause')),
      status,
      list,
    );
    pause.addEventListener('change', () => (state.textContent = pause.checked ? 'Paused' : 'Live'));
    const older = h('button', { type: 'button', class: 'small' }, 'Older entries');
    const olderRow = h('p', { class: 'row' });
    const held: JournalEntry[] = [];
    let oldest: number | undefined;
    const showEmpty = () => {
      if (count === 0) list.replaceChildren(notice('empty', 'No requests match yet. New ones appear here as they arrive.'));
    };
    older.addEventListener('click', () =>
      void (async () => {
        if (oldest === undefined) return;
        const page = await olderPage(filter, oldest).catch((err: unknown) => {
          status.replaceChildren(notice('error', `Cannot read the journal: ${describeError(err)}`));
          return [];
        });
        // Oldest first from the server: appended below what is shown, newest of them first.
        for (const e of [...page].reverse()) list.append(entryView(e));
        count += page.length;
        if (page.length > 0) oldest = page[0]?.seq;
        if (page.length < SHOWN) olderRow.replaceChildren('No older entries match.');
      })(),
    );
    root.append(olderRow);
    const stop = follow(
      filter,
      (entries, first) => {
        status.replaceChildren();
        held.push(...entries);
        if (first && entries.length > 0) oldest = entries[0]?.seq;
        if (first && entries.length >= SHOWN) olderRow.replaceChildren(older);
        // An entry someone opened stays where it is: new ones wait, as when paused.
        const reading = list.querySelector('details[open]') !== null;
        if (pause.checked || reading) {
          if (reading && held.length > 0) state.textContent = `Holding ${held.length} new while an entry is open`;
          return;
        }
        if (!pause.checked) state.textContent = 'Live';
        if (held.length > 0) list.querySelector(':scope > .notice')?.remove();
        for (const e of held.splice(0)) {
          list.prepend(entryView(e));
          count++;
        }
        // Bounded, however long the page follows; older entries come back with the button.
        while (list.children.length > MAX_ON_PAGE) list.lastElementChild?.remove();
        showEmpty();
      },
      (message) => status.replaceChildren(notice('error', `Cannot read the journal: ${message}`)),
    );
    return stop;
  };
}

// ------------------------------------------------------------------ timeline

const LANE_H = 44;
const STEP_W = 34;
const LEFT = 150;

const READS = new Set(['GetAttributes', 'Select']);
const writeOf = (e: JournalEntry) =>
  e.request?.action === 'PutAttributes' || e.request?.action === 'DeleteAttributes' ? e.request : undefined;
const isConditional = (e: JournalEntry) => (writeOf(e)?.expected.length ?? 0) > 0;

/** `qty=3 if qty=2`: what a write set and what it expected (single-item actions; batches say how many). */
function gist(e: JournalEntry): string {
  const w = writeOf(e);
  if (!w) return '';
  const sets = w.attributes.map((a) => (a.value === undefined ? a.name : `${a.name}=${a.value}`));
  const ex = w.expected[0];
  const cond =
    ex?.name === undefined
      ? ''
      : ex.value !== undefined
        ? ` if ${ex.name}=${ex.value}`
        : ex.exists?.toLowerCase() === 'false'
          ? ` if no ${ex.name}`
          : ` if ${ex.name} exists`;
  return sets.length > 0 || cond ? ` ${sets.join(', ')}${cond}` : '';
}

/** The timeline's lanes: the analysis's clients once it has answered, the entry's own name until then. */
let laneOf: (e: JournalEntry) => string = clientOf;

/** What a mark means, in words: the SVG's title and the list's row. */
function describe(e: JournalEntry): string {
  const kind = READS.has(e.action ?? '') ? (e.read?.stale ? 'stale read' : 'read') : isConditional(e) ? 'conditional write' : 'write';
  const marks = [isConflict(e) ? 'conflict' : '', isLost(e) ? 'response lost' : ''].filter(Boolean).join(', ');
  return `#${e.seq} ${e.time.slice(11, 23)} ${laneOf(e)}: ${e.action} (${kind})${gist(e)} → ${e.code}${marks ? ` — ${marks}` : ''}`;
}

/** Per journal seq, the findings that name it: `F1 stale-read-write (stale-read)`. */
type Flags = Map<number, string[]>;

/** A row names at most this many findings, then how many more. */
const NAMED_FINDINGS = 3;

const flagged = (e: JournalEntry, flags: Flags): string => {
  const f = flags.get(e.seq);
  if (!f) return '';
  const more = f.length > NAMED_FINDINGS ? ` and ${f.length - NAMED_FINDINGS} more` : '';
  return ` — finding ${f.slice(0, NAMED_FINDINGS).join('; ')}${more}`;
};

function mark(e: JournalEntry, x: number, y: number, flags: Flags): SVGElement {
  const cls = ['mark', outcomeClass(e), e.read?.stale ? 'stale' : '', flags.has(e.seq) ? 'flagged' : ''].filter(Boolean).join(' ');
  const label = describe(e) + flagged(e, flags);
  const title = svg('title', {}, label);
  let shape: SVGElement;
  if (READS.has(e.action ?? '')) shape = svg('circle', { cx: x, cy: y, r: 9, class: 'shape' });
  else if (isConditional(e)) shape = svg('polygon', { points: `${x},${y - 11} ${x + 11},${y} ${x},${y + 11} ${x - 11},${y}`, class: 'shape' });
  else shape = svg('rect', { x: x - 9, y: y - 9, width: 18, height: 18, class: 'shape' });
  const g = svg('g', { class: cls, tabindex: 0, role: 'img', 'aria-label': label, 'data-seq': e.seq }, title, shape);
  if (flags.has(e.seq)) g.append(svg('rect', { x: x - 15, y: y - 15, width: 30, height: 30, class: 'flag-ring' }));
  if (isConflict(e)) g.append(svg('path', { d: `M${x - 6},${y - 6} L${x + 6},${y + 6} M${x + 6},${y - 6} L${x - 6},${y + 6}`, class: 'cross' }));
  if (isLost(e)) g.append(svg('circle', { cx: x, cy: y, r: 15, class: 'lost-ring' }));
  return g;
}

function drawTimeline(entries: readonly JournalEntry[], flags: Flags): Element {
  const clients = [...new Set(entries.map(laneOf))];
  const width = LEFT + STEP_W * (entries.length + 1);
  const height = LANE_H * clients.length + 46;
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': `Timeline: ${entries.length} requests by ${clients.length} clients` });
  clients.forEach((c, i) => {
    const y = 20 + i * LANE_H + LANE_H / 2;
    chart.append(svg('line', { x1: LEFT - 10, x2: width - 10, y1: y, y2: y, class: 'lane' }), svg('text', { x: 8, y: y + 4, class: 'lane-label' }, c.length > 20 ? c.slice(0, 19) + '…' : c));
  });
  const axis = 20 + clients.length * LANE_H + 14;
  chart.append(
    svg('line', { x1: LEFT - 10, x2: width - 10, y1: axis - 4, y2: axis - 4, class: 'axis' }),
    svg('text', { x: LEFT - 10, y: axis + 10, class: 'axis-label' }, `${entries[0]?.time.slice(11, 23) ?? ''} → time (request order)`),
  );
  entries.forEach((e, i) => {
    const x = LEFT + STEP_W * (i + 0.5);
    const y = 20 + clients.indexOf(laneOf(e)) * LANE_H + LANE_H / 2;
    // Writes that changed the store carry their sequence number above the mark.
    if (e.writeSeq !== undefined) chart.append(svg('text', { x, y: y - 14, class: 'wseq', 'text-anchor': 'middle' }, `w${e.writeSeq}`));
    chart.append(mark(e, x, y, flags));
  });
  return chart;
}

export function timelineView(domain: string, item: string) {
  return (root: HTMLElement): () => void => {
    laneOf = clientOf;
    const status = h('div', {});
    const chart = h('div', { class: 'scroll timeline', tabindex: '0', role: 'region', 'aria-label': 'Timeline chart' });
    const table = h('ol', { class: 'timeline-list' });
    const entries: JournalEntry[] = [];
    const flags: Flags = new Map();
    const draw = () => {
      chart.replaceChildren(drawTimeline(entries, flags));
      table.replaceChildren(...entries.map((e) => h('li', { class: [outcomeClass(e), flags.has(e.seq) ? 'flagged' : ''].filter(Boolean).join(' '), 'data-seq': e.seq }, describe(e) + flagged(e, flags))));
    };
    // The detector's findings for this item, read once: their requests are marked in the chart and the list.
    void analysis().then(
      (a) => {
        laneOf = clientResolver(a.clients);
        for (const f of a.findings.filter((x) => x.domain === domain && (x.item === item || x.items?.includes(item)))) {
          for (const ev of f.evidence) flags.set(ev.seq, [...(flags.get(ev.seq) ?? []), `${f.id} ${f.kind} (${ev.role})`]);
        }
        if (entries.length > 0) draw();
      },
      (err: unknown) => status.append(notice('error', `Cannot run the analysis: ${describeError(err)}`)),
    );
    root.append(
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: href.items(domain) }, domain), ' / ', h('a', { href: href.item(domain, item) }, item), ' / timeline'),
      h('h1', {}, `Timeline of ${item}`),
      h('p', {}, 'Each lane is one client as the analysis tells them apart (its X-SimpleDB-Client name, else its keep-alive connection, else its User-Agent and key); time runs left to right in the order requests finished. Journal entries naming this item, updated live.'),
      h(
        'ul',
        { class: 'legend', 'aria-label': 'Legend' },
        h('li', {}, h('span', { class: 'key read' }), 'read (hollow: stale)'),
        h('li', {}, h('span', { class: 'key write' }), 'write'),
        h('li', {}, h('span', { class: 'key cond' }), 'conditional write'),
        h('li', {}, h('span', { class: 'key conflict' }), 'conflict (ConditionalCheckFailed)'),
        h('li', {}, h('span', { class: 'key lost' }), 'response lost (injected fault)'),
        h('li', {}, h('span', { class: 'key flagged' }), h('a', { href: href.findings() }, 'named by a finding')),
      ),
      status,
      chart,
      h('h2', {}, 'Requests'),
      table,
    );
    return follow(
      { domain, item },
      (news) => {
        entries.push(...news);
        if (entries.length === 0) {
          chart.replaceChildren(notice('empty', `No requests for ${item} in the journal yet. Reads and writes of it appear here as they happen.`));
          return;
        }
        if (news.length === 0 && chart.firstElementChild?.localName === 'svg') return;
        draw();
      },
      (message) => status.replaceChildren(notice('error', `Cannot read the journal: ${message}`)),
    );
  };
}
