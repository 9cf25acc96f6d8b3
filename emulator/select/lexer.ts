import { errors, type SdbError } from '../core/errors.js';

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'eof';

/**
 * `word` is a bare identifier or keyword (the parser decides, case-insensitively); `quoted` is a
 * backticked identifier, which is never a keyword; `text` holds the unquoted content.
 */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
}

const PUNCT_2 = new Set(['!=', '<=', '>=']);
const PUNCT_1 = new Set(['(', ')', ',', '*', '=', '<', '>']);

const isWordStart = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 36; /* $ */
const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordPart = (c: number) => isWordStart(c) || isDigit(c);
/** The spec allows spaces, tabs and newlines between tokens; anything else is an error. */
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Linear in the input, no regular expressions: a hostile expression cannot make it slow. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isWordStart(c)) {
      while (i < src.length && isWordPart(src.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', text: src.slice(start, i), pos: start });
    } else if (isDigit(c) || (c === 45 /* - */ && isDigit(src.charCodeAt(i + 1)))) {
      // A sign is lexed only so that `limit -5` reports the MaxNumberOfItems range error.
      i++;
      while (i < src.length && isDigit(src.charCodeAt(i))) i++;
      if (i < src.length && isWordPart(src.charCodeAt(i))) throw syntaxError(start);
      tokens.push({ kind: 'number', text: src.slice(start, i), pos: start });
    } else if (c === 39 || c === 34 || c === 96) {
      const [text, end] = readQuoted(src, i, src[i] as string);
      if (c === 96 && text === '') throw syntaxError(start);
      tokens.push({ kind: c === 96 ? 'quoted' : 'string', text, pos: start });
      i = end;
    } else {
      const two = src.slice(i, i + 2);
      if (PUNCT_2.has(two)) {
        tokens.push({ kind: 'punct', text: two, pos: start });
        i += 2;
      } else if (PUNCT_1.has(src[i] as string)) {
        tokens.push({ kind: 'punct', text: src[i] as string, pos: start });
        i++;
      } else {
        throw syntaxError(start);
      }
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: src.length });
  return tokens;
}

/** InvalidQueryExpression, remembering where (for the console; the service does not say). */
function syntaxError(position: number): SdbError {
  const err = errors.invalidQueryExpression();
  err.position = position;
  return err;
}

/** Content between `quote` delimiters where a doubled delimiter stands for one. */
function readQuoted(src: string, open: number, quote: string): [string, number] {
  let out = '';
  let i = open + 1;
  for (;;) {
    const close = src.indexOf(quote, i);
    if (close < 0) throw syntaxError(open);
    out += src.slice(i, close);
    if (src[close + 1] === quote) {
      out += quote;
      i = close + 2;
    } else {
      return [out, close + 1];
    }
  }
}
