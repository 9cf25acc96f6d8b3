import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ensureDomain } from '../actions/createDomain.js';
import { checkLimits } from '../actions/limits.js';
import { DEFAULT_LIMITS, type Limits } from '../actions/types.js';
import { SdbError } from '../core/errors.js';
import { utf16ByteOrder } from '../core/byteOrder.js';
import { Bulk } from '../store/bulk.js';
import type { Store } from '../store/store.js';
import { FormatError, parseAccountLine, parseLine, reasonOf, type DataLine } from './format.js';

/** A line that names an account rather than a domain: only snapshot files have them. */
const ACCOUNT_LINE = /^\s*\{\s*"account"\s*:/;

export interface ImportOptions {
  /** The account namespace written to: '' (default) unless accounts are isolated. */
  account?: string;
  /** Each item of the file replaces the stored item whole; default: its pairs are added (merged). */
  replace?: boolean;
  /** Write the good lines of a file that has bad ones; default: such a file writes nothing. */
  skipBad?: boolean;
  limits?: Partial<Limits>;
  now?: () => number;
  /** Empty the whole store (every account) in the same transaction first: the input becomes the state. */
  clearFirst?: boolean;
  /** `{"account":"A"}` lines switch the account the following lines are written to (snapshot files). */
  accountLines?: boolean;
  /** The number of the input's first line, for inputs read after a header. Default 1. */
  firstLine?: number;
  /** Asked before the commit of an input without bad lines: a reason refuses the whole input. */
  check?: (result: ImportResult) => string | undefined;
}

export interface LineError {
  line: number;
  reason: string;
}

export interface ImportResult {
  /** Items and pairs of the lines written (rolled back again when `committed` is false). */
  items: number;
  pairs: number;
  domainsCreated: number;
  errors: LineError[];
  /** Whether anything of the input was kept. */
  committed: boolean;
}

/**
 * Imports one input (a file, stdin) in one transaction. Every line is checked with the service's
 * rules; a line that would breach a limit once written (256 pairs per item after merging, the
 * domain count, a domain's pairs or bytes) is undone alone and reported. Unless `skipBad`, one bad
 * line rolls the whole input back; after it, later lines are still checked on their own (format
 * and sizes) so that one run reports them all, but no longer against the store.
 */
export async function importLines(
  store: Store,
  lines: AsyncIterable<string | UndecodableLine>,
  o: ImportOptions = {},
): Promise<ImportResult> {
  let account = o.account ?? '';
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const now = o.now ?? Date.now;
  const bulk = new Bulk(store);
  const result: ImportResult = { items: 0, pairs: 0, domainsCreated: 0, errors: [], committed: false };
  const domainIds = new Map<string, number>();

  /** The domain's id, creating it if needed; a creation counts only once its item is kept. */
  const domainId = (name: string, created: Map<string, number>): number => {
    const known = domainIds.get(name);
    if (known !== undefined) return known;
    const { id, created: isNew } = ensureDomain(store, account, name, limits.maxDomains, Math.floor(now() / 1000));
    (isNew ? created : domainIds).set(name, id);
    return id;
  };

  // Without skipBad a failure rolls the whole input back, so only skipBad pays for a savepoint per item.
  const guarded = o.skipBad ? <T>(fn: () => T) => bulk.item(fn) : <T>(fn: () => T) => fn();
  const write = (line: DataLine) => {
    const created = new Map<string, number>();
    guarded(() => {
      const id = domainId(line.domain, created);
      if (line.kind === 'domain') return;
      if (o.replace) store.deleteAttributes(id, line.item);
      const effect = store.putAttributes(id, line.item, line.pairs.map((p) => ({ ...p, replace: false })));
      checkLimits(store, id, limits, [effect]);
    });
    for (const [name, id] of created) domainIds.set(name, id);
    result.domainsCreated += created.size;
    if (line.kind === 'item') {
      result.items++;
      result.pairs += line.pairs.length;
    }
  };

  bulk.begin();
  try {
    if (o.clearFirst) store.reset();
    let n = (o.firstLine ?? 1) - 1;
    for await (const text of lines) {
      n++;
      if (text instanceof UndecodableLine) {
        result.errors.push({ line: n, reason: text.reason });
        continue;
      }
      if (text.trim() === '') continue;
      try {
        if (o.accountLines && ACCOUNT_LINE.test(text)) {
          account = parseAccountLine(text);
          domainIds.clear();
          continue;
        }
        const line = parseLine(text, n);
        if (result.errors.length === 0 || o.skipBad) write(line);
      } catch (err) {
        if (err instanceof FormatError) result.errors.push({ line: n, reason: err.message });
        else if (err instanceof SdbError) result.errors.push({ line: n, reason: reasonOf(err) });
        else throw err;
      }
    }
    if (result.errors.length === 0 && o.check) {
      const refused = o.check(result);
      if (refused !== undefined) result.errors.push({ line: n, reason: refused });
    }
    if (result.errors.length > 0 && !o.skipBad) {
      bulk.rollback();
      return result;
    }
    bulk.commit();
    result.committed = true;
    return result;
  } finally {
    bulk.rollback();
  }
}

/** A line whose bytes are not UTF-8: stored, it would come back with U+FFFD in place of them. */
export class UndecodableLine {
  constructor(readonly reason: string) {}
}

const NEWLINE = 0x0a;

/**
 * Lines of a file, or of stdin for '-', decoded strictly: a line that is not valid UTF-8 comes as
 * an UndecodableLine naming the byte offset (in the file and in the line) and the bytes in hex,
 * never the raw bytes. CRLF line ends are accepted (JSON treats CR as blank).
 */
export async function* readLines(path: string, stdin: Readable = process.stdin): AsyncGenerator<string | UndecodableLine> {
  const input: AsyncIterable<Buffer | string> = path === '-' ? stdin : createReadStream(path);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pending: Buffer[] = [];
  let lineStart = 0;
  const finish = (bytes: Buffer): string | UndecodableLine => {
    const start = lineStart;
    lineStart += bytes.length + 1;
    try {
      return decoder.decode(bytes);
    } catch {
      // A UTF-16 file is named as such, not only by its first bytes.
      const utf16 = start === 0 ? utf16ByteOrder(bytes) : undefined;
      if (utf16) return new UndecodableLine(`not UTF-8: the input is UTF-16 (it starts with the byte order mark ${utf16 === 'LE' ? '0xFF 0xFE' : '0xFE 0xFF'}): save it as UTF-8`);
      const bad = firstInvalidUtf8(bytes);
      const hex = [...bytes.subarray(bad, bad + 4)].map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
      return new UndecodableLine(
        `not UTF-8: invalid byte sequence at byte ${start + bad} of the input (byte ${bad} of the line), starting ${hex}`,
      );
    }
  };
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let from = 0;
    for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, from)) {
      const piece = buf.subarray(from, nl);
      yield finish(pending.length === 0 ? piece : Buffer.concat([...pending, piece]));
      pending = [];
      from = nl + 1;
    }
    if (from < buf.length) pending.push(buf.subarray(from));
  }
  if (pending.length > 0) yield finish(Buffer.concat(pending));
}

/** The offset of the first byte that does not begin or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let k = 0;
  while (k < bytes.length) {
    const b = bytes[k] as number;
    if (b < 0x80) {
      k++;
      continue;
    }
    // Lead byte: length of the sequence, and the range its second byte must fall in (no overlong
    // forms, no surrogates, nothing past U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return k;
    for (let j = 1; j < n; j++) {
      const c = bytes[k + j];
      if (c === undefined || c < (j === 1 ? lo : 0x80) || c > (j === 1 ? hi : 0xbf)) return k;
    }
    k += n;
  }
  return bytes.length;
}

/**
 * --load / startEmulator({ load }): every file merged in order; a bad line, or a file that cannot
 * be read, stops the start with the file and line named. Earlier files stay loaded, which does not
 * matter to an emulator that then does not start (and a file database keeps them).
 */
export async function loadFixtures(store: Store, paths: readonly string[], o: ImportOptions = {}): Promise<void> {
  for (const path of paths) {
    let result: ImportResult;
    try {
      result = await importLines(store, readLines(path), o);
    } catch (err) {
      throw new Error(`cannot load fixture ${path}: ${(err as Error).message}`);
    }
    const first = result.errors[0];
    if (first) {
      const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more bad lines)` : '';
      throw new Error(`fixture ${path} line ${first.line}: ${first.reason}${more}`);
    }
  }
}
