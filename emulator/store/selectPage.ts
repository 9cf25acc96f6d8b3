import type Database from 'better-sqlite3';
import type { Position } from '../core/nextToken.js';
import type { SelectQuery } from '../select/ast.js';
import type { ItemTables } from './schema.js';
import { countDirect, pairsOf, run, type Row, type RunResult, type Tuning } from './selectRun.js';
import type { StoredPair } from './types.js';

/** One page of a Select as the caller wants it. */
export interface SelectPage {
  /** Where the previous page stopped (from its NextToken), or null: from the start. */
  readonly after: Position | null;
  /** Items per page: the limit clause, or its default. */
  readonly limit: number;
  /**
   * A page ends before its items' `size` would sum past `maxBytes` (it keeps at least one item,
   * so that paging always advances): the service's 1 MB response cap, measured by the caller.
   */
  readonly maxBytes: number;
  readonly size: (item: SelectedItem) => number;
  /** `clock()` value after which no further chunk is started: the page ends early. */
  readonly deadline: number;
  readonly clock: () => number;
  readonly tuning: Tuning;
}

export interface SelectedItem {
  readonly name: string;
  /** The pairs the output list asks for, name then value order; none for itemName(). */
  readonly attributes: readonly StoredPair[];
}

/** `next`: where the following page starts, when there is one. `scanned`: the BoxUsage measure. */
export type SelectRows =
  | { readonly kind: 'items'; readonly items: readonly SelectedItem[]; readonly next: Position | null; readonly scanned: number }
  | { readonly kind: 'count'; readonly count: number; readonly next: Position | null; readonly scanned: number };

type Db = Database.Database;

interface Page {
  readonly db: Db;
  readonly t: ItemTables;
  readonly domainId: number;
  readonly query: SelectQuery;
  readonly spec: SelectPage;
}

/** One page over the tables `t`; the caller runs it in one read transaction. */
export function selectPage(db: Db, t: ItemTables, domainId: number, query: SelectQuery, spec: SelectPage): SelectRows {
  const p: Page = { db, t, domainId, query, spec };
  return query.output.kind === 'count' ? countPage(p) : itemsPage(p);
}

function execute(p: Page, onRow: (row: Row, index: number) => void): RunResult {
  const { deadline, clock, tuning, after, limit } = p.spec;
  // count(*) needs only the last counted item (for its token): the rest may be counted in SQL.
  const keepFrom = p.query.output.kind === 'count' ? limit - 1 : 0;
  return run(p.db, p.t, p.domainId, p.query, after, limit + 1, onRow, { deadline, clock, tuning }, keepFrom);
}

function positionOf(p: Page, row: Row): Position {
  return p.query.order?.key.kind === 'attr' ? { key: row.key, name: row.name } : { key: null, name: row.name };
}

/**
 * Up to `limit` items, fewer when their size reaches the cap (at least one item, so that paging
 * always advances) or the deadline passed.
 */
function itemsPage(p: Page): SelectRows {
  const rows: Row[] = [];
  const res = execute(p, (r) => rows.push(r));
  const out = p.query.output;
  const names = out.kind === 'attrs' ? out.names : out.kind === 'all' ? [] : null;
  const items: SelectedItem[] = [];
  let bytes = 0;
  let last: Row | null = null;
  let cut = false;
  for (const row of rows.slice(0, p.spec.limit)) {
    const item = { name: row.name, attributes: names === null ? [] : pairsOf(p.db, p.t, row.id, names) };
    const size = p.spec.size(item);
    if (last !== null && bytes + size > p.spec.maxBytes) {
      cut = true;
      break;
    }
    items.push(item);
    bytes += size;
    last = row;
  }
  let next: Position | null = null;
  if (last !== null && (cut || rows.length > p.spec.limit)) next = positionOf(p, last);
  else if (!res.complete) next = res.position;
  return { kind: 'items', items, next, scanned: res.scanned };
}

/** count(*): the limit clause caps how many items are counted; the rest continues by token. */
function countPage(p: Page): SelectRows {
  const { limit } = p.spec;
  const direct = p.spec.after === null ? countDirect(p.db, p.t, p.domainId, p.query, limit) : null;
  if (direct !== null) return { kind: 'count', count: direct, next: null, scanned: direct };
  let lastCounted: Row | null = null;
  const res = execute(p, (r, index) => {
    if (index === limit - 1) lastCounted = r;
  });
  let next: Position | null = null;
  if (lastCounted !== null && res.delivered > limit) next = positionOf(p, lastCounted);
  else if (!res.complete) next = res.position;
  return { kind: 'count', count: Math.min(res.delivered, limit), next, scanned: res.scanned };
}
