import type { Comparison, Expr, ValueTest } from '../select/ast.js';
import { planLike, type LikePlan } from '../select/like.js';
import { conjuncts, groupAttribute } from '../select/shape.js';
import type { ItemTables } from './schema.js';

export type SqlParam = string | number;

/**
 * SQL text assembled only from the fixed fragments below, chosen by the shape of the AST;
 * every name and literal travels as a bound parameter.
 */
export class Sql {
  text = '';
  readonly params: SqlParam[] = [];

  add(fragment: string, ...params: SqlParam[]): this {
    this.text += fragment;
    this.params.push(...params);
    return this;
  }

  append(other: Sql): this {
    return this.add(other.text, ...other.params);
  }
}

/** Column expressions the predicates are written over; never derived from input. */
export type ValueColumn = 'x.value' | 'i.name';

const SQL_OP = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

/** Name of the SQL function the JS `like` fallback is registered under (see selectRun.ts). */
export const LIKE_FUNCTION = 'sdb_like';

/** True over the alias `i` (a row of `t.items`) when the item satisfies `e`. */
export function itemPredicate(e: Expr, t: ItemTables, sql = new Sql()): Sql {
  const group = groupAttribute(e);
  if (group !== null) {
    sql.add(`EXISTS (SELECT 1 FROM ${t.attrs} x WHERE x.item_id = i.id AND x.name = ? AND `, group);
    return valuePredicate(e, 'x.value', sql).add(')');
  }
  switch (e.kind) {
    case 'cmp':
      return comparisonPredicate(e, t, sql);
    case 'not':
      return itemPredicate(e.item, t, sql.add('NOT (')).add(')');
    default:
      return junction(e.items, e.kind === 'or' ? ' OR ' : ' AND ', (x) => itemPredicate(x, t, sql), sql);
  }
}

function comparisonPredicate(c: Comparison, t: ItemTables, sql: Sql): Sql {
  const { subject, test } = c;
  if (subject.kind === 'itemName') {
    if (test.kind === 'isNull') return sql.add(test.negated ? '1' : '0');
    return testPredicate(test, 'i.name', sql);
  }
  const has = `EXISTS (SELECT 1 FROM ${t.attrs} x WHERE x.item_id = i.id AND x.name = ?`;
  if (test.kind === 'isNull') return sql.add(`${test.negated ? '' : 'NOT '}${has})`, subject.name);
  // Reached only for every(): a plain attribute with a value test is a group.
  sql.add(`(${has}) AND NOT ${has} AND NOT (`, subject.name, subject.name);
  return testPredicate(test, 'x.value', sql).add(')))');
}

/** `e` restricted to one value held in `col`. */
export function valuePredicate(e: Expr, col: ValueColumn, sql = new Sql()): Sql {
  switch (e.kind) {
    case 'cmp':
      return testPredicate(e.test as ValueTest, col, sql);
    case 'not':
      return valuePredicate(e.item, col, sql.add('NOT (')).add(')');
    default:
      return junction(e.items, e.kind === 'or' ? ' OR ' : ' AND ', (x) => valuePredicate(x, col, sql), sql);
  }
}

function junction(items: readonly Expr[], op: string, each: (e: Expr) => void, sql: Sql): Sql {
  sql.add('(');
  items.forEach((x, k) => {
    if (k > 0) sql.add(op);
    each(x);
  });
  return sql.add(')');
}

function testPredicate(t: ValueTest, col: ValueColumn, sql: Sql): Sql {
  switch (t.kind) {
    case 'compare':
      return sql.add(`${col} ${SQL_OP[t.op]} ?`, t.value);
    case 'like':
      if (t.negated) return likePredicate(planLike(t.pattern), t.pattern, col, sql.add('NOT (')).add(')');
      return likePredicate(planLike(t.pattern), t.pattern, col, sql);
    case 'between':
      return sql.add(`${t.negated ? 'NOT ' : ''}(${col} BETWEEN ? AND ?)`, t.low, t.high);
    case 'in':
      return sql.add(`${col} ${t.negated ? 'NOT IN' : 'IN'} (${t.values.map(() => '?').join(', ')})`, ...t.values);
  }
}

/**
 * A prefix becomes an index range (SQL LIKE would be case-insensitive and could not use the
 * BINARY index); the rest of the pattern is checked with GLOB, or by the exact JS matcher when
 * GLOB cannot judge (see like.ts; a value holding a NUL character is one such case).
 */
function likePredicate(plan: LikePlan, pattern: string, col: ValueColumn, sql: Sql): Sql {
  if (plan.kind === 'any') return sql.add('1');
  if (plan.kind === 'equal') return sql.add(`${col} = ?`, plan.value);
  const terms: Sql[] = [];
  if (plan.prefix !== '') terms.push(new Sql().add(`${col} >= ?`, plan.prefix));
  if (plan.upper !== null) terms.push(new Sql().add(`${col} < ?`, plan.upper));
  if (plan.match === 'function') {
    terms.push(new Sql().add(`${LIKE_FUNCTION}(?, ${col})`, pattern));
  } else if (plan.match === 'glob') {
    terms.push(
      new Sql().add(
        `CASE WHEN instr(${col}, char(0)) THEN ${LIKE_FUNCTION}(?, ${col}) ELSE ${col} GLOB ? END`,
        pattern,
        plan.glob,
      ),
    );
  }
  sql.add('(');
  terms.forEach((t, k) => sql.add(k > 0 ? ' AND ' : '').append(t));
  return sql.add(')');
}

/**
 * A conjunct of the top-level expression that an index can enumerate: the items it admits
 * are a superset of the result. `rank` orders them from likely-small to likely-large.
 */
export interface Driver {
  readonly rank: number;
  readonly sql: Sql;
  /** Admits exactly the items the conjunct matches (not a superset). */
  readonly exact: boolean;
}

export function drivers(where: Expr, domainId: number, t: ItemTables): Driver[] {
  const out: Driver[] = [];
  for (const c of conjuncts(where)) {
    const group = groupAttribute(c);
    if (group !== null) {
      out.push({ rank: rank(c), exact: true, sql: attrDriver(t, domainId, group).add(' AND ').append(valuePredicate(c, 'x.value')) });
    } else if (itemNameOnly(c)) {
      const sql = new Sql().add(`SELECT i.id FROM ${t.items} i WHERE i.domain_id = ? AND `, domainId);
      out.push({ rank: rank(c), exact: true, sql: itemPredicate(c, t, sql) });
    } else if (c.kind === 'cmp' && c.subject.kind !== 'itemName') {
      if (c.test.kind === 'isNull') {
        if (c.test.negated) out.push({ rank: 3, exact: true, sql: attrDriver(t, domainId, c.subject.name) });
      } else {
        // every(a) <test>: all values pass, so in particular one does.
        const sql = testPredicate(c.test, 'x.value', attrDriver(t, domainId, c.subject.name).add(' AND '));
        out.push({ rank: testRank(c.test), exact: false, sql });
      }
    }
  }
  return out.sort((a, b) => a.rank - b.rank);
}

function attrDriver(t: ItemTables, domainId: number, name: string): Sql {
  return new Sql().add(`SELECT x.item_id FROM ${t.attrs} x WHERE x.domain_id = ? AND x.name = ?`, domainId, name);
}

function itemNameOnly(e: Expr): boolean {
  if (e.kind === 'cmp') return e.subject.kind === 'itemName' && e.test.kind !== 'isNull';
  if (e.kind === 'not') return itemNameOnly(e.item);
  return e.kind !== 'intersection' && e.items.every(itemNameOnly);
}

/** 0 equality, 1 closed range, 2 open range, 3 presence, 4 needs a scan. */
function rank(e: Expr): number {
  if (e.kind === 'cmp') return e.test.kind === 'isNull' ? 4 : testRank(e.test);
  if (e.kind === 'not') return 4;
  const ranks = e.items.map(rank);
  return e.kind === 'and' ? Math.min(...ranks) : Math.max(...ranks);
}

function testRank(t: ValueTest): number {
  if (t.kind === 'compare') return t.op === '=' ? 0 : t.op === '!=' ? 4 : 2;
  if (t.negated) return 4;
  if (t.kind === 'in') return 0;
  if (t.kind === 'between') return 1;
  const plan = planLike(t.pattern);
  if (plan.kind === 'equal') return 0;
  if (plan.kind === 'any') return 3;
  return plan.prefix === '' ? 4 : plan.upper === null ? 2 : 1;
}

