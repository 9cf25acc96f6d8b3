/** One test per error Select can answer, their order of precedence, tokens, and page cuts. */
import { afterAll, describe, expect, test } from 'vitest';
import { signToken } from '../../emulator/core/nextToken.js';
import { parseSelect } from '../../emulator/select/parser.js';
import { scopeHash } from '../../emulator/select/token.js';
import { Fixture } from './support.js';

const f = new Fixture().put({ a: { x: ['1'] }, b: { x: ['2'] }, c: { x: ['3'] } });
afterAll(() => f.close());

const preds = (n: number) => Array.from({ length: n }, (_, k) => `x = '${k}'`).join(' or ');
const distinct = (n: number) => Array.from({ length: n }, (_, k) => `a${k} = '1'`).join(' or ');
const names = (n: number) => Array.from({ length: n }, (_, k) => `n${k}`).join(', ');
const values = (n: number) => Array.from({ length: n }, (_, k) => `'${k}'`).join(', ');

describe('each error', () => {
  test('MissingParameter without SelectExpression', () => {
    const e = f.error(undefined);
    expect([e.code, e.status, e.message]).toEqual(['MissingParameter', 400, 'The request must contain the parameter SelectExpression']);
  });
  test('InvalidParameterValue for a ConsistentRead that is not a boolean', () => {
    const e = f.error('select * from d', [['ConsistentRead', 'yes']]);
    expect([e.code, e.message]).toEqual([
      'InvalidParameterValue',
      'Value (yes) for parameter ConsistentRead is invalid. The ConsistentRead flag should be either true or false.',
    ]);
    expect(f.code('select * from d', [['ConsistentRead', 'TRUE']])).toBe('OK');
    expect(f.code('select * from d', [['ConsistentRead', 'false']])).toBe('OK');
  });
  test('InvalidQueryExpression', () => {
    const e = f.error('select * from d where x = 1');
    expect([e.code, e.status, e.message]).toEqual(['InvalidQueryExpression', 400, 'The specified query expression syntax is not valid.']);
  });
  test('TooManyRequestedAttributes above 256 names', () => {
    expect(f.code(`select ${names(256)} from d`)).toBe('OK');
    const e = f.error(`select ${names(257)} from d`);
    expect([e.code, e.message]).toEqual(['TooManyRequestedAttributes', 'Too many attributes requested.']);
  });
  test('InvalidNumberPredicates above 20 comparisons', () => {
    expect(f.code(`select * from d where ${preds(20)}`)).toBe('OK');
    const e = f.error(`select * from d where ${preds(21)}`);
    expect([e.code, e.message]).toEqual(['InvalidNumberPredicates', 'Too many predicates in the query expression.']);
  });
  test('InvalidNumberValueTests above 20 values in one in()', () => {
    expect(f.code(`select * from d where x in (${values(20)})`)).toBe('OK');
    const e = f.error(`select * from d where x in (${values(21)})`);
    expect([e.code, e.message]).toEqual(['InvalidNumberValueTests', 'Too many value tests per predicate in the query expression.']);
  });
  test('20 distinct attributes are accepted; a 21st needs a 21st comparison, refused first', () => {
    expect(f.code(`select * from d where ${distinct(20)}`)).toBe('OK');
    expect(f.code(`select * from d where ${distinct(21)}`)).toBe('InvalidNumberPredicates');
  });
  test('InvalidParameterValue (MaxNumberOfItems) for a limit outside 1..2500', () => {
    const e = f.error('select * from d limit 2501');
    expect([e.code, e.message]).toEqual([
      'InvalidParameterValue',
      'Value (2501) for parameter MaxNumberOfItems is invalid. MaxNumberOfItems must be between 1 and 2500.',
    ]);
    expect(f.error('select * from d limit 0').message).toBe(
      'Value (0) for parameter MaxNumberOfItems is invalid. MaxNumberOfItems must be between 1 and 2500.',
    );
    expect(f.error('select * from d limit -3').message).toContain('Value (-3)');
    expect(f.code('select count(*) from d limit 0')).toBe('InvalidParameterValue');
    expect(f.code('select * from d limit 1')).toBe('OK');
  });
  test('InvalidSortExpression when the sort attribute is unconstrained or only by is null', () => {
    const msg =
      'The sort attribute must be present in at least one of the predicates, and the predicate cannot contain the is null operator.';
    expect(f.error('select * from d order by x').message).toBe(msg);
    expect(f.code("select * from d where y = '1' order by x")).toBe('InvalidSortExpression');
    expect(f.code('select * from d where x is null order by x')).toBe('InvalidSortExpression');
    expect(f.code('select * from d where x is null and y is not null order by y')).toBe('OK');
    expect(f.code("select * from d where every(x) = '1' order by x")).toBe('OK');
    expect(f.code('select * from d order by itemName()')).toBe('OK');
  });
  test('NoSuchDomain', () => {
    const e = f.error('select * from nothere');
    expect([e.code, e.status, e.message]).toEqual(['NoSuchDomain', 400, 'The specified domain does not exist.']);
  });
  test('InvalidNextToken for garbage, tampering, another expression, or another key', () => {
    const good = f.select('select * from d limit 1').nextToken!;
    expect(f.code('select * from d limit 1', [['NextToken', 'not a token!']])).toBe('InvalidNextToken');
    expect(f.code('select * from d limit 1', [['NextToken', 'AAAA']])).toBe('InvalidNextToken');
    const flipped = good.slice(0, 5) + (good[5] === 'A' ? 'B' : 'A') + good.slice(6);
    expect(f.code('select * from d limit 1', [['NextToken', flipped]])).toBe('InvalidNextToken');
    expect(f.code("select * from d where x = '1'", [['NextToken', good]])).toBe('InvalidNextToken');
    expect(f.code('select * from d order by itemName() desc', [['NextToken', good]])).toBe('InvalidNextToken');
    const other = new Fixture();
    other.tokenKey.fill(9);
    expect(other.code('select * from d limit 1', [['NextToken', good]])).toBe('InvalidNextToken');
    other.close();
    expect(f.error('select * from d', [['NextToken', 'x']]).message).toBe('The specified next token is not valid.');
  });
  test('UnsupportedNextToken for an authentic token of another format version', () => {
    const scope = scopeHash(parseSelect('select * from d'));
    const token = signToken({ v: 99, h: scope, k: null, i: 'a' }, f.tokenKey);
    const e = f.error('select * from d', [['NextToken', token]]);
    expect([e.code, e.message]).toEqual([
      'UnsupportedNextToken',
      'The specified next token is no longer supported. Please resubmit your query.',
    ]);
  });
  test('a token is valid across limit, output list, keyword case and quoting', () => {
    const good = f.select('select * from d limit 1').nextToken!;
    expect(f.select('SELECT itemName() FROM `d` LIMIT 5', good).items.map((i) => i.name)).toEqual(['b', 'c']);
    expect(f.select('select count(*) from d', good).items[0]!.attrs).toEqual([['Count', '2']]);
  });
  test('an empty NextToken starts from the beginning', () => {
    expect(f.select('select * from d', '').items).toHaveLength(3);
  });
});

describe('validation order', () => {
  test('MissingParameter before ConsistentRead', () => {
    expect(f.code(undefined, [['ConsistentRead', 'bad']])).toBe('MissingParameter');
  });
  test('ConsistentRead before parsing', () => {
    expect(f.code('garbage', [['ConsistentRead', 'bad']])).toBe('InvalidParameterValue');
  });
  test('parsing before limits, limits before the sort rule', () => {
    expect(f.code(`select ${names(300)} from d where`)).toBe('InvalidQueryExpression');
    expect(f.code(`select ${names(300)} from d where ${preds(30)}`)).toBe('TooManyRequestedAttributes');
    expect(f.code(`select * from d where ${preds(30)} or x in (${values(30)})`)).toBe('InvalidNumberPredicates');
    expect(f.code(`select * from d where y in (${values(30)}) order by x`)).toBe('InvalidNumberValueTests');
    expect(f.code('select * from d order by x limit 5000')).toBe('InvalidParameterValue');
  });
  test('the sort rule before the domain, the domain before the token', () => {
    expect(f.code('select * from nothere order by x', [['NextToken', 'bad']])).toBe('InvalidSortExpression');
    expect(f.code('select * from nothere', [['NextToken', 'bad']])).toBe('NoSuchDomain');
  });
});

describe('page cuts', () => {
  test('a page stops before its items exceed the size cap, with a token to continue', () => {
    // Each item renders as 80 bytes here.
    const g = f.view({ maxResponseBytes: 170 });
    const first = g.select('select * from d');
    expect(first.items.map((i) => i.name)).toEqual(['a', 'b']);
    expect(first.nextToken).toBeDefined();
    const rest = g.select('select * from d', first.nextToken);
    expect(rest.items.map((i) => i.name)).toEqual(['c']);
    expect(rest.nextToken).toBeUndefined();
  });
  test('a page always holds at least one item, however large', () => {
    const g = f.view({ maxResponseBytes: 1 });
    expect(g.all('select * from d').map((i) => i.name)).toEqual(['a', 'b', 'c']);
  });
  test('a page that runs past the deadline ends early with a token, possibly empty', () => {
    let now = 0;
    // Each clock reading advances 10 ms; the deadline is 15 ms after the start.
    const g = f.view({ timeoutMs: 15, clock: () => (now += 10), tuning: { candidateCap: 0, firstChunk: 1, maxChunk: 1 } });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = g.select("select * from d where x > '0'", token);
      seen.push(...page.items.map((i) => i.name));
      token = page.nextToken;
      pages++;
    } while (token !== undefined);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(pages).toBeGreaterThan(1);

    const sorted: string[] = [];
    token = undefined;
    do {
      const page = g.select("select * from d where x > '0' order by x desc", token);
      sorted.push(...page.items.map((i) => i.name));
      token = page.nextToken;
    } while (token !== undefined);
    expect(sorted).toEqual(['c', 'b', 'a']);

    let total = 0;
    token = undefined;
    do {
      const page = g.select("select count(*) from d where x > '0'", token);
      total += Number(page.items[0]!.attrs[0]![1]);
      token = page.nextToken;
    } while (token !== undefined);
    expect(total).toBe(3);
  });
  test('BoxUsage grows with the items scanned', () => {
    const small = f.select("select * from d where x = '1'").boxUsage;
    const large = f.select('select * from d').boxUsage;
    expect(small).toBeGreaterThanOrEqual(0.0000137200);
    expect(large).toBeGreaterThan(small);
  });
});
