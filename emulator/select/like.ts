/**
 * `like` patterns (Developer Guide, "Comparison Operators"): `%` matches any run of characters, `_` is an ordinary
 * character, `\%` is a literal percent sign and `\\` a literal backslash; any other backslash
 * is itself.
 */
export type LikePlan =
  /** Only `%` signs: every value matches. */
  | { readonly kind: 'any' }
  /** No `%`: plain equality. */
  | { readonly kind: 'equal'; readonly value: string }
  /**
   * Values starting with `prefix` lie in [prefix, upper) in UTF-8 byte order, which the index
   * answers as a range (upper null: no bound). `match` says what else decides: nothing (a pure
   * prefix), SQLite's GLOB with `glob`, or the JS matcher (`matchParts`).
   */
  | {
      readonly kind: 'pattern';
      readonly prefix: string;
      readonly upper: string | null;
      readonly match: 'prefix' | 'glob' | 'function';
      readonly glob: string;
    };

/**
 * GLOB is fast but refuses patterns over 50,000 bytes, stops at NUL characters, and
 * backtracks on many wildcards; beyond these bounds the linear JS matcher decides instead.
 */
const GLOB_MAX_PARTS = 8;
const GLOB_MAX_CHARS = 2048;

/** The literal runs between `%` signs: `a%b%` → ['a', 'b', '']. */
export function likeParts(pattern: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const n = pattern[i + 1];
    if (c === '\\' && (n === '%' || n === '\\')) {
      cur += n;
      i++;
    } else if (c === '%') {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

export function planLike(pattern: string): LikePlan {
  // SQLite stores a lone surrogate as U+FFFD; bounds derived here must agree with that.
  const all = likeParts(pattern.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'));
  if (all.length === 1) return { kind: 'equal', value: all[0] as string };
  // `%%` matches what `%` matches: drop the empty runs between wildcards.
  const parts = all.filter((p, k) => p !== '' || k === 0 || k === all.length - 1);
  const prefix = parts[0] as string;
  const rest = parts.slice(1);
  if (prefix === '' && rest.every((p) => p === '')) return { kind: 'any' };
  const upper = prefix === '' ? null : successor(prefix);
  const glob = parts.map(globLiteral).join('*');
  const match = rest.every((p) => p === '')
    ? 'prefix'
    : parts.length > GLOB_MAX_PARTS || glob.length > GLOB_MAX_CHARS || glob.includes('\u0000')
      ? 'function'
      : 'glob';
  return { kind: 'pattern', prefix, upper, match, glob };
}

/** GLOB's own wildcards written as one-character classes so they match only themselves. */
function globLiteral(s: string): string {
  return s.replace(/[*?[]/g, (c) => `[${c}]`);
}

/**
 * The least string greater than every string that starts with `prefix`: bump the last code
 * point (skipping the surrogate block, which UTF-8 text never holds), dropping trailing
 * U+10FFFF. Code-point order is UTF-8 byte order, so this is the exclusive upper bound.
 */
export function successor(prefix: string): string | null {
  const cps = Array.from(prefix, (ch) => ch.codePointAt(0) as number);
  while (cps.length > 0) {
    const last = cps.pop() as number;
    if (last < 0x10ffff) {
      cps.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...cps);
    }
  }
  return null;
}

/**
 * Exact matcher for values GLOB cannot judge (SQLite's GLOB stops at a NUL character): the
 * value starts with the first run, ends with the last, and holds the others in order between.
 */
export function matchParts(parts: readonly string[], value: string): boolean {
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (parts.length === 1) return value === first;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let k = 1; k < parts.length - 1; k++) {
    const p = parts[k] as string;
    const found = value.indexOf(p, at);
    if (found < 0 || found + p.length > end) return false;
    at = found + p.length;
  }
  return true;
}
