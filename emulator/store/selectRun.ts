import type Database from 'better-sqlite3';
import type { Expr, SelectQuery } from '../select/ast.js';
import { likeParts, matchParts } from '../select/like.js';
import { conjuncts, sortBounds } from '../select/shape.js';
import { compareUtf8 } from '../core/order.js';
import type { Position } from '../core/nextToken.js';
import type { ItemTables } from './schema.js';
import { drivers, itemPredicate, LIKE_FUNCTION, Sql, type SqlParam } from './selectSql.js';
import type { StoredPair } from './types.js';

/** One matching item in page order; `key` is its sort value (its name when ordered by name). */
export interface Row {
  readonly id: number;
  readonly name: string;
  readonly key: string;
}

export interface RunResult {
  /** Matching items passed, whether or not they were handed to `onRow`. */
  readonly delivered: number;
  /** True when no matching item lies beyond the ones delivered. */
  readonly complete: boolean;
  /** Where to resume when not complete: after the last delivered row or the last examined one. */
  readonly position: Position | null;
  /** Items (or index entries) examined: the BoxUsage measure. */
  readonly scanned: number;
}

export interface RunOptions {
  /** `clock()` value after which no further chunk is started. */
  readonly deadline: number;
  readonly clock: () => number;
  readonly tuning: Tuning;
}

/**
 * Tuning. A WHERE conjunct whose index range yields at most `candidateCap` entries is
 * enumerated and sorted outright; otherwise the page walks the order (item names, or the sort
 * attribute's index) in chunks, checking the whole expression per item, so that the deadline
 * is looked at between bounded steps and a page costs at most one scan.
 */
export interface Tuning {
  readonly candidateCap: number;
  readonly firstChunk: number;
  readonly maxChunk: number;
}

export const DEFAULT_TUNING: Tuning = { candidateCap: 2500, firstChunk: 256, maxChunk: 16384 };

type Db = Database.Database;
type Statement = Database.Statement<SqlParam[], unknown>;

const statements = new WeakMap<Db, Map<string, Statement>>();
/** Expressions come in endless shapes; keep the most recently used statements only. */
const MAX_STATEMENTS = 512;

function prepare(db: Db, text: string): Statement {
  let cache = statements.get(db);
  if (!cache) {
    statements.set(db, (cache = new Map()));
    const parsed = new Map<string, string[]>();
    db.function(LIKE_FUNCTION, { deterministic: true }, (pattern: unknown, value: unknown) => {
      if (typeof pattern !== 'string' || typeof value !== 'string') return 0;
      let parts = parsed.get(pattern);
      if (!parts) {
        if (parsed.size >= 64) parsed.clear();
        parsed.set(pattern, (parts = likeParts(pattern)));
      }
      return matchParts(parts, value) ? 1 : 0;
    });
  }
  let s = cache.get(text);
  if (s) {
    cache.delete(text);
  } else {
    s = db.prepare<SqlParam[], unknown>(text);
    if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value as string);
  }
  cache.set(text, s);
  return s;
}

// pluck() is a mode of the (cached) statement, so each use sets it explicitly.
function all<T>(db: Db, sql: Sql): T[] {
  return prepare(db, sql.text).pluck(false).all(...sql.params) as T[];
}

function first<T>(db: Db, sql: Sql): T | undefined {
  return prepare(db, sql.text).pluck(true).get(...sql.params) as T | undefined;
}

/**
 * Passes the matching items of `q` after `after`, in page order, until `want` have been
 * passed, the domain is exhausted, or the deadline passes. `onRow` receives each with its
 * 0-based index, except that items before index `keepFrom` may be counted in SQL unseen.
 */
export function run(
  db: Db,
  t: ItemTables,
  domainId: number,
  q: SelectQuery,
  after: Position | null,
  want: number,
  onRow: (row: Row, index: number) => void,
  opts: RunOptions,
  keepFrom = 0,
): RunResult {
  const ctx: Walk = {
    db,
    t,
    domainId,
    where: q.where,
    desc: q.order?.desc ?? false,
    want,
    onRow,
    opts,
    keepFrom,
    delivered: 0,
    scanned: 0,
  };
  const sortAttr = q.order?.key.kind === 'attr' ? q.order.key.name : null;
  if (q.where) {
    const alone = conjuncts(q.where).length === 1;
    for (const d of drivers(q.where, domainId, t)) {
      const ids = prepare(db, `${d.sql.text} LIMIT ?`)
        .pluck(true)
        .all(...d.sql.params, opts.tuning.candidateCap + 1) as number[];
      ctx.scanned += ids.length;
      if (ids.length > opts.tuning.candidateCap) continue;
      // When the driver is the whole WHERE, every candidate matches: skip re-checking each one.
      return candidates(alone && d.exact ? { ...ctx, where: null } : ctx, ids, sortAttr, after);
    }
  }
  return sortAttr === null ? walkNames(ctx, after) : walkAttribute(ctx, sortAttr, after);
}

/**
 * count(*) from the start in one indexed statement, when the WHERE is absent or one conjunct
 * that an index answers exactly, and the count fits `limit`. Null otherwise: then the page walk
 * decides, since a limit that cuts the count needs the position of the last item counted.
 */
export function countDirect(db: Db, t: ItemTables, domainId: number, q: SelectQuery, limit: number): number | null {
  let sql: Sql;
  if (q.where === null) {
    sql = new Sql().add(`SELECT count(*) FROM ${t.items} WHERE domain_id = ?`, domainId);
  } else {
    if (conjuncts(q.where).length !== 1) return null;
    const [best] = drivers(q.where, domainId, t);
    if (!best?.exact) return null;
    // A driver yields an item once per matching value.
    sql = new Sql().add('SELECT count(*) FROM (SELECT DISTINCT * FROM (').append(best.sql).add('))');
  }
  const n = first<number>(db, sql) ?? 0;
  return n <= limit ? n : null;
}

interface Walk {
  readonly db: Db;
  readonly t: ItemTables;
  readonly domainId: number;
  readonly where: Expr | null;
  readonly desc: boolean;
  readonly want: number;
  readonly onRow: (row: Row, index: number) => void;
  readonly opts: RunOptions;
  readonly keepFrom: number;
  delivered: number;
  scanned: number;
}

const sqlLimit = (n: number) => (Number.isFinite(n) ? n : -1);

/** Delivers rows; returns the position after the last one when `want` is reached. */
function deliver(w: Walk, rows: readonly Row[], byName: boolean): Position | null {
  let last: Row | null = null;
  for (const r of rows) {
    w.onRow(r, w.delivered++);
    last = r;
  }
  if (w.delivered < w.want || last === null) return null;
  return byName ? { key: null, name: last.name } : { key: last.key, name: last.name };
}

/**
 * The rows of one chunk, sorted and cut at `want`; a chunk that ends before `keepFrom` is
 * counted in SQL instead of being read.
 */
function take(w: Walk, page: Sql, order: string, byName: boolean): Position | null {
  if (w.keepFrom > w.delivered) {
    const n = first<number>(w.db, new Sql().add('SELECT count(*) FROM (').append(page).add(')')) ?? 0;
    if (w.delivered + n <= w.keepFrom) {
      w.delivered += n;
      return null;
    }
  }
  const rows = all<Row>(w.db, new Sql().append(page).add(` ORDER BY ${order} LIMIT ?`, sqlLimit(w.want - w.delivered)));
  return deliver(w, rows, byName);
}

function whereClause(w: Walk, sql: Sql): Sql {
  return w.where ? itemPredicate(w.where, w.t, sql.add(' AND ')) : sql;
}

/** The few items one conjunct admits, checked against the whole expression and sorted. */
function candidates(w: Walk, ids: number[], sortAttr: string | null, after: Position | null): RunResult {
  const dir = w.desc ? 'DESC' : '';
  const sql = new Sql();
  if (sortAttr === null) {
    sql.add(`SELECT i.id AS id, i.name AS name, i.name AS key FROM ${w.t.items} i WHERE i.id IN (SELECT value FROM json_each(?))`, JSON.stringify(ids));
    whereClause(w, sql);
    if (after?.name != null) sql.add(w.desc ? ' AND i.name < ?' : ' AND i.name > ?', after.name);
    sql.add(` ORDER BY i.name ${dir} LIMIT ?`, sqlLimit(w.want));
  } else {
    const extreme = w.desc ? 'max' : 'min';
    sql.add(
      `SELECT id, name, key FROM (SELECT i.id AS id, i.name AS name, (SELECT ${extreme}(x.value) FROM ${w.t.attrs} x WHERE x.item_id = i.id AND x.name = ?) AS key FROM ${w.t.items} i WHERE i.id IN (SELECT value FROM json_each(?))`,
      sortAttr,
      JSON.stringify(ids),
    );
    whereClause(w, sql).add(') WHERE key IS NOT NULL');
    if (after?.key != null) {
      const beyond = w.desc ? '<' : '>';
      if (after.name === null) sql.add(` AND key ${beyond} ?`, after.key);
      else sql.add(` AND (key ${beyond} ? OR (key = ? AND name > ?))`, after.key, after.key, after.name);
    }
    sql.add(` ORDER BY key ${dir}, name LIMIT ?`, sqlLimit(w.want));
  }
  const position = deliver(w, all<Row>(w.db, sql), sortAttr === null);
  return { delivered: w.delivered, complete: position === null, position, scanned: w.scanned };
}

const nextChunk = (w: Walk, n: number) => Math.min(n * 4, w.opts.tuning.maxChunk);

/** Item-name order: chunks of the (domain_id, name) index, the expression checked per item. */
function walkNames(w: Walk, after: Position | null): RunResult {
  const [beyond, upTo, dir] = w.desc ? ['<', '>=', 'DESC'] : ['>', '<=', ''];
  let from = after?.name ?? null;
  for (let round = 0, chunk = w.opts.tuning.firstChunk; ; round++, chunk = nextChunk(w, chunk)) {
    if (round > 0 && from !== null && w.opts.clock() >= w.opts.deadline) {
      return { delivered: w.delivered, complete: false, position: { key: null, name: from }, scanned: w.scanned };
    }
    const rest = new Sql().add(` FROM ${w.t.items} WHERE domain_id = ?`, w.domainId);
    if (from !== null) rest.add(` AND name ${beyond} ?`, from);
    const end = first<string>(w.db, new Sql().add('SELECT name').append(rest).add(` ORDER BY name ${dir} LIMIT 1 OFFSET ?`, chunk - 1));
    const page = new Sql().add(`SELECT i.id AS id, i.name AS name, i.name AS key FROM ${w.t.items} i WHERE i.domain_id = ?`, w.domainId);
    if (from !== null) page.add(` AND i.name ${beyond} ?`, from);
    if (end !== undefined) page.add(` AND i.name ${upTo} ?`, end);
    const position = take(w, whereClause(w, page), `i.name ${dir}`, true);
    // The final chunk is shorter than `chunk`; count it so BoxUsage reflects the items read.
    w.scanned += end === undefined ? (first<number>(w.db, new Sql().add('SELECT count(*)').append(rest)) ?? 0) : chunk;
    if (position) return { delivered: w.delivered, complete: false, position, scanned: w.scanned };
    if (end === undefined) return { delivered: w.delivered, complete: true, position: null, scanned: w.scanned };
    from = end;
  }
}

/**
 * Attribute order: chunks of the (domain_id, name, value) index in value order, keeping an
 * entry only when it is its item's smallest value (largest for desc), i.e. the item's sort key.
 */
function walkAttribute(w: Walk, attr: string, after: Position | null): RunResult {
  const [beyond, reach, upTo, dir, extreme] = w.desc ? ['<', '<=', '>=', 'DESC', '>'] : ['>', '>=', '<=', '', '<'];
  const { start, stop } = walkRange(w, attr);
  // `from` is the resume point: after (key, name), past all of `key` (name null), or at `start`.
  let from: { key: string; name: string | null; inclusive: boolean } | null =
    after?.key != null ? { key: after.key, name: after.name, inclusive: false } : null;
  if (start !== null && (from === null || (w.desc ? compareUtf8(from.key, start) > 0 : compareUtf8(from.key, start) < 0))) {
    from = { key: start, name: null, inclusive: true };
  }
  for (let round = 0, chunk = w.opts.tuning.firstChunk; ; round++, chunk = nextChunk(w, chunk)) {
    if (round > 0 && from && w.opts.clock() >= w.opts.deadline) {
      return { delivered: w.delivered, complete: false, position: { key: from.key, name: from.name }, scanned: w.scanned };
    }
    const rest = new Sql().add(` FROM ${w.t.attrs} WHERE domain_id = ? AND name = ?`, w.domainId, attr);
    if (from) rest.add(` AND value ${from.inclusive || from.name !== null ? reach : beyond} ?`, from.key);
    let end = first<string>(w.db, new Sql().add('SELECT value').append(rest).add(` ORDER BY value ${dir} LIMIT 1 OFFSET ?`, chunk - 1)) ?? null;
    let last = end === null;
    // The final chunk is shorter than `chunk`; count it so BoxUsage reflects the entries read.
    w.scanned += end === null ? (first<number>(w.db, new Sql().add('SELECT count(*)').append(rest)) ?? 0) : chunk;
    if (stop !== null && (end === null || (w.desc ? compareUtf8(end, stop) <= 0 : compareUtf8(end, stop) >= 0))) {
      end = stop;
      last = true;
    }
    const page = new Sql().add(
      `SELECT k.item_id AS id, i.name AS name, k.value AS key FROM ${w.t.attrs} k CROSS JOIN ${w.t.items} i WHERE k.domain_id = ? AND k.name = ? AND i.id = k.item_id`,
      w.domainId,
      attr,
    );
    if (from?.inclusive) page.add(` AND k.value ${reach} ?`, from.key);
    else if (from?.name != null) page.add(` AND k.value ${reach} ? AND (k.value ${beyond} ? OR i.name > ?)`, from.key, from.key, from.name);
    else if (from) page.add(` AND k.value ${beyond} ?`, from.key);
    if (end !== null) page.add(` AND k.value ${upTo} ?`, end);
    page.add(` AND NOT EXISTS (SELECT 1 FROM ${w.t.attrs} s WHERE s.item_id = k.item_id AND s.name = k.name AND s.value ${extreme} k.value)`);
    const position = take(w, whereClause(w, page), `k.value ${dir}, i.name`, false);
    if (position) return { delivered: w.delivered, complete: false, position, scanned: w.scanned };
    if (last || end === null) return { delivered: w.delivered, complete: true, position: null, scanned: w.scanned };
    from = { key: end, name: null, inclusive: false };
  }
}

/**
 * Where in the sort attribute's value order matching items can lie. An item's key is its
 * smallest value (asc), and a matching item holds some value at or below each conjunct's upper
 * bound, so the walk may stop at the least upper bound. Starting at the greatest lower bound
 * is only sound when no item holds several values of the attribute: otherwise an item whose
 * smallest value lies below the bound could still match through another value.
 */
function walkRange(w: Walk, attr: string): { start: string | null; stop: string | null } {
  if (!w.where) return { start: null, stop: null };
  const bounds = sortBounds(w.where, attr);
  const near = bounds.map((b) => (w.desc ? b.hi : b.lo)).filter((v): v is string => v !== null);
  const far = bounds.map((b) => (w.desc ? b.lo : b.hi)).filter((v): v is string => v !== null);
  const pick = (vals: string[], greatest: boolean) =>
    vals.length === 0 ? null : vals.reduce((a, b) => ((compareUtf8(a, b) < 0) === greatest ? b : a));
  // asc: start at the greatest lower bound, stop at the least upper bound; desc mirrors it.
  const start = pick(near, !w.desc);
  const stop = pick(far, w.desc);
  return { start: start !== null && singleValued(w.db, w.t, w.domainId, attr) ? start : null, stop };
}

interface Verdict {
  readonly stamp: string;
  readonly single: boolean;
}

const verdicts = new WeakMap<Db, Map<string, Verdict>>();

/**
 * Whether every item holds at most one value of `attr`, remembered until the database next
 * changes (this connection's change counter, or data_version for other connections).
 */
function singleValued(db: Db, t: ItemTables, domainId: number, attr: string): boolean {
  const stamp = `${first<number>(db, new Sql().add('SELECT total_changes()'))}/${first<number>(db, new Sql().add('PRAGMA data_version'))}`;
  let cache = verdicts.get(db);
  if (!cache) verdicts.set(db, (cache = new Map()));
  const key = `${t.attrs}\u0000${domainId}\u0000${attr}`;
  const known = cache.get(key);
  if (known?.stamp === stamp) return known.single;
  if (cache.size >= MAX_STATEMENTS) cache.clear();
  const single =
    first<number>(
      db,
      new Sql().add(`SELECT count(*) = count(DISTINCT item_id) FROM ${t.attrs} WHERE domain_id = ? AND name = ?`, domainId, attr),
    ) === 1;
  cache.set(key, { stamp, single });
  return single;
}

/** An item's pairs, all (`names` empty) or those named; name then value order. */
export function pairsOf(db: Db, t: ItemTables, itemId: number, names: readonly string[]): StoredPair[] {
  const sql = new Sql().add(`SELECT name, value FROM ${t.attrs} WHERE item_id = ?`, itemId);
  if (names.length > 0) sql.add(' AND name IN (SELECT value FROM json_each(?))', JSON.stringify(names));
  return all<StoredPair>(db, sql.add(' ORDER BY name, value'));
}
