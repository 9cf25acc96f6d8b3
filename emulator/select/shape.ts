import type { Expr, Test } from './ast.js';
import { planLike } from './like.js';
import { compareUtf8 } from '../core/order.js';

/**
 * What a WHERE clause means, read off its AST: which comparisons are judged per value of one
 * attribute, which parts must all hold, and which values can satisfy them. The store plans its
 * SQL from these facts; they hold whatever the storage.
 */

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

/** Parts of the expression that must all hold, splitting and/intersection but no group. */
export function conjuncts(e: Expr): Expr[] {
  if (groupAttribute(e) === null && (e.kind === 'and' || e.kind === 'intersection')) return e.items.flatMap(conjuncts);
  return [e];
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
