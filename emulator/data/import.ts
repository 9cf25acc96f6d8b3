import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ensureDomain } from '../actions/createDomain.js';
import { checkLimits } from '../actions/limits.js';
import { DEFAULT_LIMITS, type Limits } from '../actions/types.js';
import { SdbError } from '../core/errors.js';
import { Bulk } from '../store/bulk.js';
import type { Store } from '../store/store.js';
import { FormatError, parseLine, reasonOf, type DataLine } from './format.js';

export interface ImportOptions {
  /** The account namespace written to: '' (default) unless accounts are isolated. */
  account?: string;
  /** Each item of the file replaces the stored item whole; default: its pairs are added (merged). */
  replace?: boolean;
  /** Write the good lines of a file that has bad ones; default: such a file writes nothing. */
  skipBad?: boolean;
  limits?: Partial<Limits>;
  now?: () => number;
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
export async function importLines(store: Store, lines: AsyncIterable<string>, o: ImportOptions = {}): Promise<ImportResult> {
  const account = o.account ?? '';
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
    let n = 0;
    for await (const text of lines) {
      n++;
      if (text.trim() === '') continue;
      try {
        const line = parseLine(text);
        if (result.errors.length === 0 || o.skipBad) write(line);
      } catch (err) {
        if (err instanceof FormatError) result.errors.push({ line: n, reason: err.message });
        else if (err instanceof SdbError) result.errors.push({ line: n, reason: reasonOf(err) });
        else throw err;
      }
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

/** Lines of a file, or of stdin for '-'; CRLF line ends are accepted (JSON treats CR as blank). */
export function readLines(path: string, stdin: Readable = process.stdin): AsyncIterable<string> {
  const input = path === '-' ? stdin : createReadStream(path, { encoding: 'utf8' });
  return createInterface({ input, crlfDelay: Infinity });
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
