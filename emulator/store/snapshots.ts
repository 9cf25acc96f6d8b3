import type { Store } from './store.js';

/**
 * Whole-store snapshots kept as table copies in an in-memory database attached to the store's
 * connection: capture and restore are INSERT … SELECT between schemas inside one transaction, so
 * they are atomic, never touch a file, and work alike for :memory: and file stores. Measured
 * against VACUUM INTO and the backup API in docs/data.md (`npm run bench`). Each snapshot is a
 * number here; names belong to the caller.
 */
const SNAPSHOT_TABLES = `
CREATE TABLE IF NOT EXISTS snapshots.domains (
  snap INTEGER NOT NULL, id INTEGER NOT NULL, account TEXT NOT NULL, name TEXT NOT NULL,
  created_at INTEGER NOT NULL, pair_count INTEGER NOT NULL, byte_count INTEGER NOT NULL,
  PRIMARY KEY (snap, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots.items (
  snap INTEGER NOT NULL, id INTEGER NOT NULL, domain_id INTEGER NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY (snap, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots.attrs (
  snap INTEGER NOT NULL, item_id INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, domain_id INTEGER NOT NULL,
  PRIMARY KEY (snap, item_id, name, value)
) WITHOUT ROWID;
`;

export interface SnapshotCounts {
  domains: number;
  items: number;
  pairs: number;
}

export class SnapshotTables {
  private s: ReturnType<SnapshotTables['prepare']> | undefined;

  constructor(private readonly store: Store) {}

  /** Attached on first use: ATTACH cannot run inside a transaction, and most emulators never snapshot. */
  private statements() {
    if (this.s) return this.s;
    this.store.db.prepare("ATTACH DATABASE ':memory:' AS snapshots").run();
    this.store.db.exec(SNAPSHOT_TABLES);
    return (this.s = this.prepare());
  }

  private prepare() {
    const db = this.store.db;
    return {
      captureDomains: db.prepare<[number]>(
        `INSERT INTO snapshots.domains SELECT ?, id, account, name, created_at, pair_count, byte_count FROM main.domains`,
      ),
      captureItems: db.prepare<[number]>('INSERT INTO snapshots.items SELECT ?, id, domain_id, name FROM main.items'),
      captureAttrs: db.prepare<[number]>(
        'INSERT INTO snapshots.attrs SELECT ?, item_id, name, value, domain_id FROM main.attrs',
      ),
      clear: db.prepare('DELETE FROM main.attrs'),
      clearItems: db.prepare('DELETE FROM main.items'),
      clearDomains: db.prepare('DELETE FROM main.domains'),
      restoreDomains: db.prepare<[number]>(
        `INSERT INTO main.domains (id, account, name, created_at, pair_count, byte_count)
         SELECT id, account, name, created_at, pair_count, byte_count FROM snapshots.domains WHERE snap = ? ORDER BY id`,
      ),
      restoreItems: db.prepare<[number]>(
        'INSERT INTO main.items (id, domain_id, name) SELECT id, domain_id, name FROM snapshots.items WHERE snap = ? ORDER BY id',
      ),
      restoreAttrs: db.prepare<[number]>(
        `INSERT INTO main.attrs (item_id, name, value, domain_id)
         SELECT item_id, name, value, domain_id FROM snapshots.attrs WHERE snap = ? ORDER BY item_id, name, value`,
      ),
      dropDomains: db.prepare<[number]>('DELETE FROM snapshots.domains WHERE snap = ?'),
      dropItems: db.prepare<[number]>('DELETE FROM snapshots.items WHERE snap = ?'),
      dropAttrs: db.prepare<[number]>('DELETE FROM snapshots.attrs WHERE snap = ?'),
    };
  }

  /** Copies the whole store (every account) as snapshot `snap`. */
  capture(snap: number): SnapshotCounts {
    const s = this.statements();
    return this.store.transaction(() => ({
      domains: s.captureDomains.run(snap).changes,
      items: s.captureItems.run(snap).changes,
      pairs: s.captureAttrs.run(snap).changes,
    }));
  }

  /**
   * Makes the store exactly snapshot `snap`, domain and item ids included. Like a reset, it
   * leaves eventually consistent reads nothing older than now to see.
   */
  restore(snap: number): void {
    const s = this.statements();
    this.store.transaction(() => {
      s.clear.run();
      s.clearItems.run();
      s.clearDomains.run();
      s.restoreDomains.run(snap);
      s.restoreItems.run(snap);
      s.restoreAttrs.run(snap);
      this.store.versions.clear();
    });
  }

  drop(snap: number): void {
    const s = this.statements();
    this.store.transaction(() => {
      s.dropAttrs.run(snap);
      s.dropItems.run(snap);
      s.dropDomains.run(snap);
    });
  }
}
