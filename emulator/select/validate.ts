import { errors } from '../core/errors.js';
import type { Comparison, Expr, SelectQuery } from './ast.js';

/** The service's Select limits (Developer Guide, "Amazon SimpleDB Limits" and "Select"). */
export const SELECT_LIMITS = {
  outputAttributes: 256,
  comparisons: 20,
  valuesPerIn: 20,
  defaultPageSize: 100,
  maxPageSize: 2500,
} as const;

/** Every comparison of the expression, left to right. */
export function comparisons(e: Expr | null): Comparison[] {
  const out: Comparison[] = [];
  const visit = (n: Expr): void => {
    if (n.kind === 'cmp') out.push(n);
    else if (n.kind === 'not') visit(n.item);
    else n.items.forEach(visit);
  };
  if (e) visit(e);
  return out;
}

/**
 * Checks that only make sense on a whole parsed expression, in the service's order (limits, then
 * the sort rule; test/select/errors.test.ts). Returns the page size: the items a page may hold,
 * or for count(*) how many items may be counted (unbounded without a limit clause).
 */
export function validate(q: SelectQuery): number {
  if (q.output.kind === 'attrs' && q.output.names.length > SELECT_LIMITS.outputAttributes) {
    throw errors.tooManyRequestedAttributes();
  }
  const cmps = comparisons(q.where);
  if (cmps.length > SELECT_LIMITS.comparisons) throw errors.invalidNumberPredicates();
  if (cmps.some((c) => c.test.kind === 'in' && c.test.values.length > SELECT_LIMITS.valuesPerIn)) {
    throw errors.invalidNumberValueTests();
  }
  // The 20-distinct-attributes limit needs no check of its own: each comparison names one
  // attribute, so a 21st attribute always brings a 21st comparison, refused just above.

  const pageSize = checkLimit(q);

  const key = q.order?.key;
  if (key?.kind === 'attr') {
    const constrained = cmps.some(
      (c) => c.subject.kind !== 'itemName' && c.subject.name === key.name && !(c.test.kind === 'isNull' && !c.test.negated),
    );
    if (!constrained) throw errors.invalidSortExpression();
  }
  return pageSize;
}

function checkLimit(q: SelectQuery): number {
  const counting = q.output.kind === 'count';
  if (!q.limit) return counting ? Infinity : SELECT_LIMITS.defaultPageSize;
  const n = Number(q.limit.text);
  if (n < 1 || (!counting && n > SELECT_LIMITS.maxPageSize)) {
    throw errors.invalidParameterValue(
      'MaxNumberOfItems',
      q.limit.text,
      `MaxNumberOfItems must be between 1 and ${SELECT_LIMITS.maxPageSize}.`,
    );
  }
  return n;
}
