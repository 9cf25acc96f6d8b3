import type { Comparison, Expr, Test, ValueTest } from './ast.js';
import { planLike, type LikePlan } from './like.js';
import { compareUtf8 } from '../protocol/order.js';

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

/** Name of the attribute the JS `like` fallback is registered under (see execute.ts). */
export const LIKE_FUNCTION = 'sdb_like';

/**
 * The attribute that every comparison of `e` names, when `e` is an and/or/not tree of value
 * comparisons on one plain attribute (no every(), no is null, no intersection). Such a tree is
 * evaluated against each single value of the attribute (Developer Guide, "Comparison Operators").
 */
export function groupAttribute(e: Expr): string | null {
  switch (e.kind) {
    case 'cmp':
      return e.subject.kind === 'attr' && e.test.kind !== 'isNull' ? e.subject.name : null;
    case 'not':
      return groupAttribute(e.item);
    case 'intersection':
      return null;
    default: {
      const first = groupAttribute(e.items[0] as Expr);
      return first !== null && e.items.every((x) => groupAttribute(x) === first) ? first : null;
    }
  }
}

/** True over the alias `i` (items: id, name) when the item satisfies `e`. */
export function itemPredicate(e: Expr, sql = new Sql()): Sql {
  const group = groupAttribute(e);
  if (group !== null) {
    sql.add('EXISTS (SELECT 1 FROM attrs x WHERE x.item_id = i.id AND x.name = ? AND ', group);
    return valuePredicate(e, 'x.value', sql).add(')');
  }
  switch (e.kind) {
    case 'cmp':
      return comparisonPredicate(e, sql);
    case 'not':
      return itemPredicate(e.item, sql.add('NOT (')).add(')');
    default:
      return junction(e.items, e.kind === 'or' ? ' OR ' : ' AND ', (x) => itemPredicate(x, sql), sql);
  }
}

function comparisonPredicate(c: Comparison, sql: Sql): Sql {
  const { subject, test } = c;
  if (subject.kind === 'itemName') {
    if (test.kind === 'isNull') return sql.add(test.negated ? '1' : '0');
    return testPredicate(test, 'i.name', sql);
  }
  const has = 'EXISTS (SELECT 1 FROM attrs x WHERE x.item_id = i.id AND x.name = ?';
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

/** Parts of the expression that must all hold, splitting and/intersection but no group. */
export function conjuncts(e: Expr): Expr[] {
  if (groupAttribute(e) === null && (e.kind === 'and' || e.kind === 'intersection')) return e.items.flatMap(conjuncts);
  return [e];
}

export function drivers(where: Expr, domainId: number): Driver[] {
  const out: Driver[] = [];
  for (const c of conjuncts(where)) {
    const group = groupAttribute(c);
    if (group !== null) {
      out.push({ rank: rank(c), exact: true, sql: attrDriver(domainId, group).add(' AND ').append(valuePredicate(c, 'x.value')) });
    } else if (itemNameOnly(c)) {
      const sql = new Sql().add('SELECT i.id FROM items i WHERE i.domain_id = ? AND ', domainId);
      out.push({ rank: rank(c), exact: true, sql: itemPredicate(c, sql) });
    } else if (c.kind === 'cmp' && c.subject.kind !== 'itemName') {
      if (c.test.kind === 'isNull') {
        if (c.test.negated) out.push({ rank: 3, exact: true, sql: attrDriver(domainId, c.subject.name) });
      } else {
        // every(a) <test>: all values pass, so in particular one does.
        const sql = testPredicate(c.test, 'x.value', attrDriver(domainId, c.subject.name).add(' AND '));
        out.push({ rank: testRank(c.test), exact: false, sql });
      }
    }
  }
  return out.sort((a, b) => a.rank - b.rank);
}

function attrDriver(domainId: number, name: string): Sql {
  return new Sql().add('SELECT x.item_id FROM attrs x WHERE x.domain_id = ? AND x.name = ?', domainId, name);
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

/** Inclusive bounds (null: unbounded) on the values that can satisfy a value expression. */
export interface Bounds {
  readonly lo: string | null;
  readonly hi: string | null;
}

const OPEN: Bounds = { lo: null, hi: null };

export function valueBounds(e: Expr): Bounds {
  if (e.kind === 'not') return OPEN;
  if (e.kind === 'cmp') return e.test.kind === 'isNull' ? OPEN : testBounds(e.test);
  const all = e.items.map(valueBounds);
  if (e.kind === 'or') {
    return {
      lo: all.some((b) => b.lo === null) ? null : all.map((b) => b.lo as string).reduce(minUtf8),
      hi: all.some((b) => b.hi === null) ? null : all.map((b) => b.hi as string).reduce(maxUtf8),
    };
  }
  return {
    lo: all.map((b) => b.lo).reduce((a, b) => (a === null ? b : b === null ? a : maxUtf8(a, b))),
    hi: all.map((b) => b.hi).reduce((a, b) => (a === null ? b : b === null ? a : minUtf8(a, b))),
  };
}

function testBounds(t: Test): Bounds {
  switch (t.kind) {
    case 'compare':
      if (t.op === '=') return { lo: t.value, hi: t.value };
      if (t.op === '>' || t.op === '>=') return { lo: t.value, hi: null };
      if (t.op === '<' || t.op === '<=') return { lo: null, hi: t.value };
      return OPEN;
    case 'between':
      return t.negated ? OPEN : { lo: t.low, hi: t.high };
    case 'in':
      return t.negated ? OPEN : { lo: t.values.reduce(minUtf8), hi: t.values.reduce(maxUtf8) };
    case 'like': {
      if (t.negated) return OPEN;
      const plan = planLike(t.pattern);
      if (plan.kind === 'equal') return { lo: plan.value, hi: plan.value };
      if (plan.kind === 'any' || plan.prefix === '') return OPEN;
      return { lo: plan.prefix, hi: plan.upper };
    }
    case 'isNull':
      return OPEN;
  }
}

const minUtf8 = (a: string, b: string) => (compareUtf8(a, b) <= 0 ? a : b);
const maxUtf8 = (a: string, b: string) => (compareUtf8(a, b) >= 0 ? a : b);

/**
 * Bounds every item's values of `attr` must reach for the item to match: for each top-level
 * conjunct on `attr`, some value lies within that conjunct's bounds.
 */
export function sortBounds(where: Expr, attr: string): Bounds[] {
  const out: Bounds[] = [];
  for (const c of conjuncts(where)) {
    if (groupAttribute(c) === attr) out.push(valueBounds(c));
    else if (c.kind === 'cmp' && c.subject.kind === 'every' && c.subject.name === attr) out.push(valueBounds(c));
  }
  return out;
}
