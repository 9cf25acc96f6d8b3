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
/** Reasons quote the offending value; a 1 KB value in every message would bury the line number. */
const MAX_REASON = 200;

export function parseLine(text: string): DataLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('a line must be a JSON object');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KEYS.has(key)) throw new FormatError(`unknown field "${short(key)}" (known: domain, item, attributes)`);
  }
  if (typeof o.domain !== 'string') throw new FormatError('"domain" must be a string');
  const domain = serviceCheck(() => domainName(new Params([['DomainName', o.domain as string]])));
  if (o.item === undefined) {
    if (o.attributes !== undefined) throw new FormatError('"attributes" needs an "item"');
    return { kind: 'domain', domain };
  }
  if (typeof o.item !== 'string') throw new FormatError('"item" must be a string');
  const item = serviceCheck(() => itemName(o.item as string));
  if (o.attributes === undefined) throw new FormatError(`an item needs "attributes": ${ATTRIBUTES}`);
  return { kind: 'item', domain, item, pairs: parseAttributes(o.attributes) };
}

function parseAttributes(value: unknown): StoredPair[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`"attributes" must be ${ATTRIBUTES}`);
  }
  const pairs: StoredPair[] = [];
  for (const [name, values] of Object.entries(value)) {
    serviceCheck(() => attributeName(name));
    if (!Array.isArray(values) || values.length === 0) {
      throw new FormatError(`attribute "${short(name)}": a non-empty list of string values`);
    }
    const seen = new Set<string>();
    for (const v of values as unknown[]) {
      if (typeof v !== 'string') throw new FormatError(`attribute "${short(name)}": values are strings, not ${typeof v}`);
      serviceCheck(() => attributeValue(v));
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

/** The service's check, its error turned into a line's reason. */
function serviceCheck<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof SdbError) throw new FormatError(reasonOf(err));
    throw err;
  }
}

export function reasonOf(err: SdbError): string {
  return `${err.code}: ${short(err.message)}`;
}

function short(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
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

