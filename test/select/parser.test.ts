import { describe, expect, test } from 'vitest';
import { SdbError } from '../../emulator/core/errors.js';
import { tokenize } from '../../emulator/select/lexer.js';
import { MAX_NESTING, parseSelect } from '../../emulator/select/parser.js';
import { canonicalScope } from '../../emulator/select/print.js';

const invalid = (src: string) => {
  try {
    parseSelect(src);
  } catch (e) {
    return e instanceof SdbError ? e.code : 'crash';
  }
  return 'OK';
};

describe('lexer', () => {
  test('tokens carry their offsets', () => {
    expect(tokenize("select `a``b` from d where x >= 'it''s'")).toEqual([
      { kind: 'word', text: 'select', pos: 0 },
      { kind: 'quoted', text: 'a`b', pos: 7 },
      { kind: 'word', text: 'from', pos: 14 },
      { kind: 'word', text: 'd', pos: 19 },
      { kind: 'word', text: 'where', pos: 21 },
      { kind: 'word', text: 'x', pos: 27 },
      { kind: 'punct', text: '>=', pos: 29 },
      { kind: 'string', text: "it's", pos: 32 },
      { kind: 'eof', text: '', pos: 39 },
    ]);
  });

  test('double-quoted strings double their delimiter; no backslash escapes', () => {
    expect(tokenize('"He said ""hi"" \\n"')[0]).toEqual({ kind: 'string', text: 'He said "hi" \\n', pos: 0 });
  });

  test.each(["'open", '`open', '``', 'a # b', '12ab', 'a\fb', 'a\u00a0b'])('%j is not valid', (src) => {
    expect(() => tokenize(src)).toThrowError(SdbError);
  });
});

describe('parser', () => {
  test('keywords in any case, names as written', () => {
    const q = parseSelect("SeLeCt * FROM `my-domain` WhErE Title = 'x' OrDeR bY Title DESC LiMiT 5");
    expect(q).toMatchObject({
      output: { kind: 'all' },
      domain: 'my-domain',
      where: { kind: 'cmp', subject: { kind: 'attr', name: 'Title' }, test: { kind: 'compare', op: '=', value: 'x' }, pos: 32 },
      order: { key: { kind: 'attr', name: 'Title' }, desc: true },
      limit: { text: '5' },
    });
  });

  test('output forms', () => {
    expect(parseSelect('select itemName( ) from d').output).toEqual({ kind: 'itemName' });
    expect(parseSelect('select COUNT( * ) from d').output).toEqual({ kind: 'count' });
    expect(parseSelect('select a, `b c`, itemName from d').output).toEqual({ kind: 'attrs', names: ['a', 'b c', 'itemName'] });
  });

  test('precedence: not > and > or > intersection', () => {
    const q = parseSelect("select * from d where not a = '1' and b = '2' or c = '3' intersection d = '4'");
    expect(canonicalScope(q)).toBe(
      "from `d` where (((not (`a` = '1') and `b` = '2') or `c` = '3') intersection `d` = '4') order ",
    );
  });

  test('parentheses override precedence', () => {
    const q = parseSelect("select * from d where a = '1' and (b = '2' or c = '3')");
    expect(q.where).toMatchObject({ kind: 'and', items: [{ kind: 'cmp' }, { kind: 'or' }] });
  });

  test('every(), itemName() and all comparison forms parse', () => {
    const q = parseSelect(
      "select * from d where every(a) = '1' and itemName() like 'x%' and b not like 'y' and c between '1' and '2' and c not between '3' and '4' and e in ('1') and e not in ('2', '3') and f is null and g is not null",
    );
    expect(canonicalScope(q)).toContain("every(`a`) = '1'");
    expect(canonicalScope(q)).toContain('itemName() like');
    expect(canonicalScope(q)).toContain("`c` not between '3' and '4'");
    expect(canonicalScope(q)).toContain("`e` not in ('2', '3')");
    expect(canonicalScope(q)).toContain('`g` is not null');
  });

  test('the canonical form ignores keyword case, quoting style and redundant parentheses', () => {
    const a = parseSelect(`SELECT * FROM d WHERE ((a = "x""y")) ORDER BY a LIMIT 3`);
    const b = parseSelect(`select itemName() from \`d\` where \`a\` = 'x"y' order by a asc`);
    expect(canonicalScope(a)).toBe(canonicalScope(b));
  });

  test.each([
    ['bare number as value', "select * from d where a = 1"],
    ['SQL not-equal spelling', "select * from d where a <> '1'"],
    ['unquoted dashed domain', 'select * from my-domain'],
    ['reserved word as name', 'select * from d where order = \'1\''],
    ['reserved domain', 'select * from select'],
    ['missing from', 'select *'],
    ['trailing garbage', "select * from d where a = '1' b"],
    ['unknown function', "select * from d where upper(a) = '1'"],
    ['non-numeric limit', "select * from d limit '10'"],
    ['limit word', 'select * from d limit ten'],
    ['clause order', "select * from d limit 5 where a = '1'"],
    ['mixed output', 'select itemName(), a from d'],
    ['empty in', "select * from d where a in ()"],
    ['dangling and', "select * from d where a = '1' and"],
    ['not before operator', "select * from d where a not = '1'"],
    ['is without null', "select * from d where a is '1'"],
    ['empty expression', ''],
    ['lowercase keyword typo', 'selec * from d'],
    ['order without by', 'select * from d where a = \'1\' order a'],
    ['count of a column', 'select count(a) from d'],
    ['unclosed paren', "select * from d where (a = '1'"],
  ])('%s → InvalidQueryExpression', (_, src) => {
    expect(invalid(src)).toBe('InvalidQueryExpression');
  });

  test('backticks make reserved words and odd names usable', () => {
    expect(invalid("select `select`, `a.b` from `my.domain-1` where `order` = '1' order by `order`")).toBe('OK');
  });

  test(`nesting is capped at ${MAX_NESTING} levels without exhausting the stack`, () => {
    const ok = `select * from d where ${'('.repeat(MAX_NESTING)}a = '1'${')'.repeat(MAX_NESTING)}`;
    expect(invalid(ok)).toBe('OK');
    expect(invalid(`select * from d where ${'('.repeat(MAX_NESTING + 1)}a = '1'${')'.repeat(MAX_NESTING + 1)}`)).toBe('InvalidQueryExpression');
    expect(invalid(`select * from d where ${'('.repeat(200_000)}`)).toBe('InvalidQueryExpression');
    expect(invalid(`select * from d where ${'not '.repeat(200_000)} a = '1'`)).toBe('InvalidQueryExpression');
  });

  test('long flat expressions parse iteratively (the limits are checked later)', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `a = '${i}'`).join(' or ');
    expect(invalid(`select * from d where ${many}`)).toBe('OK');
  });
});
