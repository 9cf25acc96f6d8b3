import { errors, SdbError } from '../core/errors.js';
import type { CompareOp, Comparison, Expr, Order, Output, SelectQuery, Subject, Test } from './ast.js';
import { tokenize, type Token } from './lexer.js';

/** Words that name nothing unless backticked (Developer Guide, "Select Quoting Rules"). */
export const RESERVED = new Set([
  'or', 'and', 'not', 'from', 'where', 'select', 'like', 'null', 'is', 'order', 'by', 'asc', 'desc', 'in',
  'between', 'intersection', 'limit', 'every',
]);

/**
 * Parentheses and `not` nest; each level costs stack in the parser and later passes, so a
 * hostile expression of thousands of `(` is refused here rather than overflowing the stack.
 * Twenty comparisons never need more.
 */
export const MAX_NESTING = 64;

const COMPARE_OPS = new Set<string>(['=', '!=', '<', '<=', '>', '>=']);

/** Text → AST, or InvalidQueryExpression. Grammar: Developer Guide, "Using Select to Create Amazon SimpleDB Queries". */
export function parseSelect(src: string): SelectQuery {
  const parser = new Parser(tokenize(src));
  try {
    return parser.select();
  } catch (err) {
    if (err instanceof SdbError) err.position ??= parser.position();
    throw err;
  }
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** The token the parser stopped at (the end of the text when it ran out). */
  position(): number {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]?.pos ?? 0;
  }

  select(): SelectQuery {
    this.keyword('select');
    const output = this.output();
    this.keyword('from');
    const domain = this.identifier();
    let where: Expr | null = null;
    if (this.acceptKeyword('where')) where = this.expr();
    let order: Order | null = null;
    const orderTok = this.peek();
    if (this.acceptKeyword('order')) {
      this.keyword('by');
      const key = this.acceptFunction('itemname') ? { kind: 'itemName' as const } : { kind: 'attr' as const, name: this.identifier() };
      let desc = false;
      if (this.acceptKeyword('desc')) desc = true;
      else this.acceptKeyword('asc');
      order = { key, desc, pos: orderTok.pos };
    }
    let limit: SelectQuery['limit'] = null;
    if (this.acceptKeyword('limit')) {
      const t = this.next();
      if (t.kind !== 'number') throw errors.invalidQueryExpression();
      limit = { text: t.text, pos: t.pos };
    }
    if (this.peek().kind !== 'eof') throw errors.invalidQueryExpression();
    return { output, domain, where, order, limit };
  }

  private output(): Output {
    if (this.acceptPunct('*')) return { kind: 'all' };
    if (this.acceptFunction('itemname')) return { kind: 'itemName' };
    if (this.isWord('count') && this.peek(1).text === '(') {
      this.i += 2;
      this.punct('*');
      this.punct(')');
      return { kind: 'count' };
    }
    const names = [this.identifier()];
    while (this.acceptPunct(',')) names.push(this.identifier());
    return { kind: 'attrs', names };
  }

  private expr(): Expr {
    return this.junction('intersection', () => this.junction('or', () => this.junction('and', () => this.unary())));
  }

  /** `operand { kw operand }`, flattened into one n-ary node. */
  private junction(kw: 'and' | 'or' | 'intersection', operand: () => Expr): Expr {
    const first = operand();
    if (!this.isWord(kw)) return first;
    const items = [first];
    while (this.acceptKeyword(kw)) items.push(operand());
    return { kind: kw, items, pos: first.pos };
  }

  private unary(): Expr {
    const t = this.peek();
    if (this.isWord('not')) {
      this.i++;
      return { kind: 'not', item: this.nested(() => this.unary()), pos: t.pos };
    }
    if (this.acceptPunct('(')) {
      const inner = this.nested(() => this.expr());
      this.punct(')');
      return inner;
    }
    return this.comparison();
  }

  private nested(fn: () => Expr): Expr {
    if (++this.depth > MAX_NESTING) throw errors.invalidQueryExpression();
    const e = fn();
    this.depth--;
    return e;
  }

  private comparison(): Comparison {
    const pos = this.peek().pos;
    const subject = this.subject();
    return { kind: 'cmp', subject, test: this.test(), pos };
  }

  private subject(): Subject {
    if (this.acceptFunction('itemname')) return { kind: 'itemName' };
    if (this.acceptKeyword('every')) {
      this.punct('(');
      const name = this.identifier();
      this.punct(')');
      return { kind: 'every', name };
    }
    return { kind: 'attr', name: this.identifier() };
  }

  private test(): Test {
    const t = this.next();
    if (t.kind === 'punct' && COMPARE_OPS.has(t.text)) {
      return { kind: 'compare', op: t.text as CompareOp, value: this.literal() };
    }
    if (t.kind !== 'word') throw errors.invalidQueryExpression();
    const w = t.text.toLowerCase();
    if (w === 'is') {
      const negated = this.acceptKeyword('not');
      this.keyword('null');
      return { kind: 'isNull', negated };
    }
    const negated = w === 'not';
    const op = negated ? this.next() : t;
    if (op.kind !== 'word') throw errors.invalidQueryExpression();
    switch (op.text.toLowerCase()) {
      case 'like':
        return { kind: 'like', negated, pattern: this.literal() };
      case 'between': {
        const low = this.literal();
        this.keyword('and');
        return { kind: 'between', negated, low, high: this.literal() };
      }
      case 'in': {
        this.punct('(');
        const values = [this.literal()];
        while (this.acceptPunct(',')) values.push(this.literal());
        this.punct(')');
        return { kind: 'in', negated, values };
      }
      default:
        throw errors.invalidQueryExpression();
    }
  }

  private literal(): string {
    const t = this.next();
    if (t.kind !== 'string') throw errors.invalidQueryExpression();
    return t.text;
  }

  private identifier(): string {
    const t = this.next();
    if (t.kind === 'quoted') return t.text;
    if (t.kind === 'word' && !RESERVED.has(t.text.toLowerCase())) return t.text;
    throw errors.invalidQueryExpression();
  }

  /** `name ( )` with any whitespace inside, the name case-insensitive. */
  private acceptFunction(name: string): boolean {
    if (!this.isWord(name) || this.peek(1).text !== '(' || this.peek(1).kind !== 'punct') return false;
    this.i += 2;
    this.punct(')');
    return true;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isWord(lower: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && t.text.toLowerCase() === lower;
  }

  private acceptKeyword(kw: string): boolean {
    if (!this.isWord(kw)) return false;
    this.i++;
    return true;
  }

  private keyword(kw: string): void {
    if (!this.acceptKeyword(kw)) throw errors.invalidQueryExpression();
  }

  private acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== p) return false;
    this.i++;
    return true;
  }

  private punct(p: string): void {
    if (!this.acceptPunct(p)) throw errors.invalidQueryExpression();
  }
}
