/**
 * The portable data format (docs/data.md): NDJSON, one JSON object per line.
 *
 *   {"domain":"users"}                                          a domain, possibly empty
 *   {"domain":"users","item":"u1","attributes":{"a":["1","2"]}} one item and all its pairs
 *
 * Names and values are exact strings: JSON escapes carry any Unicode, CR, LF and control
 * characters, so a line never breaks inside a value. Each line is checked with the service's own
 * rules (emulator/actions/validate.ts), so a fixture that loads here would also load through the
 * protocol. docs/item.schema.json describes the same shape for editors and other tools.
 */
import { domainName, itemName, attributeName, attributeValue, MAX_PAIRS } from '../actions/validate.js';
import { SdbError } from '../core/errors.js';
import { Params } from '../core/params.js';
import type { StoredPair } from '../store/store.js';

export interface DomainLine {
  kind: 'domain';
  domain: string;
}

export interface ItemLine {
  kind: 'item';
  domain: string;
  item: string;
  /** Distinct pairs: a value repeated within one attribute is one set member. */
  pairs: StoredPair[];
}

export type DataLine = DomainLine | ItemLine;

/** Why a line was refused; the importer adds the line number. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

const ATTRIBUTES = 'an object of attribute name to a list of values';
const KEYS = new Set(['domain', 'item', 'attributes']);
/** A quoted name or value is cut to this many characters: a 1 KB value in every message would bury the reason. */
const MAX_QUOTE = 60;
const BOM = '\uFEFF';

/**
 * One line's text. A byte order mark may open the file (line 1) and is skipped there: editors on
 * Windows write one, and it is no part of the data. Anywhere else it is refused by name, since
 * JSON.parse would report it as an invisible "unexpected token".
 */
export function parseLine(text: string, lineNumber = 1): DataLine {
  if (text.startsWith(BOM)) {
    if (lineNumber !== 1) throw new FormatError('a byte order mark (U+FEFF) opens this line; only the first line of a file may have one');
    text = text.slice(1);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`not JSON: ${printable((err as Error).message, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('a line must be a JSON object');
  // JSON.parse keeps the last of two equal keys, silently: a line with one would not come back as
  // written. JSON.stringify writes the shortest text of what was parsed, so a line of the same
  // length (every line export writes) lost nothing; only others are scanned key by key.
  if (JSON.stringify(value).length !== text.length) {
    const duplicate = duplicateKey(text);
    if (duplicate !== undefined) throw new FormatError(duplicate);
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KEYS.has(key)) throw new FormatError(`unknown field "${printable(key)}" (known: domain, item, attributes)`);
  }
  if (typeof o.domain !== 'string') throw new FormatError('"domain" must be a string');
  const domain = serviceCheck(text, '"domain"', o.domain, (d) => domainName(new Params([['DomainName', d]])));
  if (o.item === undefined) {
    if (o.attributes !== undefined) throw new FormatError('"attributes" needs an "item"');
    return { kind: 'domain', domain };
  }
  if (typeof o.item !== 'string') throw new FormatError('"item" must be a string');
  const item = serviceCheck(text, '"item"', o.item, itemName);
  if (o.attributes === undefined) throw new FormatError(`an item needs "attributes": ${ATTRIBUTES}`);
  return { kind: 'item', domain, item, pairs: parseAttributes(text, o.attributes) };
}

/**
 * The first key an object of `text` (valid JSON) gives twice, described with where it is: the
 * attributes object (`attribute "x" appears twice`) or the line itself (`field "domain" …`).
 */
export function duplicateKey(text: string): string | undefined {
  // One frame per open object or array; objects keep their keys and the key that opened them.
  const stack: { keys?: Set<string>; parentKey?: string }[] = [];
  let pendingKey: string | undefined;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      // A string is a key when it stands in an object where a key is expected: after { or ,.
      let k = i - 1;
      while (k >= 0 && /\s/.test(text[k] as string)) k--;
      if (top?.keys && (text[k] === '{' || text[k] === ',')) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) {
          const inAttributes = stack.length === 2 && top.parentKey === 'attributes';
          return inAttributes
            ? `attribute "${printable(key)}" appears twice in "attributes"; JSON keeps only the last list, so write the name once with all its values`
            : `key "${printable(key)}" appears twice in one object; JSON keeps only the last`;
        }
        top.keys.add(key);
        pendingKey = key;
      }
      i = j + 1;
      continue;
    }
    if (ch === '{') stack.push({ keys: new Set(), parentKey: pendingKey });
    else if (ch === '[') stack.push({ parentKey: pendingKey });
    else if (ch === '}' || ch === ']') stack.pop();
    if (ch === ',') pendingKey = undefined;
    i++;
  }
  return undefined;
}

/**
 * `{"account":"A"}`: in a snapshot file, the account namespace of the lines after it (the shared
 * one, '', until the first such line).
 */
export function parseAccountLine(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`not JSON: ${printable((err as Error).message, 200)}`);
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1 || typeof o.account !== 'string') throw new FormatError('an account line is {"account": "name"} alone');
  if (!o.account.isWellFormed()) throw new FormatError('"account": a lone surrogate; UTF-8 cannot hold it');
  return o.account;
}

/** `{"account":"A"}`, as a snapshot file writes it before the lines of an account other than the shared one. */
export function accountLine(account: string): string {
  return `{"account":${JSON.stringify(account)}}\n`;
}

function parseAttributes(text: string, value: unknown): StoredPair[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`"attributes" must be ${ATTRIBUTES}`);
  }
  const pairs: StoredPair[] = [];
  for (const [name, values] of Object.entries(value)) {
    const where = `attribute "${printable(name)}"`;
    serviceCheck(text, `${where} (its name)`, name, attributeName);
    if (!Array.isArray(values) || values.length === 0) {
      throw new FormatError(`${where}: a non-empty list of string values`);
    }
    const seen = new Set<string>();
    for (const [k, v] of (values as unknown[]).entries()) {
      if (typeof v !== 'string') throw new FormatError(`${where}: values are strings, not ${typeof v}`);
      serviceCheck(text, `${where} value ${k + 1}`, v, attributeValue);
      if (seen.has(v)) continue;
      seen.add(v);
      pairs.push({ name, value: v });
    }
  }
  if (pairs.length === 0) throw new FormatError('an item needs at least one attribute');
  if (pairs.length > MAX_PAIRS) {
    throw new FormatError(`NumberItemAttributesExceeded: ${pairs.length} pairs; an item holds at most ${MAX_PAIRS}`);
  }
  return pairs;
}

/**
 * The service's check of one string, its error turned into a line's reason that says where. A
 * string that is not well-formed UTF-16 (a lone surrogate from a JSON escape such as "\ud800")
 * has no UTF-8 form: stored, it would come back as U+FFFD, so it is refused before the check.
 */
function serviceCheck<T>(line: string, where: string, value: string, check: (value: string) => T): T {
  if (!value.isWellFormed()) {
    const at = loneSurrogateEscape(line);
    const offset = at === undefined ? '' : ` (the escape at byte ${Buffer.byteLength(line.slice(0, at))} of the line)`;
    throw new FormatError(`${where}: a lone surrogate${offset}; UTF-8 cannot hold it, so it would not come back as written`);
  }
  try {
    return check(value);
  } catch (err) {
    if (err instanceof SdbError) throw new FormatError(`${where}: ${reasonOf(err, value)}`);
    throw err;
  }
}

/** Where the first \uD800-\uDFFF escape without its partner starts in a line's text. */
function loneSurrogateEscape(line: string): number | undefined {
  const escape = /\\u([dD][0-9a-fA-F]{3})/g;
  let pairedLow = -1;
  for (let m = escape.exec(line); m !== null; m = escape.exec(line)) {
    const unit = parseInt(m[1] as string, 16);
    if (unit >= 0xdc00) {
      if (m.index !== pairedLow) return m.index;
      continue;
    }
    const next = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(line.slice(m.index + 6));
    if (next === null) return m.index;
    pairedLow = m.index + 6;
  }
  return undefined;
}

/**
 * The service's code and message. The message quotes the offending value in full; `value`, when
 * given, is quoted short instead, so the reason after it (the limit) always shows.
 */
export function reasonOf(err: SdbError, value?: string): string {
  const message = value === undefined || value === '' ? err.message : err.message.split(`(${value})`).join(`(${printable(value)})`);
  return `${err.code}: ${printable(message, Infinity)}`;
}

/**
 * Text safe for a terminal and unambiguous to read: control characters (C0, DEL, C1), invisible
 * format characters (byte order mark, bidirectional controls, line separators) and lone surrogates
 * become \u{…} escapes; text longer than `max` characters is cut, saying how long it was.
 */
export function printable(text: string, max = MAX_QUOTE): string {
  const chars = [...text];
  const shown = chars.length > max ? chars.slice(0, max) : chars;
  let out = '';
  for (const ch of shown) {
    const cp = ch.codePointAt(0) as number;
    const invisible =
      cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0xfeff || (cp >= 0x200b && cp <= 0x200f) ||
      (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || (cp >= 0xd800 && cp <= 0xdfff);
    out += invisible ? `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}` : ch;
  }
  return chars.length > max ? `${out}… (${Buffer.byteLength(text)} bytes)` : out;
}

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * One item's line. Written by hand rather than by JSON.stringify of an object, which would put
 * integer-like attribute names ("9", "10") first whatever their byte order; `pairs` must come
 * sorted by name, then value, in UTF-8 byte order (the store's order, and `sortPairs`).
 */
export function itemLine(domain: string, item: string, pairs: readonly StoredPair[]): string {
  let out = `{"domain":${JSON.stringify(domain)},"item":${JSON.stringify(item)},"attributes":{`;
  let name: string | undefined;
  for (const p of pairs) {
    if (p.name !== name) {
      out += `${name === undefined ? '' : '],'}${JSON.stringify(p.name)}:[`;
      name = p.name;
    } else out += ',';
    out += JSON.stringify(p.value);
  }
  return `${out}${name === undefined ? '' : ']'}}}\n`;
}

export function domainLine(domain: string): string {
  return `{"domain":${JSON.stringify(domain)}}\n`;
}

/** Name then value, UTF-8 byte order: how the store keeps them, for pairs from elsewhere. */
export function sortPairs(pairs: StoredPair[]): StoredPair[] {
  return pairs.sort((a, b) => utf8Order(a.name, b.name) || utf8Order(a.value, b.value));
}

