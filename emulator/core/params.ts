import { StringDecoder } from 'node:string_decoder';
import { errors } from './errors.js';
import type { Slices } from './slices.js';

export type Pair = readonly [name: string, value: string];

/** Up to this many entries a linear scan beats building a Map. */
const SCAN_LIMIT = 8;

/**
 * The request's parameters, exact strings in wire order. Lists arrive flattened
 * (`Attribute.3.Name`, `Item.0.Attribute.1.Value`) in any numbering: boto 2 starts at 0 and
 * leaves gaps, so grouping is by the index's text and ordering is numeric.
 */
export class Params {
  /** Built on first use, and only for larger sets: a batch has hundreds of 3-entry groups. */
  private map: Map<string, string> | undefined;
  /** Groupings `indexInSlices` made ahead, which `indexed` then returns: only a large request has any. */
  private grouped: Map<string, IndexedGroup[]> | undefined;

  constructor(
    readonly entries: readonly Pair[],
    /** The entries by name, when the caller built it already (`parseFormInSlices`). */
    map?: Map<string, string>,
  ) {
    this.map = map;
  }

  get(name: string): string | undefined {
    if (this.entries.length <= SCAN_LIMIT) {
      for (const [n, v] of this.entries) if (n === name) return v;
      return undefined;
    }
    this.map ??= new Map(this.entries);
    return this.map.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** `Prefix.N.rest=value` grouped by N (ascending), each group a Params over `rest`. */
  indexed(prefix: string): readonly IndexedGroup[] {
    const ready = this.grouped?.get(prefix);
    if (ready) return ready;
    const start = prefix + '.';
    // Most requests have no list at all: no map, no sort.
    if (!this.entries.some(([name]) => name.startsWith(start))) return [];
    const groups = new Map<string, Pair[]>();
    groupEntries(this.entries, start, groups, 0, this.entries.length);
    return sortGroups(groups);
  }

  /**
   * `indexed(prefix)` computed ahead in slices of `slices`' time, so that the synchronous calls
   * after it (the action's facts and validation) find it made: a batch of 25 × 256 attributes has
   * 19,000 parameters, tens of milliseconds to group in one piece.
   */
  async indexInSlices(prefix: string, slices: Slices): Promise<void> {
    if (this.grouped?.has(prefix)) return;
    const start = prefix + '.';
    const groups = new Map<string, Pair[]>();
    // The rest of a name repeats from group to group (`Attribute.7.Value` in every item): one
    // string each, not one per parameter for the scavenger to copy while the request lasts.
    const rests = new Map<string, string>();
    for (let from = 0; from < this.entries.length; from += GROUP_STEP) {
      groupEntries(this.entries, start, groups, from, Math.min(from + GROUP_STEP, this.entries.length), rests);
      const turn = slices.next();
      if (turn) await turn;
    }
    (this.grouped ??= new Map()).set(prefix, sortGroups(groups));
  }
}

/** Entries grouped between two looks at the clock. */
const GROUP_STEP = 512;

function groupEntries(
  entries: readonly Pair[],
  start: string,
  groups: Map<string, Pair[]>,
  from: number,
  to: number,
  rests?: Map<string, string>,
): void {
  for (let i = from; i < to; i++) {
    const [name, value] = entries[i] as Pair;
    if (!name.startsWith(start)) continue;
    const dot = name.indexOf('.', start.length);
    const index = dot < 0 ? name.slice(start.length) : name.slice(start.length, dot);
    if (!/^\d{1,9}$/.test(index)) continue;
    let list = groups.get(index);
    if (!list) groups.set(index, (list = []));
    let rest = dot < 0 ? '' : name.slice(dot + 1);
    if (rests) {
      const known = rests.get(rest);
      if (known === undefined) rests.set(rest, rest);
      else rest = known;
    }
    list.push([rest, value]);
  }
}

function sortGroups(groups: Map<string, Pair[]>): IndexedGroup[] {
  return [...groups]
    .map(([key, list]) => ({ index: Number(key), key, params: new Params(list) }))
    .sort((a, b) => a.index - b.index || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface IndexedGroup {
  index: number;
  /** The index as written, so that `Attribute.01` and `Attribute.1` stay apart. */
  key: string;
  params: Params;
}

/**
 * application/x-www-form-urlencoded, exactly as URLSearchParams reads it (WHATWG URL, "urlencoded
 * parsing"): `+` is a space, `%XX` a UTF-8 byte, order kept. Pairs with nothing to decode, most of
 * a request, are sliced as they are; the rest go through decodeURIComponent, and the rare pair it
 * refuses (a stray `%`, bytes that are not UTF-8) through URLSearchParams, whose lenient rules are
 * the standard's. `npm run bench` compares it with spreading a URLSearchParams ("Form parsing"
 * rows): about 2× as fast where few values are encoded, 1.4× on a request signed by the client.
 */
export function parseForm(raw: string): Pair[] {
  // URLSearchParams reads text as a USVString: a lone surrogate becomes U+FFFD. Bodies and URLs
  // never hold one (they are decoded from bytes), and the check is free on one-byte strings.
  if (!raw.isWellFormed()) raw = raw.toWellFormed();
  const pairs: Pair[] = [];
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) pairs.push(parsePair(raw.slice(start, end)));
    start = end + 1;
  }
  return pairs;
}

function parsePair(segment: string): Pair {
  const eq = segment.indexOf('=');
  const name = eq < 0 ? segment : segment.slice(0, eq);
  const value = eq < 0 ? '' : segment.slice(eq + 1);
  if (!NEEDS_DECODING.test(segment)) return [name, value];
  try {
    return [decodeURIComponent(name.replaceAll('+', ' ')), decodeURIComponent(value.replaceAll('+', ' '))];
  } catch {
    // A segment holds no '&': URLSearchParams reads exactly one pair from it.
    const [pair] = new URLSearchParams(segment);
    return pair ?? [name, value];
  }
}

const NEEDS_DECODING = /[%+]/;

/**
 * GET takes its parameters from the query string; POST merges the query string with the form
 * body, the body winning. A name repeated within one of them is refused, since the service
 * documents no meaning for it.
 */
export function collectParams(query: string, body: string | null, parsed?: ParsedForm): Params {
  if (parsed) return withQuery(query, parsed);
  // The usual request has one of the two: nothing to merge.
  if (body === null || body === '') return new Params(unique(parseForm(query)));
  if (query === '') return new Params(unique(parseForm(body)));
  const merged = new Map<string, string>();
  const fromQuery = unique(parseForm(query));
  for (const [n, v] of fromQuery) merged.set(n, v);
  if (body !== null) for (const [n, v] of unique(parseForm(body))) merged.set(n, v);
  return new Params([...merged]);
}

/** A body `parseFormInSlices` read: its text (for the journal), its pairs, checked unique, by name. */
export interface ParsedForm {
  readonly text: string;
  readonly pairs: Pair[];
  readonly byName: Map<string, string>;
  /** The first pair whose name came before, which `collectParams` refuses as `unique` does. */
  readonly repeated: Pair | undefined;
}

/**
 * `parseForm` and `unique` of a large body, a piece at a time with the slices' turns between: the
 * same pairs in the same order, and the same refusal of a repeated name, as the text in one piece.
 * Pieces are decoded at `PIECE_BYTES` or more: V8 keeps a string that long outside the young
 * generation, so the names and values sliced from it are not copied by every scavenge while
 * the request lasts (decoded per 64 KB socket chunk, the scavenges during a 6.8 MB batch took
 * tens of milliseconds each). The text is joined without copying (V8 keeps the pieces until
 * someone reads it as a whole).
 */
export async function parseFormInSlices(chunks: readonly Buffer[], slices: Slices): Promise<ParsedForm> {
  const decoder = new StringDecoder('utf8');
  const pairs: Pair[] = [];
  const byName = new Map<string, string>();
  let repeated: Pair | undefined;
  let text = '';
  // The start of a pair cut by the end of the previous piece.
  let rest = '';
  const keep = (pair: Pair) => {
    if (repeated === undefined && byName.has(pair[0])) repeated = pair;
    byName.set(pair[0], pair[1]);
    pairs.push(pair);
  };
  const add = (segment: string) => {
    if (segment !== '') keep(parsePair(segment));
  };
  // A piece's pairs whose decoded text is ASCII (nearly all) are decoded into one buffer and
  // sliced from one string made of it, rather than each decoded into a string of its own: a
  // batch's 6,400 encoded 1 kB values would otherwise be 6.4 MB of young strings that every
  // scavenge copies while the request lasts. `marks` holds, in order, a pair made the usual way
  // or three offsets into that string (name start, value start, value end).
  let out = Buffer.alloc(0);
  let at = 0;
  const marks: (Pair | number)[] = [];
  const addRange = (piece: string, start: number, end: number) => {
    const eq = piece.indexOf('=', start);
    const nameEnd = eq < 0 || eq >= end ? end : eq;
    const nameAt = at;
    const valueAt = decodeAscii(piece, start, nameEnd, out, at);
    const endAt = valueAt < 0 || nameEnd === end ? valueAt : decodeAscii(piece, nameEnd + 1, end, out, valueAt);
    if (endAt < 0) {
      marks.push(parsePair(piece.slice(start, end)));
      return;
    }
    marks.push(nameAt, valueAt, endAt);
    at = endAt;
  };
  const flush = () => {
    const decoded = out.toString('latin1', 0, at);
    for (let i = 0; i < marks.length; ) {
      const m = marks[i] as Pair | number;
      if (typeof m !== 'number') {
        keep(m);
        i++;
        continue;
      }
      const valueAt = marks[i + 1] as number;
      keep([decoded.slice(m, valueAt), decoded.slice(valueAt, marks[i + 2] as number)]);
      i += 3;
    }
    marks.length = 0;
    at = 0;
  };
  const take = async (piece: string, last: boolean) => {
    text += piece;
    let start = 0;
    if (rest !== '') {
      const amp = piece.indexOf('&');
      if (amp < 0 && !last) {
        rest += piece;
        return;
      }
      add(rest + (amp < 0 ? piece : piece.slice(0, amp)));
      rest = '';
      if (amp < 0) return;
      start = amp + 1;
    }
    // Decoding never lengthens the ASCII it keeps.
    if (out.length < piece.length) out = Buffer.allocUnsafe(piece.length);
    for (let n = 1; ; n++) {
      const end = piece.indexOf('&', start);
      if (end < 0) {
        flush();
        if (last) add(piece.slice(start));
        else rest = piece.slice(start);
        return;
      }
      if (end > start) addRange(piece, start, end);
      start = end + 1;
      if (n % PAIR_STEP === 0) {
        const turn = slices.next();
        if (turn) await turn;
      }
    }
  };
  let group: Buffer[] = [];
  let bytes = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i] as Buffer;
    group.push(chunk);
    bytes += chunk.length;
    if (bytes < PIECE_BYTES && i < chunks.length - 1) continue;
    await take(decoder.write(group.length === 1 ? chunk : Buffer.concat(group, bytes)), false);
    group = [];
    bytes = 0;
    const turn = slices.next();
    if (turn) await turn;
  }
  await take(decoder.end(), true);
  return { text, pairs, byName, repeated };
}

/**
 * `text` from `from` to `to` percent-decoded as the form's rules say (`+` a space, `%XX` a byte,
 * any other `%` itself) into `out` from `at`; the position after it, or -1 when the result is not
 * ASCII (then UTF-8 decoding, and its replacement of invalid bytes, is `parsePair`'s to do).
 */
function decodeAscii(text: string, from: number, to: number, out: Buffer, at: number): number {
  for (let i = from; i < to; i++) {
    let c = text.charCodeAt(i);
    if (c === 0x2b) {
      c = 0x20;
    } else if (c === 0x25 && i + 2 < to) {
      const high = hexDigit(text.charCodeAt(i + 1));
      const low = hexDigit(text.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        c = high * 16 + low;
        i += 2;
      }
    }
    if (c > 0x7f) return -1;
    out[at++] = c;
  }
  return at;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Pairs parsed between two looks at the clock. */
const PAIR_STEP = 128;

/** See `parseFormInSlices`: past V8's largest young object (128 KiB on 64-bit). */
const PIECE_BYTES = 256 * 1024;

function withQuery(query: string, body: ParsedForm): Params {
  // Checked in collectParams' order: the query's repeats, then the body's.
  const fromQuery = query === '' ? [] : unique(parseForm(query));
  if (body.repeated) throw errors.invalidParameterValue(body.repeated[0], body.repeated[1]);
  if (fromQuery.length === 0) return new Params(body.pairs, body.byName);
  const merged = new Map<string, string>();
  for (const [n, v] of fromQuery) merged.set(n, v);
  for (const [n, v] of body.pairs) merged.set(n, v);
  return new Params([...merged]);
}

function unique(pairs: Pair[]): Pair[] {
  if (pairs.length <= SCAN_LIMIT) {
    for (let i = 1; i < pairs.length; i++) {
      const [name, value] = pairs[i] as Pair;
      for (let j = 0; j < i; j++) if ((pairs[j] as Pair)[0] === name) throw errors.invalidParameterValue(name, value);
    }
    return pairs;
  }
  const seen = new Set<string>();
  for (const [name, value] of pairs) {
    if (seen.has(name)) throw errors.invalidParameterValue(name, value);
    seen.add(name);
  }
  return pairs;
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** SimpleDB booleans: `true`/`false`, any case. */
export function parseBoolean(value: string): boolean | undefined {
  const v = value.toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}
