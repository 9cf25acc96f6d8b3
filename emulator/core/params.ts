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
  protected grouped: Map<string, IndexedGroup[]> | undefined;
  private list: readonly Pair[] | undefined;

  constructor(
    entries?: readonly Pair[],
    /** The entries by name, when the caller built it already. */
    map?: Map<string, string>,
  ) {
    this.list = entries;
    this.map = map;
  }

  get entries(): readonly Pair[] {
    return (this.list ??= this.materialize());
  }

  /** The entries of a subclass that holds them in another form. */
  protected materialize(): readonly Pair[] {
    return [];
  }

  get(name: string): string | undefined {
    const entries = this.entries;
    if (entries.length <= SCAN_LIMIT) {
      for (const [n, v] of entries) if (n === name) return v;
      return undefined;
    }
    this.map ??= new Map(entries);
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
    const entries = this.entries;
    // Most requests have no list at all: no map, no sort.
    if (!entries.some(([name]) => name.startsWith(start))) return [];
    const groups = new Map<string, Pair[]>();
    groupEntries(entries, start, groups, 0, entries.length);
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
    const entries = this.entries;
    for (let from = 0; from < entries.length; from += GROUP_STEP) {
      groupEntries(entries, start, groups, from, Math.min(from + GROUP_STEP, entries.length), rests);
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

/** A body `parseFormInSlices` read: its text (for the journal) and its parameters. */
export interface ParsedForm {
  readonly text: string;
  /** The pairs in order (made on demand: the request itself reads them through `params`). */
  readonly pairs: Pair[];
  readonly params: Params;
  /** The first pair whose name came before, which `collectParams` refuses as `unique` does. */
  readonly repeated: Pair | undefined;
}

/**
 * A large body's pairs as ranges of a few long strings: for each pair the string it is in and
 * where its name and value begin and end, in typed arrays. A batch's 19,000 parameters held as
 * pairs of strings, then again in their groupings, were tens of thousands of small objects alive
 * while it ran, which every young-generation scavenge copied (2–16 ms each); these are a few
 * large ones, and the strings a check or an insert needs are sliced from them when it needs them
 * and die young (docs/performance.md, "One large request beside small ones").
 */
class Ranges {
  readonly texts: string[] = [];
  count = 0;
  text = new Int32Array(1024);
  nameAt = new Int32Array(1024);
  valueAt = new Int32Array(1024);
  valueEnd = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  /** Open addressing by the name's hash: a pair's index + 1, 0 for an empty slot. */
  private table = new Int32Array(2048);
  /** The first pair whose name came before, or -1. */
  repeated = -1;

  /** A pair the usual parser made (not ASCII, or cut between two pieces): a text of its own. */
  addPair(pair: Pair): void {
    this.texts.push(pair[0] + pair[1]);
    this.add(this.texts.length - 1, 0, pair[0].length, pair[0].length + pair[1].length);
  }

  add(t: number, nameAt: number, valueAt: number, valueEnd: number): void {
    const i = this.count;
    if (i === this.text.length) this.grow();
    this.text[i] = t;
    this.nameAt[i] = nameAt;
    this.valueAt[i] = valueAt;
    this.valueEnd[i] = valueEnd;
    const text = this.texts[t] as string;
    let h = 0x811c9dc5;
    for (let c = nameAt; c < valueAt; c++) h = Math.imul(h ^ text.charCodeAt(c), 0x01000193);
    this.hashes[i] = h;
    this.count = i + 1;
    if (this.count * 2 > this.table.length) this.rehash();
    else this.place(i);
  }

  name(i: number, from = this.nameAt[i] as number): string {
    return (this.texts[this.text[i] as number] as string).slice(from, this.valueAt[i]);
  }

  value(i: number): string {
    return (this.texts[this.text[i] as number] as string).slice(this.valueAt[i], this.valueEnd[i]);
  }

  /** Whether pair `i`'s name from `from` is `name`. */
  nameIs(i: number, from: number, name: string): boolean {
    const end = this.valueAt[i] as number;
    return end - from === name.length && (this.texts[this.text[i] as number] as string).startsWith(name, from);
  }

  /** The last pair named `name`, or -1 (as a Map of the pairs would answer). */
  find(name: string): number {
    let h = 0x811c9dc5;
    for (let c = 0; c < name.length; c++) h = Math.imul(h ^ name.charCodeAt(c), 0x01000193);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const j = (this.table[slot] as number) - 1;
      if (j < 0) return -1;
      if (this.hashes[j] === h && this.nameIs(j, this.nameAt[j] as number, name)) return j;
    }
  }

  private place(i: number): void {
    const h = this.hashes[i] as number;
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const j = (this.table[slot] as number) - 1;
      if (j < 0) {
        this.table[slot] = i + 1;
        return;
      }
      if (this.hashes[j] === h && this.sameName(i, j)) {
        if (this.repeated < 0) this.repeated = i;
        this.table[slot] = i + 1;
        return;
      }
    }
  }

  private sameName(i: number, j: number): boolean {
    const a = this.nameAt[i] as number;
    const length = (this.valueAt[i] as number) - a;
    const b = this.nameAt[j] as number;
    if ((this.valueAt[j] as number) - b !== length) return false;
    const ti = this.texts[this.text[i] as number] as string;
    const tj = this.texts[this.text[j] as number] as string;
    for (let c = 0; c < length; c++) if (ti.charCodeAt(a + c) !== tj.charCodeAt(b + c)) return false;
    return true;
  }

  private grow(): void {
    const size = this.text.length * 2;
    const bigger = (old: Int32Array) => {
      const next = new Int32Array(size);
      next.set(old);
      return next;
    };
    this.text = bigger(this.text);
    this.nameAt = bigger(this.nameAt);
    this.valueAt = bigger(this.valueAt);
    this.valueEnd = bigger(this.valueEnd);
    this.hashes = bigger(this.hashes);
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    // Placed again in order, so the last of a repeated name is the one found; `repeated` stays.
    const repeated = this.repeated;
    for (let i = 0; i < this.count; i++) this.place(i);
    this.repeated = repeated;
  }
}

/**
 * Params over `Ranges`: the whole body (no `idx`), or a group of it, whose pairs are
 * `idx[off..off+len)` with names read from `from[k]` (after `Item.N.`).
 */
class RangeParams extends Params {
  constructor(
    private readonly r: Ranges,
    private readonly idx: Int32Array | undefined,
    private readonly from: Int32Array | undefined,
    private readonly off: number,
    private readonly len: number,
  ) {
    super();
  }

  private pair(k: number): number {
    return this.idx ? (this.idx[this.off + k] as number) : k;
  }

  private nameFrom(k: number, p: number): number {
    return this.from ? (this.from[this.off + k] as number) : (this.r.nameAt[p] as number);
  }

  protected override materialize(): readonly Pair[] {
    const out: Pair[] = [];
    for (let k = 0; k < this.len; k++) {
      const p = this.pair(k);
      out.push([this.r.name(p, this.nameFrom(k, p)), this.r.value(p)]);
    }
    return out;
  }

  override get(name: string): string | undefined {
    if (!this.idx) {
      const p = this.r.find(name);
      return p < 0 ? undefined : this.r.value(p);
    }
    // A group is an item's 769 parameters at most, read by a few names: a scan, no map.
    let found = -1;
    for (let k = 0; k < this.len; k++) {
      const p = this.pair(k);
      if (this.r.nameIs(p, this.nameFrom(k, p), name)) {
        found = p;
        // Params answers the first of a repeated name in a small group, the last in a larger one.
        if (this.len <= SCAN_LIMIT) break;
      }
    }
    return found < 0 ? undefined : this.r.value(found);
  }

  override indexed(prefix: string): readonly IndexedGroup[] {
    const ready = this.grouped?.get(prefix);
    if (ready) return ready;
    const grouping = new RangeGrouping(prefix + '.');
    grouping.collect(this, 0, this.len);
    return grouping.groups(this.r);
  }

  override async indexInSlices(prefix: string, slices: Slices): Promise<void> {
    // A group's own groupings are made when asked, and die with the check that asked.
    if (this.idx || this.grouped?.has(prefix)) return;
    const grouping = new RangeGrouping(prefix + '.');
    for (let from = 0; from < this.len; from += GROUP_STEP) {
      grouping.collect(this, from, Math.min(from + GROUP_STEP, this.len));
      const turn = slices.next();
      if (turn) await turn;
    }
    (this.grouped ??= new Map()).set(prefix, grouping.groups(this.r));
  }

  /** For `RangeGrouping`: pair k's index, and where its name begins and ends. */
  at(k: number): { p: number; from: number } {
    const p = this.pair(k);
    return { p, from: this.nameFrom(k, p) };
  }

  get ranges(): Ranges {
    return this.r;
  }
}

/** `groupEntries` and `sortGroups` over ranges: the groups share two typed arrays. */
class RangeGrouping {
  /** By the index as written: pairs and where each one's rest of name begins, interleaved. */
  private readonly keys = new Map<string, number[]>();
  private total = 0;

  constructor(private readonly start: string) {}

  collect(params: RangeParams, from: number, to: number): void {
    const r = params.ranges;
    const start = this.start;
    for (let k = from; k < to; k++) {
      const { p, from: at } = params.at(k);
      const end = r.valueAt[p] as number;
      if (end - at <= start.length) continue;
      const text = r.texts[r.text[p] as number] as string;
      if (!text.startsWith(start, at)) continue;
      const a = at + start.length;
      let b = a;
      while (b < end && b - a <= 9) {
        const c = text.charCodeAt(b);
        if (c < 0x30 || c > 0x39) break;
        b++;
      }
      if (b === a || b - a > 9 || (b < end && text.charCodeAt(b) !== 0x2e)) continue;
      const key = text.slice(a, b);
      let list = this.keys.get(key);
      if (!list) this.keys.set(key, (list = []));
      list.push(p, b < end ? b + 1 : end);
      this.total++;
    }
  }

  groups(r: Ranges): IndexedGroup[] {
    const sorted = [...this.keys.keys()]
      .map((key) => ({ index: Number(key), key }))
      .sort((a, b) => a.index - b.index || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const idx = new Int32Array(this.total);
    const from = new Int32Array(this.total);
    let at = 0;
    return sorted.map(({ index, key }) => {
      const list = this.keys.get(key) as number[];
      const off = at;
      for (let j = 0; j < list.length; j += 2) {
        idx[at] = list[j] as number;
        from[at++] = list[j + 1] as number;
      }
      return { index, key, params: new RangeParams(r, idx, from, off, at - off) };
    });
  }
}

/**
 * `parseForm` and `unique` of a large body, a piece at a time with the slices' turns between: the
 * same pairs in the same order, and the same refusal of a repeated name, as the text in one piece.
 * Pieces are decoded at `PIECE_BYTES` or more: V8 keeps a string that long outside the young
 * generation, so the pairs, held as ranges of it (`Ranges`), are not copied by every scavenge
 * while the request lasts. The text is joined without copying (V8 keeps the pieces until
 * someone reads it as a whole).
 */
export async function parseFormInSlices(chunks: readonly Buffer[], slices: Slices): Promise<ParsedForm> {
  const decoder = new StringDecoder('utf8');
  const ranges = new Ranges();
  let text = '';
  // The start of a pair cut by the end of the previous piece.
  let rest = '';
  const add = (segment: string) => {
    if (segment !== '') ranges.addPair(parsePair(segment));
  };
  // A piece's pairs whose decoded text is ASCII (nearly all) are decoded into one buffer and
  // held as ranges of one string made of it. `marks` holds, in order, a pair made the usual way
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
    ranges.texts.push(out.toString('latin1', 0, at));
    const t = ranges.texts.length - 1;
    for (let i = 0; i < marks.length; ) {
      const m = marks[i] as Pair | number;
      if (typeof m !== 'number') {
        ranges.addPair(m);
        i++;
        continue;
      }
      ranges.add(t, m, marks[i + 1] as number, marks[i + 2] as number);
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
  const params = new RangeParams(ranges, undefined, undefined, 0, ranges.count);
  const repeated = ranges.repeated;
  return {
    text,
    params,
    repeated: repeated < 0 ? undefined : [ranges.name(repeated), ranges.value(repeated)],
    get pairs() {
      return [...params.entries];
    },
  };
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

/**
 * Pairs parsed between two looks at the clock. At 128 a look came every 130 kB of a batch's
 * 1,000-byte values: parsing ten of the stall bench's bodies alone, the slices' p99 was 17 ms (the
 * longest 33 ms); at 8 it was 6 ms, what is left being the end of a piece and the collections
 * (docs/performance.md, "One large request beside small ones"). A look is one clock read.
 */
const PAIR_STEP = 8;

/** See `parseFormInSlices`: past V8's largest young object (128 KiB on 64-bit). */
const PIECE_BYTES = 256 * 1024;

function withQuery(query: string, body: ParsedForm): Params {
  // Checked in collectParams' order: the query's repeats, then the body's.
  const fromQuery = query === '' ? [] : unique(parseForm(query));
  if (body.repeated) throw errors.invalidParameterValue(body.repeated[0], body.repeated[1]);
  if (fromQuery.length === 0) return body.params;
  const merged = new Map<string, string>();
  for (const [n, v] of fromQuery) merged.set(n, v);
  for (const [n, v] of body.params.entries) merged.set(n, v);
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
