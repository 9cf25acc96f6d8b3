import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { SimpleDBClient } from '../../client/client.js';
import { BatchPutAttributesCommand, CreateDomainCommand, SimpleDBServiceError, type ReplaceableItem } from '../../client/index.js';
import { ensureDomain } from '../actions/createDomain.js';
import { checkLimits } from '../actions/limits.js';
import { DEFAULT_LIMITS } from '../actions/types.js';
import type { StoredPair, Store } from '../store/store.js';
import { chooseDomains, domainSize, listDomains, selectPage } from './export.js';

export interface MirrorItem {
  item: string;
  pairs: StoredPair[];
}

/** Where a mirror writes. Writing a page twice (a resumed run) must leave the same state. */
export interface MirrorTarget {
  readonly description: string;
  createDomain(domain: string): Promise<void>;
  /** The page's items, each made equal to the source's (its attributes replaced). */
  writePage(domain: string, items: readonly MirrorItem[]): Promise<void>;
}

/** A database file, in the shared account namespace: one transaction per page. */
export function storeTarget(store: Store): MirrorTarget {
  const account = '';
  const id = (domain: string) => {
    const found = store.domainId(account, domain);
    if (found === undefined) throw new Error(`domain ${domain} vanished from the target`);
    return found;
  };
  return {
    description: store.path,
    createDomain: (domain) => {
      store.transaction(() => ensureDomain(store, account, domain, DEFAULT_LIMITS.maxDomains, Math.floor(Date.now() / 1000)));
      return Promise.resolve();
    },
    writePage: (domain, items) => {
      const domainId = id(domain);
      store.transaction(() => {
        for (const { item, pairs } of items) {
          store.deleteAttributes(domainId, item);
          const effect = store.putAttributes(domainId, item, pairs.map((p) => ({ ...p, replace: false })));
          checkLimits(store, domainId, DEFAULT_LIMITS, [effect]);
        }
      });
      return Promise.resolve();
    },
  };
}

/** BatchPutAttributes allows 25 items; the service also caps a request near 1 MB of names and values. */
const BATCH_ITEMS = 25;
const BATCH_BYTES = 1_000_000;

/**
 * Any SimpleDB endpoint, through BatchPutAttributes with Replace on every attribute: an item's
 * attributes become the source's; attributes the source no longer has are left alone (a mirror
 * copies, it does not delete).
 */
export function endpointTarget(client: SimpleDBClient): MirrorTarget {
  return {
    description: client.config.endpoint.href,
    createDomain: async (domain) => {
      await client.send(new CreateDomainCommand({ DomainName: domain }));
    },
    writePage: async (domain, items) => {
      const batches: ReplaceableItem[][] = [];
      let batch: ReplaceableItem[] = [];
      let bytes = 0;
      for (const { item, pairs } of items) {
        const size = pairs.reduce((n, p) => n + Buffer.byteLength(p.name) + Buffer.byteLength(p.value), Buffer.byteLength(item));
        if (batch.length === BATCH_ITEMS || (batch.length > 0 && bytes + size > BATCH_BYTES)) {
          batches.push(batch);
          batch = [];
          bytes = 0;
        }
        batch.push({ Name: item, Attributes: pairs.map((p) => ({ Name: p.name, Value: p.value, Replace: true })) });
        bytes += size;
      }
      if (batch.length > 0) batches.push(batch);
      // A few requests in flight hide the round trip; the page is done only when all are.
      for (let k = 0; k < batches.length; k += 4) {
        await Promise.all(
          batches.slice(k, k + 4).map((b) => client.send(new BatchPutAttributesCommand({ DomainName: domain, Items: b }))),
        );
      }
    },
  };
}

interface DomainProgress {
  /** The NextToken of the first page not yet written; absent before the first page. */
  nextToken?: string;
  done: boolean;
  items: number;
  pairs: number;
}

/** The checkpoint file: what a resumed run skips. Written after each page (docs/data.md). */
interface Checkpoint {
  version: 1;
  from: string;
  to: string;
  domains: Record<string, DomainProgress>;
}

export interface MirrorProgress {
  /** `totalsKnown` false: the source gives no DomainMetadata, so `total` counts only what is done. */
  start(total: { items: number; pairs: number }, done: { items: number; pairs: number }, totalsKnown?: boolean): void;
  update(domain: string, done: { items: number; pairs: number }): void;
  /** `finished`: every domain was copied (else the run stopped, and the checkpoint remains). */
  stop(finished: boolean): void;
}

export interface MirrorOptions {
  from: SimpleDBClient;
  to: MirrorTarget;
  domains?: readonly string[];
  checkpointFile: string;
  progress?: MirrorProgress;
  /** What the mirror does differently because the source lacks an action (one line each). */
  notice?: (message: string) => void;
}

export interface MirrorResult {
  domains: string[];
  items: number;
  pairs: number;
  resumed: boolean;
}

function readCheckpoint(file: string, from: string, to: string): Checkpoint | undefined {
  if (!existsSync(file)) return undefined;
  let c: Checkpoint;
  try {
    c = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
  } catch (err) {
    throw new Error(`checkpoint ${file} is not readable JSON (${(err as Error).message}); delete it to start over`);
  }
  if (c.version !== 1 || c.from !== from || c.to !== to || typeof c.domains !== 'object') {
    throw new Error(`checkpoint ${file} belongs to another mirror (${String(c.from)} → ${String(c.to)}); delete it to start over`);
  }
  return c;
}

/** Replaced atomically, so an interruption leaves the old checkpoint or the new one, never half of one. */
function writeCheckpoint(file: string, c: Checkpoint): void {
  const temp = `${file}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(c));
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new Error(`cannot write the checkpoint ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Copies domains page by page (Select with ConsistentRead, 2,500 items a page), recording after
 * each written page the NextToken of the next. An interrupted run started again with the same
 * checkpoint file continues from there; a page written before the interruption but not yet
 * recorded is written again, which leaves the same state. The checkpoint is removed at the end.
 */
export async function mirror(o: MirrorOptions): Promise<MirrorResult> {
  const from = o.from.config.endpoint.href;
  const previous = readCheckpoint(o.checkpointFile, from, o.to.description);
  const domains = await sourceDomains(o);
  const checkpoint: Checkpoint = previous ?? { version: 1, from, to: o.to.description, domains: {} };
  let total = { items: 0, pairs: 0 };
  const done = { items: 0, pairs: 0 };
  let totalsKnown = true;
  for (const domain of domains) {
    const p = (checkpoint.domains[domain] ??= { done: false, items: 0, pairs: 0 });
    let size = { items: 0, pairs: 0 };
    if (totalsKnown && !p.done) {
      try {
        size = await domainSize(o.from, domain);
      } catch (err) {
        const lacks = unsupported(err);
        if (lacks === undefined) throw err;
        // Totals only feed the progress display: asked once, and copying goes on without them.
        totalsKnown = false;
        o.notice?.(`the source does not support DomainMetadata (${lacks}); copying without totals`);
      }
    }
    // Done domains count what was copied; the rest what the source holds now.
    total = { items: total.items + (p.done ? p.items : size.items), pairs: total.pairs + (p.done ? p.pairs : size.pairs) };
    done.items += p.items;
    done.pairs += p.pairs;
  }
  o.progress?.start(total, done, totalsKnown);
  let finished = false;
  try {
    for (const domain of domains) {
      const p = checkpoint.domains[domain];
      if (!p || p.done) continue;
      await o.to.createDomain(domain);
      do {
        const page = await selectPage(o.from, domain, p.nextToken).catch((err: unknown) => {
          const lacks = unsupported(err);
          if (lacks === undefined) throw err;
          throw new Error(`the source does not support Select (${lacks}): a mirror reads items only through Select, so ${domain} cannot be copied`, { cause: err });
        });
        await o.to.writePage(domain, page.items);
        const pairs = page.items.reduce((n, i) => n + i.pairs.length, 0);
        p.items += page.items.length;
        p.pairs += pairs;
        done.items += page.items.length;
        done.pairs += pairs;
        if (page.nextToken === undefined) {
          delete p.nextToken;
          p.done = true;
        } else p.nextToken = page.nextToken;
        writeCheckpoint(o.checkpointFile, checkpoint);
        o.progress?.update(domain, done);
      } while (!p.done);
    }
    finished = true;
  } finally {
    o.progress?.stop(finished);
  }
  rmSync(o.checkpointFile, { force: true });
  return { domains, items: done.items, pairs: done.pairs, resumed: previous !== undefined };
}

/** The domains to copy; a source without ListDomains can still be mirrored when --domain names them. */
async function sourceDomains(o: MirrorOptions): Promise<string[]> {
  try {
    return chooseDomains(await listDomains(o.from), o.domains);
  } catch (err) {
    const lacks = unsupported(err);
    if (lacks === undefined) throw err;
    if (o.domains === undefined || o.domains.length === 0) {
      throw new Error(`the source does not support ListDomains (${lacks}); name the domains to copy with --domain`, { cause: err });
    }
    o.notice?.(`the source does not support ListDomains (${lacks}); copying the named domains`);
    return [...o.domains];
  }
}

/** Codes by which implementations say they lack an action (the service's own is InvalidAction). */
const LACKS_ACTION = new Set(['InvalidAction', 'NotImplemented', 'UnsupportedOperation', 'UnknownOperation']);

/**
 * Why an error means the source lacks the action rather than that one call failed, or undefined:
 * an error code saying so, or an HTTP 500/501 with no SimpleDB error document (an HTML page of a
 * server that does not know the action).
 */
export function unsupported(err: unknown): string | undefined {
  if (!(err instanceof SimpleDBServiceError)) return undefined;
  const status = err.$metadata.httpStatusCode;
  if (LACKS_ACTION.has(err.name)) return `it answers ${err.name}, HTTP ${status}`;
  if (err.name === 'InternalServerError' || (status === 501 && err.name === 'NotImplemented')) {
    return `it answers HTTP ${status} without a SimpleDB error document`;
  }
  return undefined;
}

/** Progress on stderr: a bar on a terminal (items, pairs, rate, ETA), else a line at most every `everyMs`. */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr, everyMs = 2000): MirrorProgress {
  const started = Date.now();
  let total = { items: 0, pairs: 0 };
  let startItems = 0;
  let last = 0;
  const rate = (items: number) => (items - startItems) / Math.max(0.001, (Date.now() - started) / 1000);
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: 'mirror {bar} {value}/{total} items | {pairs} pairs | {rate} items/s | ETA {eta_formatted} | {domain}',
      hideCursor: true,
      etaBuffer: 50,
    });
    return {
      start: (t, d) => {
        total = t;
        startItems = d.items;
        bar.start(Math.max(t.items, d.items), d.items, { pairs: d.pairs, rate: 0, domain: '' });
      },
      update: (domain, d) => {
        bar.setTotal(Math.max(total.items, d.items));
        bar.update(d.items, { pairs: d.pairs, rate: Math.round(rate(d.items)), domain });
      },
      stop: () => bar.stop(),
    };
  }
  let lastDone = { items: 0, pairs: 0 };
  let known = true;
  const line = (domain: string, d: { items: number; pairs: number }) => {
    const r = rate(d.items);
    const left = Math.max(0, total.items - d.items);
    const eta = r > 0 ? `${Math.ceil(left / r)} s` : '?';
    const of = known ? `${d.items}/${total.items} items, ${d.pairs} pairs, ${Math.round(r)} items/s, ETA ${eta}` : `${d.items} items, ${d.pairs} pairs, ${Math.round(r)} items/s`;
    stream.write(`mirror: ${domain} ${of}\n`);
  };
  return {
    start: (t, d, totalsKnown = true) => {
      total = t;
      known = totalsKnown;
      startItems = d.items;
      lastDone = d;
      const what = totalsKnown ? `${t.items} items, ${t.pairs} pairs to copy` : 'copying (no totals from the source)';
      stream.write(`mirror: ${what}${d.items > 0 ? `; resuming after ${d.items} items` : ''}\n`);
    },
    update: (domain, d) => {
      lastDone = { ...d };
      if (Date.now() - last < everyMs) return;
      last = Date.now();
      line(domain, d);
    },
    stop: (finished) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const what = `${lastDone.items} items, ${lastDone.pairs} pairs`;
      stream.write(finished ? `mirror: done, ${what} in ${seconds} s\n` : `mirror: stopped after ${what}; run again to resume\n`);
    },
  };
}
