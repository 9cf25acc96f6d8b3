/**
 * The parsed Select expression. Every node keeps the offset of its first character in the
 * expression so that diagnostics (tests, logs) can point at it; the service itself only ever
 * answers the generic InvalidQueryExpression text.
 */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Subject =
  | { readonly kind: 'attr'; readonly name: string }
  | { readonly kind: 'itemName' }
  | { readonly kind: 'every'; readonly name: string };

/** What a comparison asks of one value; `negated` is the `not` of `not like`, `is not null`... */
export type Test =
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly value: string }
  | { readonly kind: 'like'; readonly negated: boolean; readonly pattern: string }
  | { readonly kind: 'between'; readonly negated: boolean; readonly low: string; readonly high: string }
  | { readonly kind: 'in'; readonly negated: boolean; readonly values: readonly string[] }
  | { readonly kind: 'isNull'; readonly negated: boolean };

/** A test that applies to a single value, i.e. anything but `is [not] null`. */
export type ValueTest = Exclude<Test, { kind: 'isNull' }>;

export interface Comparison {
  readonly kind: 'cmp';
  readonly subject: Subject;
  readonly test: Test;
  readonly pos: number;
}

export interface Junction {
  readonly kind: 'and' | 'or' | 'intersection';
  readonly items: readonly Expr[];
  readonly pos: number;
}

export interface Negation {
  readonly kind: 'not';
  readonly item: Expr;
  readonly pos: number;
}

export type Expr = Comparison | Junction | Negation;

export type Output =
  | { readonly kind: 'all' }
  | { readonly kind: 'itemName' }
  | { readonly kind: 'count' }
  | { readonly kind: 'attrs'; readonly names: readonly string[] };

export type SortKey = { readonly kind: 'attr'; readonly name: string } | { readonly kind: 'itemName' };

export interface Order {
  readonly key: SortKey;
  readonly desc: boolean;
  readonly pos: number;
}

export interface SelectQuery {
  readonly output: Output;
  readonly domain: string;
  readonly where: Expr | null;
  readonly order: Order | null;
  /** The digits as written (validated later, since a bad range is not a syntax error). */
  readonly limit: { readonly text: string; readonly pos: number } | null;
}
