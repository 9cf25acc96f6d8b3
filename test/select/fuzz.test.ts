/**
 * Parser and executor fuzzing: random and mutated expressions must end in a result or a
 * SimpleDB error of the Select family — never another exception, a hang or a stack overflow.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { SdbError } from '../../emulator/core/errors.js';
import { Fixture } from './support.js';
import { exprArb, printQuery, styleFrom } from './reference.js';

const ALLOWED = new Set([
  'InvalidQueryExpression',
  'TooManyRequestedAttributes',
  'InvalidNumberPredicates',
  'InvalidNumberValueTests',
  'InvalidSortExpression',
  'InvalidParameterValue',
  'NoSuchDomain',
  'InvalidNextToken',
]);

const f = new Fixture().put({
  a: { a: ['1', '2'], b: ['x'] },
  b: { a: ['3'], 'x-y': ['%'] },
  c: { order: ['\u0000'], b: ['😀'] },
});
afterAll(() => f.close());

function attempt(expression: string, token?: string): string {
  const started = performance.now();
  try {
    f.raw(token === undefined ? [['SelectExpression', expression]] : [['SelectExpression', expression], ['NextToken', token]]);
    return 'OK';
  } catch (e) {
    if (!(e instanceof SdbError)) throw e;
    expect(ALLOWED, `${e.code} for ${JSON.stringify(expression)}`).toContain(e.code);
    return e.code;
  } finally {
    expect(performance.now() - started).toBeLessThan(2000);
  }
}

const PIECES = [
  'select', 'SELECT', 'from', 'where', 'and', 'or', 'not', 'like', 'between', 'in', 'is', 'null', 'every', 'intersection',
  'order', 'by', 'asc', 'desc', 'limit', 'itemName()', 'itemName', 'count(*)', 'count', '*', '(', ')', ',', '=', '!=', '<',
  '<=', '>', '>=', "'", '"', '`', "'x'", '"y"', '`a`', 'a', 'b', 'd', '`d`', '1', '-1', '2500', '2501', '99999999999999999999',
  '%', '\\', ' ', '\t', '\n', '😀', '\u0000', '$', '_', '.', '-', ';', '--', '/*',
];

const soupArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join(' '));
const charSoupArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((p) => p.join(''));

const validArb = fc
  .record({ where: fc.option(exprArb, { nil: null }), seed: fc.integer(), limit: fc.option(fc.integer({ min: -5, max: 3000 }), { nil: null }) })
  .map(({ where, seed, limit }) => printQuery({ output: '*', where, order: null, limit }, 'd', styleFrom(seed)));

/** Character-level damage to a well-formed expression. */
const mutatedArb = fc
  .tuple(validArb, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 4 }))
  .map(([text, edits]) => {
    let s = text;
    for (const [at, kind, piece] of edits) {
      const i = s.length === 0 ? 0 : at % s.length;
      if (kind === 0) s = s.slice(0, i) + s.slice(i + 1);
      else if (kind === 1) s = s.slice(0, i) + piece + s.slice(i);
      else if (kind === 2) s = s.slice(0, i) + piece + s.slice(i + 1);
      else s = s.slice(i) + s.slice(0, i);
    }
    return s;
  });

describe('fuzz', () => {
  test('token soup', () => {
    fc.assert(fc.property(soupArb, (s) => void attempt(s)), { numRuns: 1500 });
    fc.assert(fc.property(charSoupArb, (s) => void attempt(s)), { numRuns: 1500 });
  });

  test('arbitrary unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => void attempt(s)), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => void attempt(`select * from d where ${s}`)), {
      numRuns: 1000,
    });
  });

  test('mutated valid queries', () => {
    const codes = new Map<string, number>();
    fc.assert(
      fc.property(mutatedArb, (s) => {
        const code = attempt(s);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      { numRuns: 2000 },
    );
    // The mutations reach both acceptance and several distinct errors.
    expect(codes.get('OK')).toBeGreaterThan(0);
    expect(codes.get('InvalidQueryExpression')).toBeGreaterThan(0);
  });

  test('random NextTokens', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => void attempt('select * from d limit 1', t)), { numRuns: 500 });
    fc.assert(fc.property(fc.base64String({ maxLength: 300 }), (t) => void attempt('select * from d limit 1', t)), { numRuns: 500 });
  });

  test('hostile sizes stay fast and answer a Select error', () => {
    expect(attempt(`select * from d where a = '${"''".repeat(200_000)}'`)).toBe('OK');
    expect(attempt(`select * from d where ${'('.repeat(100_000)}`)).toBe('InvalidQueryExpression');
    expect(attempt(`select * from d where a in (${"'x',".repeat(100_000)}'y')`)).toBe('InvalidNumberValueTests');
    expect(attempt(`select ${Array.from({ length: 100_000 }, (_, k) => `n${k}`).join(',')} from d`)).toBe('TooManyRequestedAttributes');
    expect(attempt(`select * from d where a like '${'%'.repeat(50_000)}x${'%'.repeat(50_000)}'`)).toBe('OK');
    expect(attempt(`select * from d where a like '${'%a'.repeat(5_000)}'`)).toBe('OK');
    expect(attempt(`select * from d limit ${'9'.repeat(10_000)}`)).toBe('InvalidParameterValue');
  });
});
