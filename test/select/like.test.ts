import { describe, expect, test } from 'vitest';
import { likeParts, matchParts, planLike, successor } from '../../emulator/select/like.js';
import { compareUtf8 } from '../../emulator/core/order.js';

describe('like patterns', () => {
  test('escapes: \\% and \\\\ only', () => {
    expect(likeParts('a\\%b%c\\\\d\\x')).toEqual(['a%b', 'c\\d\\x']);
  });
  test('plans', () => {
    expect(planLike('abc')).toEqual({ kind: 'equal', value: 'abc' });
    expect(planLike('%%')).toEqual({ kind: 'any' });
    expect(planLike('ab%')).toMatchObject({ kind: 'pattern', prefix: 'ab', upper: 'ac', match: 'prefix' });
    expect(planLike('a*%%b?[')).toMatchObject({ prefix: 'a*', match: 'glob', glob: 'a[*]*b[?][[]' });
    expect(planLike('%a%b%c%d%e%f%g%h%i%')).toMatchObject({ prefix: '', upper: null, match: 'function' });
  });
  test('successor is the exclusive upper bound of a prefix in UTF-8 order', () => {
    expect(successor('a')).toBe('b');
    expect(successor('\uD7FF')).toBe('\uE000');
    expect(successor('a\u{10FFFF}')).toBe('b');
    expect(successor('\u{10FFFF}')).toBeNull();
    expect(successor('x\uFFFF')).toBe('x\u{10000}');
    expect(compareUtf8('x\uFFFF', 'x\u{10000}')).toBeLessThan(0);
  });
  test('the JS matcher', () => {
    expect(matchParts(['a', 'b'], 'a\u0000b')).toBe(true);
    expect(matchParts(['ab', 'ba'], 'aba')).toBe(false);
    expect(matchParts(['', 'x', ''], 'yxy')).toBe(true);
    expect(matchParts(['', 'x', 'x', ''], 'x')).toBe(false);
  });
});
