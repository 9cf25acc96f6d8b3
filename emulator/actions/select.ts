import { selectBoxUsage } from '../protocol/boxUsage.js';
import { errors } from '../protocol/errors.js';
import { attributeElement, dataElement, element } from '../protocol/render.js';
import type { SelectQuery } from '../select/ast.js';
import { countDirect, DEFAULT_TUNING, run, type Row, type RunResult, type Tuning } from '../select/execute.js';
import { parseSelect } from '../select/parser.js';
import { decodeToken, encodeToken, type Position } from '../protocol/nextToken.js';
import { scopeHash } from '../select/token.js';
import { validate } from '../select/validate.js';
import type { Store } from '../store/store.js';
import type { Action, ActionContext } from './types.js';
import { consistentRead } from './validate.js';

export interface SelectOptions {
  /** A page that has run this long ends early with a NextToken (the service's 5 s). */
  readonly timeoutMs: number;
  /** A page ends before its items' XML would exceed this many bytes (the service's 1 MB). */
  readonly maxResponseBytes: number;
  /** Milliseconds, monotonic; injectable so tests can expire the deadline without sleeping. */
  readonly clock: () => number;
  readonly tuning: Tuning;
}

export const DEFAULT_SELECT_OPTIONS: SelectOptions = {
  timeoutMs: 5000,
  maxResponseBytes: 1024 * 1024,
  clock: () => performance.now(),
  tuning: DEFAULT_TUNING,
};

/** Validation order: SIMPLEDB-actions.md §10. */
export function createSelectAction(overrides: Partial<SelectOptions> = {}): Action {
  const options = { ...DEFAULT_SELECT_OPTIONS, ...overrides };
  return {
    name: 'Select',
    handle(params, ctx) {
      const expression = params.get('SelectExpression');
      if (expression === undefined) throw errors.missingParameter('SelectExpression');
      const consistent = consistentRead(params);
      const query = parseSelect(expression);
      const pageSize = validate(query);
      const domain = ctx.store.domain(ctx.account, query.domain);
      if (!domain) throw errors.noSuchDomain();
      const scope = scopeHash(query);
      const token = params.get('NextToken');
      // Some clients send an empty NextToken on the first call; it means "from the start".
      const after =
        token === undefined || token === ''
          ? null
          : decodeToken(token, scope, ctx.tokenKey, query.order?.key.kind === 'attr');
      const page: Page = { ctx, query, domainId: domain.id, pageSize, after, scope, options };
      const runPage = () => (query.output.kind === 'count' ? countPage(page) : itemsPage(page));
      // An eventually consistent read under a simulation (emulator/sync) runs the same SQL on the
      // domain as of an older version, materialised over the live tables for this call only.
      const view = consistent ? undefined : ctx.eventualRead?.();
      // One read transaction: the page's several statements see one snapshot.
      const out = view
        ? ctx.store.versions.withSnapshot(domain.id, view, runPage)
        : ctx.store.db.transaction(runPage).deferred();
      return { result: out.xml, boxUsage: selectBoxUsage(out.scanned) };
    },
  };
}

export const selectAction: Action = createSelectAction();

interface Page {
  readonly ctx: ActionContext;
  readonly query: SelectQuery;
  readonly domainId: number;
  readonly pageSize: number;
  readonly after: Position | null;
  readonly scope: string;
  readonly options: SelectOptions;
}

function execute(p: Page, onRow: (row: Row, index: number) => void): RunResult {
  const { clock, timeoutMs, tuning } = p.options;
  const opts = { deadline: clock() + timeoutMs, clock, tuning };
  // count(*) needs only the last counted item (for its token): the rest may be counted in SQL.
  const keepFrom = p.query.output.kind === 'count' ? p.pageSize - 1 : 0;
  return run(p.ctx.store.db, p.domainId, p.query, p.after, p.pageSize + 1, onRow, opts, keepFrom);
}

function positionOf(p: Page, row: Row): Position {
  return p.query.order?.key.kind === 'attr' ? { key: row.key, name: row.name } : { key: null, name: row.name };
}

function nextTokenXml(p: Page, at: Position | null): string {
  return at ? element('NextToken', encodeToken(at, p.scope, p.ctx.tokenKey)) : '';
}

/**
 * Up to pageSize items, fewer when their XML reaches the size cap (at least one item, so that
 * paging always advances) or the deadline passed.
 */
function itemsPage(p: Page): { xml: string; scanned: number } {
  const rows: Row[] = [];
  const res = execute(p, (r) => rows.push(r));
  let xml = '';
  let bytes = 0;
  let last: Row | null = null;
  let cut = false;
  for (const row of rows.slice(0, p.pageSize)) {
    const item = renderItem(p.ctx.store, p.query, row);
    const size = Buffer.byteLength(item);
    if (last !== null && bytes + size > p.options.maxResponseBytes) {
      cut = true;
      break;
    }
    xml += item;
    bytes += size;
    last = row;
  }
  let next: Position | null = null;
  if (last !== null && (cut || rows.length > p.pageSize)) next = positionOf(p, last);
  else if (!res.complete) next = res.position;
  return { xml: xml + nextTokenXml(p, next), scanned: res.scanned };
}

function renderItem(store: Store, q: SelectQuery, row: Row): string {
  let attrs = '';
  if (q.output.kind === 'all' || q.output.kind === 'attrs') {
    const pairs = store.pairsOf(row.id, q.output.kind === 'attrs' ? q.output.names : undefined);
    for (const pair of pairs) attrs += attributeElement(pair.name, pair.value);
  }
  return `<Item>${dataElement('Name', row.name)}${attrs}</Item>`;
}

/** count(*): the limit clause caps how many items are counted; the rest continues by token. */
function countPage(p: Page): { xml: string; scanned: number } {
  const direct = p.after === null ? countDirect(p.ctx.store.db, p.domainId, p.query, p.pageSize) : null;
  if (direct !== null) return { xml: countXml(direct), scanned: direct };
  let lastCounted: Row | null = null;
  const res = execute(p, (r, index) => {
    if (index === p.pageSize - 1) lastCounted = r;
  });
  const count = Math.min(res.delivered, p.pageSize);
  let next: Position | null = null;
  if (lastCounted !== null && res.delivered > p.pageSize) next = positionOf(p, lastCounted);
  else if (!res.complete) next = res.position;
  return { xml: countXml(count) + nextTokenXml(p, next), scanned: res.scanned };
}

function countXml(count: number): string {
  return '<Item><Name>Domain</Name>' + attributeElement('Count', String(count)) + '</Item>';
}
