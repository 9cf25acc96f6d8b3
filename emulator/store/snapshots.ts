import type { TableSource } from './bulk.js';
import type { Store } from './store.js';

/** The store's data tables, parents first (restore inserts in this order, clears in reverse). */
const TABLES = ['domains', 'items', 'attrs'] as const;

export interface SnapshotCounts {
  domains: number;
  items: number;
  pairs: number;
}

/**
 * Whole-store snapshots as table copies in an in-memory database attached to the store's
 * connection. Each snapshot gets tables made from the store's own CREATE statements (read from
 * sqlite_schema, so they follow any schema change), which lets SQLite copy `INSERT INTO t SELECT *
 * FROM u` between identical empty tables record by record, indexes included, without re-sorting
 * (its transfer optimisation): with 50,000 pairs, three to four times faster than copying into
 * shared tables keyed by snapshot (figures in docs/data.md, from `npm run bench`). Capture and restore are one
 * transaction each, never touch a file, and work alike for :memory: and file stores.
 *
 * Table names are `s<N>_<table>` for the snapshot's number N, which this class hands out: no
 * caller's text ever becomes part of SQL.
 */
export class SnapshotTables {
  private attached = false;
  private ddl: { table: string; sql: string }[] = [];

  constructor(private readonly store: Store) {}

  /** Attached on first use: ATTACH cannot run inside a transaction, and most emulators never snapshot. */
  private attach(): void {
    if (this.attached) return;
    const db = this.store.db;
    db.prepare("ATTACH DATABASE ':memory:' AS snapshots").run();
    // The same page size as the live tables: copies of 1 kB values would otherwise spill as they once did there.
    db.pragma(`snapshots.page_size = ${Number(db.pragma('main.page_size', { simple: true }))}`);
    this.ddl = db
      .prepare<[], { table: string; sql: string }>(
        `SELECT tbl_name AS "table", sql FROM main.sqlite_schema
          WHERE tbl_name IN ('domains', 'items', 'attrs') AND sql IS NOT NULL ORDER BY type DESC`,
      )
      .all();
    this.attached = true;
  }

  /** CREATE TABLE x / CREATE INDEX i ON x, renamed into the snapshot's own tables. */
  private create(snap: number): void {
    const prefix = `s${snap}_`;
    for (const { sql } of this.ddl) {
      const renamed = sql
        .replace(/^CREATE TABLE (\w+)/, (_m, t: string) => `CREATE TABLE snapshots.${prefix}${t}`)
        .replace(/^CREATE INDEX (\w+) ON (\w+)/, (_m, i: string, t: string) => `CREATE INDEX snapshots.${prefix}${i} ON ${prefix}${t}`);
      this.store.db.exec(renamed);
    }
  }

  /** Copies the whole store (every account) as snapshot `snap`, a number not in use. */
  capture(snap: number): SnapshotCounts {
    this.attach();
    const db = this.store.db;
    return this.store.transaction(() => {
      this.create(snap);
      const [domains, items, pairs] = TABLES.map(
        (t) => db.prepare(`INSERT INTO snapshots.s${snap}_${t} SELECT * FROM main.${t}`).run().changes,
      );
      return { domains: domains ?? 0, items: items ?? 0, pairs: pairs ?? 0 };
    });
  }

  /**
   * Makes the store exactly snapshot `snap`, domain and item ids included. Like a reset, it
   * leaves eventually consistent reads nothing older than now to see.
   */
  restore(snap: number): void {
    const db = this.store.db;
    this.store.transaction(() => {
      for (const t of [...TABLES].reverse()) db.prepare(`DELETE FROM main.${t}`).run();
      for (const t of TABLES) db.prepare(`INSERT INTO main.${t} SELECT * FROM snapshots.s${snap}_${t}`).run();
      this.store.versions.clear();
    });
  }

  /** Where a Bulk reads snapshot `snap`'s tables (for writing it to a file). */
  source(snap: number): TableSource {
    return `snapshots.s${snap}_`;
  }

  drop(snap: number): void {
    const db = this.store.db;
    this.store.transaction(() => {
      for (const t of TABLES) db.prepare(`DROP TABLE IF EXISTS snapshots.s${snap}_${t}`).run();
    });
  }
}
