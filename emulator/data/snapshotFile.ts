/**
 * Snapshot files (docs/data.md): a whole store, every account, in one file that outlasts the
 * process and loads at start (`--load-snapshot`). The format is the NDJSON of `export` behind one
 * header line, so a file is diffable and reviewable like any fixture, and loading it is the
 * importer with its line-by-line checks:
 *
 *   {"simpledbLocalSnapshot":1,"name":"fixture","createdAt":"…","domains":1,"items":1,"pairs":2}
 *   {"domain":"users"}
 *   {"domain":"users","item":"u1","attributes":{"a":["1","2"]}}
 *   {"account":"team-b"}                          the lines after it belong to that account
 *   …
 *
 * The header's counts are checked against what the file holds, so a file cut short (a failed
 * copy, a truncated download) is refused instead of loading part of a state.
 */
import { writeAtomically } from './atomicFile.js';
import { Bulk, type TableSource } from '../store/bulk.js';
import type { Store } from '../store/store.js';
import { accountLine, domainLine, FormatError, itemLine, printable } from './format.js';
import { importLines, readLines, UndecodableLine, type ImportOptions } from './import.js';

/** The format version this emulator writes and reads; a file of another version is refused by name. */
export const SNAPSHOT_FILE_VERSION = 1;
const MARK = 'simpledbLocalSnapshot';

export interface SnapshotFileCounts {
  domains: number;
  items: number;
  pairs: number;
}

export interface SnapshotFileHeader extends SnapshotFileCounts {
  /** The snapshot's name when a named snapshot was saved; absent for the state at the time of saving. */
  name?: string;
  /** ISO-8601 time of the state the file holds. */
  createdAt: string;
}

/** A whole file's text: the header, then each account's lines ('' first, with no account line). */
export function snapshotFileText(store: Store, meta: { name?: string; createdAt: string }, from: TableSource = ''): string {
  const counts: SnapshotFileCounts = { domains: 0, items: 0, pairs: 0 };
  const body: string[] = [];
  const bulk = new Bulk(store, from);
  // Synchronous from BEGIN to COMMIT: on the emulator's own connection no request runs in between.
  bulk.beginRead();
  try {
    for (const account of bulk.accounts()) {
      if (account !== '') body.push(accountLine(account));
      for (const domain of bulk.domains(account)) {
        body.push(domainLine(domain.name));
        counts.domains++;
        let item: string | undefined;
        let pairs: { name: string; value: string }[] = [];
        const flush = () => {
          if (item === undefined) return;
          body.push(itemLine(domain.name, item, pairs));
          counts.items++;
          counts.pairs += pairs.length;
        };
        for (const row of bulk.pairs(domain.id)) {
          if (row.item !== item) {
            flush();
            item = row.item;
            pairs = [];
          }
          pairs.push({ name: row.name, value: row.value });
        }
        flush();
      }
    }
  } finally {
    bulk.endRead();
  }
  const header: Record<string, unknown> = { [MARK]: SNAPSHOT_FILE_VERSION };
  if (meta.name !== undefined) header.name = meta.name;
  Object.assign(header, { createdAt: meta.createdAt }, counts);
  return `${JSON.stringify(header)}\n${body.join('')}`;
}

/** Saves `text` as a snapshot file at `path`, through a temporary file (atomicFile.ts). */
export function writeFileAtomically(path: string, text: string): Promise<void> {
  return writeAtomically(path, `snapshot file ${path}`, (out) => void out.write(text));
}

/** Reads and checks line 1; the reason names what is wrong, never echoes more than a short quote. */
function parseHeader(text: string): SnapshotFileHeader {
  const notOne = `not a snapshot file of simpledb-local: its first line is not a {"${MARK}":${SNAPSHOT_FILE_VERSION},…} header`;
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch {
    throw new FormatError(`${notOne} (it is not JSON: "${printable(text)}")`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !(MARK in value)) {
    const fixture = typeof value === 'object' && value !== null && 'domain' in value;
    throw new FormatError(fixture ? `${notOne}; it looks like plain NDJSON, which --load (startEmulator({ load })) takes` : notOne);
  }
  const h = value as Record<string, unknown>;
  if (h[MARK] !== SNAPSHOT_FILE_VERSION) {
    throw new FormatError(`format version ${printable(JSON.stringify(h[MARK]))}; this simpledb-local reads version ${SNAPSHOT_FILE_VERSION} only`);
  }
  const count = (k: keyof SnapshotFileCounts): number => {
    const n = h[k];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new FormatError(`the header's "${k}" is not a count`);
    return n;
  };
  if (typeof h.createdAt !== 'string') throw new FormatError('the header has no "createdAt" time');
  if (h.name !== undefined && typeof h.name !== 'string') throw new FormatError('the header\'s "name" is not a string');
  return { name: h.name, createdAt: h.createdAt, domains: count('domains'), items: count('items'), pairs: count('pairs') };
}

/**
 * Makes the store exactly the file's state, every account: in one transaction the store is
 * emptied and the file's lines written, each checked as `import` checks it. A file that is not
 * a snapshot, of another version, with any bad line, or holding other counts than its header
 * says, writes nothing: the store is left as it was. Errors name the file and the line.
 */
export async function loadSnapshotFile(
  store: Store,
  path: string,
  o: Pick<ImportOptions, 'limits' | 'now'> = {},
): Promise<SnapshotFileHeader> {
  const lines = readLines(path);
  const fail = (where: string, reason: string) => new Error(`snapshot ${path}${where}: ${reason}`);
  let first: IteratorResult<string | UndecodableLine>;
  try {
    first = await lines.next();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail('', code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`);
  }
  if (first.done === true) throw fail('', 'the file is empty');
  if (first.value instanceof UndecodableLine) throw fail(' line 1', first.value.reason);
  let header: SnapshotFileHeader;
  try {
    header = parseHeader(first.value);
  } catch (err) {
    if (err instanceof FormatError) throw fail(' line 1', err.message);
    throw err;
  }
  let mismatch: string | undefined;
  const rest: AsyncIterable<string | UndecodableLine> = { [Symbol.asyncIterator]: () => lines };
  let result;
  try {
    result = await importLines(store, rest, {
      ...o,
      clearFirst: true,
      accountLines: true,
      firstLine: 2,
      check: (r) => {
        if (r.domainsCreated === header.domains && r.items === header.items && r.pairs === header.pairs) return undefined;
        mismatch =
          `the header says ${header.domains} domains, ${header.items} items, ${header.pairs} pairs, but the file holds ` +
          `${r.domainsCreated}, ${r.items}, ${r.pairs} (cut short, or edited without its header)`;
        return mismatch;
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail('', `cannot read it (${code ?? (err as Error).message})`);
  }
  if (mismatch !== undefined) throw fail('', mismatch);
  const bad = result.errors[0];
  if (bad) {
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more bad lines)` : '';
    throw fail(` line ${bad.line}`, `${bad.reason}${more}`);
  }
  return header;
}
