/**
 * An independent model of the Select semantics (Developer Guide, "Using Select to Create Amazon SimpleDB Queries"), written for clarity
 * rather than speed, plus random query generation and printing for the differential tests.
 */
import fc from 'fast-check';
import type { Data } from './support.js';

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type Subj = { k: 'attr'; name: string } | { k: 'every'; name: string } | { k: 'itemName' };
export type TestNode =
  | { k: 'op'; op: Op; v: string }
  | { k: 'like'; not: boolean; p: string }
  | { k: 'between'; not: boolean; lo: string; hi: string }
  | { k: 'in'; not: boolean; vs: string[] }
  | { k: 'null'; not: boolean };
export type Node =
  | { k: 'cmp'; s: Subj; t: TestNode }
  | { k: 'not'; e: Node }
  | { k: 'and' | 'or' | 'intersection'; es: Node[] };
export interface Query {
  output: '*' | 'itemName()' | 'count(*)' | string[];
  where: Node | null;
  order: { key: string | null; desc: boolean } | null;
  limit: number | null;
}

const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function likeRegex(p: string): RegExp {
  let src = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && (p[i + 1] === '%' || p[i + 1] === '\\')) src += escapeRe(p[++i]!);
    else if (c === '%') src += '[\\s\\S]*';
    else src += escapeRe(c);
  }
  return new RegExp(`^${src}$`);
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

function testValue(t: TestNode, v: string): boolean {
  switch (t.k) {
    case 'op': {
      const c = bytes(v, t.v);
      return { '=': c === 0, '!=': c !== 0, '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0 }[t.op];
    }
    case 'like':
      return likeRegex(t.p).test(v) !== t.not;
    case 'between':
      return (bytes(v, t.lo) >= 0 && bytes(v, t.hi) <= 0) !== t.not;
    case 'in':
      return t.vs.includes(v) !== t.not;
    case 'null':
      throw new Error('is null has no per-value meaning');
  }
}

/** The one plain attribute every comparison of an and/or/not tree names, if any. */
function group(e: Node): string | null {
  if (e.k === 'cmp') return e.s.k === 'attr' && e.t.k !== 'null' ? e.s.name : null;
  if (e.k === 'not') return group(e.e);
  if (e.k === 'intersection') return null;
  const names = e.es.map(group);
  return names.every((n) => n !== null && n === names[0]) ? names[0]! : null;
}

function perValue(e: Node, v: string): boolean {
  if (e.k === 'cmp') return testValue(e.t, v);
  if (e.k === 'not') return !perValue(e.e, v);
  return e.k === 'or' ? e.es.some((x) => perValue(x, v)) : e.es.every((x) => perValue(x, v));
}

export function matches(e: Node, name: string, attrs: Record<string, string[]>): boolean {
  const g = group(e);
  if (g !== null) return (attrs[g] ?? []).some((v) => perValue(e, v));
  switch (e.k) {
    case 'cmp': {
      if (e.s.k === 'itemName') return e.t.k === 'null' ? e.t.not : testValue(e.t, name);
      const vals = attrs[e.s.name] ?? [];
      if (e.t.k === 'null') return e.t.not ? vals.length > 0 : vals.length === 0;
      const t = e.t;
      return vals.length > 0 && vals.every((v) => testValue(t, v));
    }
    case 'not':
      return !matches(e.e, name, attrs);
    case 'or':
      return e.es.some((x) => matches(x, name, attrs));
    default:
      return e.es.every((x) => matches(x, name, attrs));
  }
}

/** Item names in result order. */
export function evaluate(q: Query, data: Data): string[] {
  const hits = Object.entries(data).filter(([n, a]) => q.where === null || matches(q.where, n, a));
  const order = q.order;
  if (order === null || order.key === null) {
    const names = hits.map(([n]) => n).sort(bytes);
    return order?.desc ? names.reverse() : names;
  }
  const key = order.key;
  const keyed = hits
    .filter(([, a]) => (a[key] ?? []).length > 0)
    .map(([n, a]) => {
      const vals = [...a[key]!].sort(bytes);
      return { n, k: order.desc ? vals[vals.length - 1]! : vals[0]! };
    });
  keyed.sort((x, y) => (order.desc ? bytes(y.k, x.k) : bytes(x.k, y.k)) || bytes(x.n, y.n));
  return keyed.map((x) => x.n);
}

// ---- printing -------------------------------------------------------------------------------

const RESERVED = new Set('or and not from where select like null is order by asc desc in between intersection limit every'.split(' '));

export interface Style {
  /** Random choices consumed in order; printing the same query with the same style is stable. */
  pick(n: number): number;
}

export const plainStyle: Style = { pick: () => 0 };

function kw(s: string, st: Style): string {
  const c = st.pick(3);
  return c === 0 ? s : c === 1 ? s.toUpperCase() : s[0]!.toUpperCase() + s.slice(1);
}

export function ident(name: string, st: Style): string {
  const bare = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED.has(name.toLowerCase());
  if (bare && st.pick(2) === 0) return name;
  return '`' + name.replaceAll('`', '``') + '`';
}

export function str(v: string, st: Style): string {
  const q = st.pick(2) === 0 ? "'" : '"';
  return q + v.replaceAll(q, q + q) + q;
}

function sp(st: Style): string {
  return [' ', '  ', '\n', '\t '][st.pick(4)]!;
}

function subj(s: Subj, st: Style): string {
  if (s.k === 'itemName') return kw('itemName', st) + (st.pick(2) ? '()' : '( )');
  if (s.k === 'every') return `${kw('every', st)}(${ident(s.name, st)})`;
  return ident(s.name, st);
}

function test(t: TestNode, st: Style): string {
  const not = 'not' in t && t.not ? kw('not', st) + ' ' : '';
  switch (t.k) {
    case 'op':
      return `${t.op}${sp(st)}${str(t.v, st)}`;
    case 'like':
      return `${not}${kw('like', st)} ${str(t.p, st)}`;
    case 'between':
      return `${not}${kw('between', st)} ${str(t.lo, st)} ${kw('and', st)} ${str(t.hi, st)}`;
    case 'in':
      return `${not}${kw('in', st)}${sp(st)}(${t.vs.map((v) => str(v, st)).join(', ')})`;
    case 'null':
      return `${kw('is', st)} ${t.not ? kw('not', st) + ' ' : ''}${kw('null', st)}`;
  }
}

export function printExpr(e: Node, st: Style): string {
  if (e.k === 'cmp') return `${subj(e.s, st)} ${test(e.t, st)}`;
  if (e.k === 'not') return `${kw('not', st)} (${printExpr(e.e, st)})`;
  return e.es.map((x) => `(${printExpr(x, st)})`).join(`${sp(st)}${kw(e.k, st)}${sp(st)}`);
}

export function printQuery(q: Query, domain: string, st: Style = plainStyle): string {
  const out =
    typeof q.output === 'string'
      ? q.output === '*' || q.output === 'count(*)'
        ? q.output
        : kw('itemName', st) + '()'
      : q.output.map((n) => ident(n, st)).join(', ');
  let s = `${kw('select', st)} ${out} ${kw('from', st)} ${ident(domain, st)}`;
  if (q.where) s += ` ${kw('where', st)} ${printExpr(q.where, st)}`;
  if (q.order) {
    const key = q.order.key === null ? kw('itemName', st) + '()' : ident(q.order.key, st);
    s += ` ${kw('order', st)} ${kw('by', st)} ${key}${q.order.desc ? ' ' + kw('desc', st) : st.pick(2) ? ' ' + kw('asc', st) : ''}`;
  }
  if (q.limit !== null) s += ` ${kw('limit', st)} ${q.limit}`;
  return s;
}

export function styleFrom(seed: number): Style {
  let x = seed >>> 0 || 1;
  return {
    pick(n) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    },
  };
}

// ---- generation -----------------------------------------------------------------------------

/** Few names and tiny values, so that items collide on values and queries hit something. */
export const ATTRS = ['a', 'b', 'c', 'x-y', 'order'];
const VALUE_CHARS = ['0', '1', '2', 'a', 'B', '%', '_', '\\', "'", '"', '`', 'é', '😀', ' ', '\u0000'];

export const valueArb = fc.string({ unit: fc.constantFrom(...VALUE_CHARS), maxLength: 3 });
const patternArb = fc
  .array(fc.oneof(fc.constantFrom('%', '\\%', '\\\\', '\\'), valueArb), { maxLength: 3 })
  .map((parts) => parts.join(''));

const itemNameArb = fc.string({ unit: fc.constantFrom('i', '0', '1', '2', 'Z', 'é', '😀', '-'), minLength: 1, maxLength: 3 });

export function dataArb(singleValued: boolean): fc.Arbitrary<Data> {
  const values = singleValued ? fc.tuple(valueArb).map((v) => v) : fc.uniqueArray(valueArb, { minLength: 1, maxLength: 3 });
  const attrs = fc.dictionary(fc.constantFrom(...ATTRS), values, { minKeys: 1, maxKeys: 4 });
  return fc.dictionary(itemNameArb, attrs, { maxKeys: 30, size: 'large' });
}

const opArb = fc.constantFrom<Op>('=', '!=', '<', '<=', '>', '>=');
const testArb: fc.Arbitrary<TestNode> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('op' as const), op: opArb, v: valueArb }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('like' as const), not: fc.boolean(), p: patternArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('between' as const), not: fc.boolean(), lo: valueArb, hi: valueArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('in' as const), not: fc.boolean(), vs: fc.array(valueArb, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('null' as const), not: fc.boolean() }) },
);
const subjArb: fc.Arbitrary<Subj> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ATTRS).map((name) => ({ k: 'attr' as const, name })) },
  { weight: 1, arbitrary: fc.constantFrom(...ATTRS).map((name) => ({ k: 'every' as const, name })) },
  { weight: 1, arbitrary: fc.constant({ k: 'itemName' as const }) },
);

export const exprArb: fc.Arbitrary<Node> = fc.letrec<{ e: Node }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('cmp' as const), s: subjArb, t: testArb }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('not' as const), e: tie('e') }) },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constantFrom('and' as const, 'or' as const, 'intersection' as const),
        es: fc.array(tie('e'), { minLength: 2, maxLength: 3 }),
      }),
    },
  ),
})).e;

export function countComparisons(e: Node): number {
  if (e.k === 'cmp') return 1;
  if (e.k === 'not') return countComparisons(e.e);
  return e.es.reduce((n, x) => n + countComparisons(x), 0);
}

/** Attributes the sort rule accepts as keys: named by a comparison other than `is null`. */
export function sortable(e: Node | null): string[] {
  if (e === null) return [];
  if (e.k === 'cmp') return e.s.k !== 'itemName' && !(e.t.k === 'null' && !e.t.not) ? [e.s.name] : [];
  if (e.k === 'not') return sortable(e.e);
  return e.es.flatMap(sortable);
}
