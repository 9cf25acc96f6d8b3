import type { Expr, Order, SelectQuery, Subject, Test } from './ast.js';

/**
 * One canonical spelling per meaning of the parts a NextToken is bound to: keywords in lower
 * case, every name backticked, every string single-quoted, explicit parentheses. Two
 * expressions that differ only in case of keywords, quoting style or redundant parentheses
 * print the same.
 */
export function canonicalScope(q: SelectQuery): string {
  return `from ${ident(q.domain)} where ${q.where ? expr(q.where) : ''} order ${q.order ? order(q.order) : ''}`;
}

const ident = (s: string) => '`' + s.replaceAll('`', '``') + '`';
const str = (s: string) => "'" + s.replaceAll("'", "''") + "'";

function subject(s: Subject): string {
  if (s.kind === 'itemName') return 'itemName()';
  return s.kind === 'every' ? `every(${ident(s.name)})` : ident(s.name);
}

function test(t: Test): string {
  const not = 'negated' in t && t.negated ? 'not ' : '';
  switch (t.kind) {
    case 'compare':
      return `${t.op} ${str(t.value)}`;
    case 'like':
      return `${not}like ${str(t.pattern)}`;
    case 'between':
      return `${not}between ${str(t.low)} and ${str(t.high)}`;
    case 'in':
      return `${not}in (${t.values.map(str).join(', ')})`;
    case 'isNull':
      return `is ${not}null`;
  }
}

function expr(e: Expr): string {
  if (e.kind === 'cmp') return `${subject(e.subject)} ${test(e.test)}`;
  if (e.kind === 'not') return `not (${expr(e.item)})`;
  return '(' + e.items.map(expr).join(` ${e.kind} `) + ')';
}

function order(o: Order): string {
  return `${o.key.kind === 'itemName' ? 'itemName()' : ident(o.key.name)} ${o.desc ? 'desc' : 'asc'}`;
}
