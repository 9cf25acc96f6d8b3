import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { SelectQuery } from '../select/ast.js';
import { SYNCHRONOUS, type Durability } from './durability.js';
import { LIVE_TABLES, SCHEMA_VERSION, schemaSql } from './schema.js';
import { selectPage, type SelectPage, type SelectRows } from './selectPage.js';
import type { DeletePair, DomainStats, PutEffect, PutPair, StoredPair } from './types.js';
import { Versions, type ReadView } from './versions.js';

export type { DeletePair, DomainStats, PutEffect, PutPair, StoredPair } from './types.js';
export type { SelectedItem, SelectPage, SelectRows } from './selectPage.js';

/** One item's put under way, between `beginPut` and `endPut`. */
export interface ItemPut {
  readonly domainId: number;
  readonly item: string;
  readonly id: number;
  readonly created: boolean;
  pairDelta: number;
  byteDelta: number;
}

/**
 * SQLite's page size. A pair is a row of the attrs table and of its value index, both b-trees
 * whose rows must fit a quarter of a page or spill into overflow pages of their own: at the
 * default 4 KiB, a 1 kB value spilled into a mostly empty 4 KiB page twice, and a domain of such
 * values took nine times its data in memory and on disk. At 8 KiB a 1,024-byte value with a name
 * of up to about 900 bytes stays inline (docs/performance.md, `npm run bench` storage rows); 16
 * KiB would hold any pair but doubles the bytes a small write puts in the WAL.
 */
export const PAGE_SIZE = 8192;

export interface StoreOptions {
  /** The benchmark sets the previous default (4096) to measure against it; nothing else should. */
  pageSize?: number;
}

/** A pair as a raw statement returns it. */
type PairRow = [name: string, value: string];

/** The bytes a pair counts against the domain's 10 GB: its name and its value. */
const pairBytes = 'length(CAST(name AS BLOB)) + length(CAST(value AS BLOB))';

/**
 * SQLite storage. Every statement is prepared once with bound parameters; no caller text is
 * ever part of SQL. Methods are synchronous (better-sqlite3), and the caller wraps a whole
 * request in `transaction` so that checks and writes are atomic.
 */
export class Store {
  readonly db: Database.Database;
  /** Older states for eventually consistent reads; logs nothing until a simulation starts it. */
  readonly versions: Versions;
  private readonly s;
  /** Built once: better-sqlite3's transaction() wrapper costs more than a small write to create. */
  private readonly tx: Database.Transaction<(fn: () => unknown) => unknown>;
  private inSlices = false;

  constructor(readonly path = ':memory:', durability: Durability = 'normal', options: StoreOptions = {}) {
    this.db = new Database(path);
    // Before anything creates the file or the temporary database; a file made with another page
    // size keeps it (SQLite changes it only by VACUUM, and never in WAL mode).
    const pageSize = options.pageSize ?? PAGE_SIZE;
    if (!Number.isInteger(pageSize)) throw new Error(`pageSize: ${pageSize} is not a whole number`);
    this.db.pragma(`page_size = ${pageSize}`);
    this.db.pragma(`temp.page_size = ${pageSize}`);
    if (path !== ':memory:' && path !== '') {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
    }
    this.db.pragma(`synchronous = ${SYNCHRONOUS[durability]}`);
    this.db.exec(schemaSql);
    this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schema', String(SCHEMA_VERSION));
    const db = this.db;
    this.versions = new Versions(db);
    this.tx = db.transaction((fn: () => unknown) => fn());
    this.s = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      // Plucked and raw statements below: better-sqlite3 builds a row object in C++ at several
      // times the cost of a JS literal, and a GetAttributes reads three statements per request.
      domainId: db.prepare<[string, string], number>('SELECT id FROM domains WHERE account = ? AND name = ?').pluck(),
      domainCount: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM domains WHERE account = ?'),
      insertDomain: db.prepare<[string, string, number]>(
        'INSERT OR IGNORE INTO domains (account, name, created_at) VALUES (?, ?, ?)',
      ),
      deleteDomain: db.prepare<[number]>('DELETE FROM domains WHERE id = ?'),
      deleteDomainItems: db.prepare<[number]>('DELETE FROM items WHERE domain_id = ?'),
      deleteDomainAttrs: db.prepare<[number]>('DELETE FROM attrs WHERE domain_id = ?'),
      listDomains: db.prepare<[string, string, number], { name: string }>(
        'SELECT name FROM domains WHERE account = ? AND name > ? ORDER BY name LIMIT ?',
      ),
      itemId: db.prepare<[number, string], number>('SELECT id FROM items WHERE domain_id = ? AND name = ?').pluck(),
      insertItem: db.prepare<[number, string]>('INSERT INTO items (domain_id, name) VALUES (?, ?)'),
      deleteItem: db.prepare<[number]>('DELETE FROM items WHERE id = ?'),
      itemPairs: db
        .prepare<[number], PairRow>('SELECT name, value FROM attrs WHERE item_id = ? ORDER BY name, value')
        .raw(),
      itemPairsNamed: db
        .prepare<[number, string], PairRow>(
          'SELECT name, value FROM attrs WHERE item_id = ? AND name IN (SELECT value FROM json_each(?)) ORDER BY name, value',
        )
        .raw(),
      attrValues: db.prepare<[number, string], { value: string }>(
        'SELECT value FROM attrs WHERE item_id = ? AND name = ? ORDER BY value LIMIT 2',
      ),
      itemPairCount: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM attrs WHERE item_id = ?'),
      insertPair: db.prepare<[number, string, string, number]>(
        'INSERT OR IGNORE INTO attrs (item_id, name, value, domain_id) VALUES (?, ?, ?, ?)',
      ),
      // Read, then a plain delete: measured twice as fast here as DELETE … RETURNING.
      valuesOf: db.prepare<[number, string], string>('SELECT value FROM attrs WHERE item_id = ? AND name = ?').pluck(),
      deleteName: db.prepare<[number, string]>('DELETE FROM attrs WHERE item_id = ? AND name = ?'),
      deletePair: db.prepare<[number, string, string], { bytes: number }>(
        `DELETE FROM attrs WHERE item_id = ? AND name = ? AND value = ? RETURNING ${pairBytes} AS bytes`,
      ),
      deleteItemPairs: db.prepare<[number], StoredPair & { bytes: number }>(
        `DELETE FROM attrs WHERE item_id = ? RETURNING name, value, ${pairBytes} AS bytes`,
      ),
      addTotals: db.prepare<[number, number, number]>(
        'UPDATE domains SET pair_count = pair_count + ?, byte_count = byte_count + ? WHERE id = ?',
      ),
      totals: db.prepare<[number], { pairCount: number; byteCount: number }>(
        'SELECT pair_count AS pairCount, byte_count AS byteCount FROM domains WHERE id = ?',
      ),
      itemStats: db.prepare<[number], { n: number; bytes: number | null }>(
        'SELECT count(*) AS n, sum(length(CAST(name AS BLOB))) AS bytes FROM items WHERE domain_id = ?',
      ),
      nameStats: db.prepare<[number], { n: number; bytes: number | null }>(
        `SELECT count(*) AS n, sum(length(CAST(name AS BLOB))) AS bytes
           FROM (SELECT DISTINCT name FROM attrs WHERE domain_id = ?)`,
      ),
      valueStats: db.prepare<[number], { n: number; bytes: number | null }>(
        'SELECT count(*) AS n, sum(length(CAST(value AS BLOB))) AS bytes FROM attrs WHERE domain_id = ?',
      ),
    };
  }

  /** The key that signs NextTokens, kept in the file so tokens survive a restart. */
  tokenKey(): Buffer {
    const get = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    const found = get.get('token_key');
    if (found) return Buffer.from(found.value, 'base64');
    this.db
      .prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)')
      .run('token_key', randomBytes(32).toString('base64'));
    return Buffer.from(get.get('token_key')?.value ?? '', 'base64');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE: safe when processes share a file). */
  transaction<T>(fn: () => T): T {
    // Inside the open transaction of a write in slices, this one would commit or roll back with
    // it: whatever calls here must wait for that write (http/gate.ts keeps requests out).
    if (this.inSlices) throw new Error('the store is applying a large write in slices; wait for it to end');
    const run = () => this.tx.immediate(fn) as T;
    return this.versions.recording ? this.versions.around(run) : run();
  }

  /** Whether a write in slices holds the transaction open (`transactionInSlices`). */
  get writingInSlices(): boolean {
    return this.inSlices;
  }

  /**
   * One write transaction that `apply` fills across turns of the event loop, committed when it
   * resolves and rolled back when it rejects. Between its slices other requests run on this same
   * connection and would see its uncommitted rows: the caller keeps out every request that reads
   * what it writes, and every write (http/gate.ts). Eventually consistent reads meanwhile are
   * drawn from the writes before it (versions.ts), and it is one write sequence, as a
   * `transaction` is.
   */
  async transactionInSlices<T>(apply: () => Promise<T>): Promise<T> {
    if (this.inSlices || this.db.inTransaction) throw new Error('a write transaction is already open');
    this.s.begin.run();
    this.inSlices = true;
    this.versions.beginSliced();
    let committed = false;
    try {
      const out = await apply();
      this.s.commit.run();
      committed = true;
      return out;
    } finally {
      // A closed database has rolled the transaction back itself.
      if (!committed && this.db.open && this.db.inTransaction) this.s.rollback.run();
      this.versions.endSliced(committed);
      this.inSlices = false;
    }
  }

  reset(): void {
    this.transaction(() => {
      this.db.exec('DELETE FROM attrs; DELETE FROM items; DELETE FROM domains;');
      this.versions.clear();
    });
  }

  /** Drops one account's domains, leaving the others' (an isolated caller's reset). */
  resetAccount(account: string): void {
    // LIMIT -1: SQLite's "no limit".
    this.transaction(() => {
      for (const name of this.listDomains(account, '', -1)) this.deleteDomain(account, name);
    });
  }

  // Domains

  domainId(account: string, name: string): number | undefined {
    return this.s.domainId.get(account, name);
  }

  domainCount(account: string): number {
    return this.s.domainCount.get(account)?.n ?? 0;
  }

  /** The new domain's id (when the domain already exists, nothing changes and the id is meaningless). */
  createDomain(account: string, name: string, nowSeconds: number): number {
    return Number(this.s.insertDomain.run(account, name, nowSeconds).lastInsertRowid);
  }

  deleteDomain(account: string, name: string): void {
    const id = this.domainId(account, name);
    if (id === undefined) return;
    // Its id may be reused by the next domain created, which must not inherit this one's past.
    this.versions.forgetDomain(id);
    this.s.deleteDomainAttrs.run(id);
    this.s.deleteDomainItems.run(id);
    this.s.deleteDomain.run(id);
  }

  /** Names strictly after `after`, in byte order. */
  listDomains(account: string, after: string, limit: number): string[] {
    return this.s.listDomains.all(account, after, limit).map((r) => r.name);
  }

  domainStats(domainId: number): DomainStats {
    const items = this.s.itemStats.get(domainId);
    const names = this.s.nameStats.get(domainId);
    const values = this.s.valueStats.get(domainId);
    return {
      itemCount: items?.n ?? 0,
      itemNamesSizeBytes: items?.bytes ?? 0,
      attributeNameCount: names?.n ?? 0,
      attributeNamesSizeBytes: names?.bytes ?? 0,
      attributeValueCount: values?.n ?? 0,
      attributeValuesSizeBytes: values?.bytes ?? 0,
    };
  }

  totals(domainId: number): { pairCount: number; byteCount: number } {
    return this.s.totals.get(domainId) ?? { pairCount: 0, byteCount: 0 };
  }

  // Items

  itemId(domainId: number, item: string): number | undefined {
    return this.s.itemId.get(domainId, item);
  }

  /**
   * Every pair of the item, or those whose name is listed; name then value byte order. With a
   * `view`, the item as an eventually consistent read at that version sees it.
   */
  getAttributes(domainId: number, item: string, names?: readonly string[], view?: ReadView): StoredPair[] {
    if (view) return this.versions.itemAt(domainId, item, names, view);
    const id = this.itemId(domainId, item);
    if (id === undefined) return [];
    return this.pairsOf(id, names);
  }

  private pairsOf(itemId: number, names?: readonly string[]): StoredPair[] {
    const rows =
      names === undefined || names.length === 0
        ? this.s.itemPairs.all(itemId)
        : this.s.itemPairsNamed.all(itemId, JSON.stringify(names));
    const pairs = new Array<StoredPair>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [name, value] = rows[i] as PairRow;
      pairs[i] = { name, value };
    }
    return pairs;
  }

  /**
   * One page of a parsed and validated Select, in one read transaction: on the live tables, or
   * with a `view` (drawn by the consistency simulation) on the domain as that read sees it.
   */
  select(domainId: number, query: SelectQuery, page: SelectPage, view: ReadView | undefined): SelectRows {
    if (view) return this.versions.materialise(domainId, view, (t) => selectPage(this.db, t, domainId, query, page));
    return this.tx.deferred(() => selectPage(this.db, LIVE_TABLES, domainId, query, page)) as SelectRows;
  }

  /** Up to two values of one attribute: enough to tell absent, single and multi-valued. */
  valuesForCheck(domainId: number, item: string, name: string): string[] {
    const id = this.itemId(domainId, item);
    if (id === undefined) return [];
    return this.s.attrValues.all(id, name).map((r) => r.value);
  }

  /**
   * Replace first (every name submitted with Replace=true loses its old values), then add each
   * pair as a set member. Only growth can breach a limit, so the item is counted only when the
   * write added pairs, and the caller checks domain limits only when a total went up.
   */
  putAttributes(domainId: number, item: string, pairs: readonly PutPair[]): PutEffect {
    const put = this.beginPut(domainId, item, pairs);
    this.putPairs(put, pairs, 0, pairs.length);
    return this.endPut(put);
  }

  /**
   * `putAttributes` in steps, for a write applied in slices (`transactionInSlices`): the item and
   * its replaced names first, then `putPairs` over consecutive ranges of `pairs`, then `endPut`.
   */
  beginPut(domainId: number, item: string, pairs: readonly PutPair[]): ItemPut {
    let id = this.itemId(domainId, item);
    const created = id === undefined;
    if (id === undefined) id = Number(this.s.insertItem.run(domainId, item).lastInsertRowid);
    const put: ItemPut = { domainId, item, id, created, pairDelta: 0, byteDelta: 0 };
    let replaced: Set<string> | undefined;
    for (const p of pairs) {
      if (!p.replace || replaced?.has(p.name)) continue;
      (replaced ??= new Set()).add(p.name);
      for (const value of this.removeName(id, p.name)) {
        put.pairDelta--;
        put.byteDelta -= Buffer.byteLength(p.name) + Buffer.byteLength(value);
        if (this.versions.recording) this.versions.changed(domainId, item, p.name, value);
      }
    }
    return put;
  }

  /** Adds `pairs[from]` up to (not including) `pairs[to]` as set members. */
  putPairs(put: ItemPut, pairs: readonly PutPair[], from: number, to: number): void {
    const { domainId, item, id } = put;
    for (let i = from; i < to; i++) {
      const p = pairs[i] as PutPair;
      if (this.s.insertPair.run(id, p.name, p.value, domainId).changes > 0) {
        if (this.versions.recording) this.versions.changed(domainId, item, p.name, p.value);
        put.pairDelta++;
        put.byteDelta += Buffer.byteLength(p.name) + Buffer.byteLength(p.value);
      }
    }
  }

  endPut(put: ItemPut): PutEffect {
    const { domainId, id, created, pairDelta, byteDelta } = put;
    if (pairDelta !== 0 || byteDelta !== 0) this.s.addTotals.run(pairDelta, byteDelta, domainId);
    // Every submitted pair is stored afterwards, so only a put of nothing leaves a new item empty.
    if (created && pairDelta === 0) this.s.deleteItem.run(id);
    let itemPairs: number | undefined;
    // A new item holds exactly what was inserted: no count for each item of a batch.
    if (pairDelta > 0) itemPairs = created ? pairDelta : (this.s.itemPairCount.get(id)?.n ?? 0);
    return { itemPairs, grew: pairDelta > 0 || byteDelta > 0 };
  }

  /** Deletes every value of one attribute; returns the values removed. */
  private removeName(itemId: number, name: string): string[] {
    const values = this.s.valuesOf.all(itemId, name);
    if (values.length > 0) this.s.deleteName.run(itemId, name);
    return values;
  }

  /** `pairs` undefined or empty: the whole item. The item goes with its last pair. */
  deleteAttributes(domainId: number, item: string, pairs?: readonly DeletePair[]): void {
    const id = this.itemId(domainId, item);
    if (id === undefined) return;
    let removed: (StoredPair & { bytes: number })[] = [];
    if (pairs === undefined || pairs.length === 0) {
      removed = this.s.deleteItemPairs.all(id);
    } else {
      for (const { name, value } of pairs) {
        const rows =
          value === undefined
            ? this.removeName(id, name).map((v) => ({ name, value: v, bytes: Buffer.byteLength(name) + Buffer.byteLength(v) }))
            : this.s.deletePair.all(id, name, value).map((r) => ({ name, value, ...r }));
        removed.push(...rows);
      }
    }
    if (this.versions.recording) {
      for (const r of removed) this.versions.changed(domainId, item, r.name, r.value);
    }
    if (removed.length > 0) {
      this.s.addTotals.run(-removed.length, -removed.reduce((sum, r) => sum + r.bytes, 0), domainId);
    }
    if ((this.s.itemPairCount.get(id)?.n ?? 0) === 0) this.s.deleteItem.run(id);
  }
}
