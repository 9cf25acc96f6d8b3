import { ActionError, select, type SelectPage } from './api.js';
import { download, field, h, notice, type Child } from './dom.js';
import { describeError } from './domains.js';
import { valuesCell } from './items.js';
import { href } from './router.js';

const HISTORY_KEY = 'simpledb-local.console.history';
const HISTORY_SIZE = 20;
/** Export follows NextToken up to this many items: a bound on what one tab holds. */
const EXPORT_MAX_ITEMS = 100_000;

type Row = SelectPage['items'][number];

function history(): string[] {
  try {
    const list: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((q): q is string => typeof q === 'string') : [];
  } catch {
    return [];
  }
}

function remember(query: string): void {
  const list = [query, ...history().filter((q) => q !== query)].slice(0, HISTORY_SIZE);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(list));
}

/** The domain of `select … from D`, for the NDJSON records; '' when it cannot be read off. */
function domainOf(query: string): string {
  const m = /\bfrom\s+(`(?:[^`]|``)+`|[A-Za-z0-9_.-]+)/i.exec(query);
  const name = m?.[1] ?? '';
  return name.startsWith('`') ? name.slice(1, -1).replaceAll('``', '`') : name;
}

/** The data format of the import/export tools: one item per line. */
export function toNdjson(domain: string, rows: readonly Row[]): string {
  return rows.map((r) => JSON.stringify({ domain, item: r.name, attributes: Object.fromEntries(r.attributes) }) + '\n').join('');
}

/** RFC 4180; several values of one attribute in one cell, joined by a newline. */
export function toCsv(rows: readonly Row[]): string {
  const names = [...new Set(rows.flatMap((r) => [...r.attributes.keys()]))].sort();
  const cell = (raw: string) => {
    // A spreadsheet evaluates a cell that starts with = + - @ (or a tab or CR before them): the
    // OWASP rule is a leading apostrophe, which shows the text as it is.
    const s = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
    return /[",\r\n]/.test(s) || s !== raw ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [['itemName()', ...names].map(cell).join(',')];
  for (const r of rows) lines.push([r.name, ...names.map((n) => (r.attributes.get(n) ?? []).join('\n'))].map(cell).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function selectView(initial: string | undefined, initialConsistent: boolean) {
  return (root: HTMLElement): void => {
    const editor = h('textarea', { name: 'expression', rows: 4, spellcheck: 'false', autocomplete: 'off' });
    editor.value = initial ?? history()[0] ?? 'select * from `mydomain` limit 25';
    const consistent = h('input', { type: 'checkbox', name: 'consistent', checked: initialConsistent });
    const run = h('button', { type: 'submit' }, 'Run');
    const form = h(
      'form',
      { class: 'workbench', 'aria-label': 'Workbench' },
      field('Select expression', editor, 'Ctrl+Enter runs it'),
      h('div', { class: 'row' }, h('label', { class: 'check' }, consistent, ' ConsistentRead'), run),
    );
    const output = h('div', { 'aria-live': 'polite' });
    const historyList = h('ol', { class: 'history' });
    root.append(h('h1', {}, 'Select workbench'), form, output, h('h2', {}, 'Recent queries'), historyList);

    let rows: Row[] = [];
    let token: string | undefined;
    let ran = '';

    function drawHistory(): void {
      const list = history();
      if (list.length === 0) {
        historyList.replaceChildren(h('li', { class: 'notice empty' }, 'Queries you run are kept here (in this browser).'));
        return;
      }
      historyList.replaceChildren(...list.map((q) => h('li', {}, h('a', { href: href.select(q, consistent.checked) }, q))));
    }

    function drawError(err: unknown): void {
      if (!(err instanceof ActionError)) {
        output.replaceChildren(notice('error', describeError(err)));
        return;
      }
      const f = err.failure;
      const at = f.position;
      // The whole word the parser stopped at, or one character (a space at the end of the text).
      const end = at === undefined ? 0 : Math.max(at + 1, ran.slice(at).search(/\s|$/) + at);
      output.replaceChildren(
        h(
          'div',
          { class: 'notice error', role: 'alert' },
          h('p', {}, h('strong', { class: 'code' }, f.code), ` (HTTP ${f.status}): ${f.message}`),
          at === undefined ? null : h('p', { class: 'position' }, `at position ${at + 1}:`),
          at === undefined
            ? null
            : h('pre', { class: 'caret', 'aria-hidden': 'true' }, ran.slice(0, at), h('mark', {}, ran.slice(at, end) || ' '), ran.slice(end)),
        ),
      );
      if (at !== undefined) editor.setSelectionRange(at, end);
    }

    /** A result's item, linked to its item view when the expression's domain can be read. */
    function itemLink(name: string): Child {
      const domain = domainOf(ran);
      return domain === '' ? name : h('a', { href: href.item(domain, name) }, name);
    }

    function drawRows(): void {
      const names = [...new Set(rows.flatMap((r) => [...r.attributes.keys()]))].sort();
      const more = token ? h('button', { type: 'button', onclick: () => void page() }, 'Next page') : null;
      const exportNd = h('button', { type: 'button', onclick: () => void exportAll('ndjson') }, 'Export NDJSON');
      const exportCsv = h('button', { type: 'button', onclick: () => void exportAll('csv') }, 'Export CSV');
      output.replaceChildren(
        h('p', { class: 'count', role: 'status' }, `${rows.length} item${rows.length === 1 ? '' : 's'}${token ? ' so far (more pages)' : ''}`),
        rows.length === 0
          ? notice('empty', 'No items match.')
          : h(
              'div',
              { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Results' },
              h(
                'table',
                {},
                h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Item'), ...names.map((n) => h('th', { scope: 'col' }, n)))),
                h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, itemLink(r.name)), ...names.map((n) => h('td', {}, valuesCell(r.attributes.get(n))))))),
              ),
            ),
        h('div', { class: 'row' }, more, rows.length > 0 ? exportNd : null, rows.length > 0 ? exportCsv : null),
      );
    }

    async function page(): Promise<void> {
      try {
        const p = await select(ran, consistent.checked, token);
        rows = rows.concat(p.items);
        token = p.nextToken;
        drawRows();
      } catch (err) {
        drawError(err);
      }
    }

    async function exportAll(format: 'ndjson' | 'csv'): Promise<void> {
      let all = rows;
      let next = token;
      try {
        while (next && all.length < EXPORT_MAX_ITEMS) {
          const p = await select(ran, consistent.checked, next);
          all = all.concat(p.items);
          next = p.nextToken;
        }
      } catch (err) {
        drawError(err);
        return;
      }
      if (format === 'ndjson') download('select.ndjson', 'application/x-ndjson', toNdjson(domainOf(ran), all));
      else download('select.csv', 'text/csv', toCsv(all));
    }

    async function execute(): Promise<void> {
      ran = editor.value;
      rows = [];
      token = undefined;
      output.replaceChildren(notice('info', 'Running…'));
      try {
        const p = await select(ran, consistent.checked);
        remember(ran);
        drawHistory();
        rows = p.items;
        token = p.nextToken;
        drawRows();
      } catch (err) {
        drawError(err);
      }
    }

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const target = href.select(editor.value, consistent.checked);
      // The URL names the query; the same URL again would not fire hashchange, so run it here.
      if (location.hash === target) void execute();
      else location.hash = target;
    });
    editor.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    drawHistory();
    if (initial !== undefined) void execute();
    else output.append(notice('empty', 'Write a Select expression and run it.'));
  };
}
