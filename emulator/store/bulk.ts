import type Database from 'better-sqlite3';
import type { Store } from './store.js';

/**
 * Which tables a Bulk reads: the live ones (''), or a snapshot's copies, whose prefix only
 * SnapshotTables hands out (`snapshots.s<N>_`), so no caller's text becomes part of SQL.
 */
export type TableSource = '' | `snapshots.s${number}_`;

export interface ExportedPair {
  item: string;
  name: string;
  value: string;
}

/**
 * Whole-domain reads and long write transactions for export, import and fixtures: statements the
 * request path never needs, prepared on the store's connection with bound parameters.
 */
export class Bulk {
  private readonly s;
  private readonly savepoint: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(
    private readonly store: Store,
    from: TableSource = '',
  ) {
    const db = store.db;
    const [domains, items, attrs] = from === '' ? ['domains', 'items', 'attrs'] : [`${from}domains`, `${from}items`, `${from}attrs`];
    this.s = {
      accounts: db.prepare<[], string>(`SELECT DISTINCT account FROM ${domains} ORDER BY account`).pluck(),
      domains: db.prepare<[string], { id: number; name: string }>(
        `SELECT id, name FROM ${domains} WHERE account = ? ORDER BY name`,
      ),
      // The items' unique index walks names in byte order and the attrs key gives each item's
      // pairs in name, value order, so the rows arrive sorted without a sort step.
      pairs: db.prepare<[number], ExportedPair>(
        `SELECT i.name AS item, a.name AS name, a.value AS value
           FROM ${items} i JOIN ${attrs} a ON a.item_id = i.id
          WHERE i.domain_id = ? ORDER BY i.name, a.name, a.value`,
      ),
      begin: db.prepare('BEGIN IMMEDIATE'),
      beginRead: db.prepare('BEGIN'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
    };
    // Called inside begin(): better-sqlite3 then runs it as a SAVEPOINT, so one failed item
    // can be undone without the rest of the file.
    this.savepoint = db.transaction((fn: () => unknown) => fn());
  }

  /** Every account namespace that holds a domain, in byte order ('' first). */
  accounts(): string[] {
    return this.s.accounts.all();
  }

  /** An account's domains in byte order. */
  domains(account: string): { id: number; name: string }[] {
    return this.s.domains.all(account);
  }

  /** Every pair of a domain, by item, name, value (byte order), read lazily. */
  pairs(domainId: number): IterableIterator<ExportedPair> {
    return this.s.pairs.iterate(domainId);
  }

  /**
   * A read transaction that may span awaits: every read until `end()` sees one state of the
   * database, whatever other connections (a running emulator on the same file) commit meanwhile.
   */
  beginRead(): void {
    this.s.beginRead.run();
  }

  /** Ends a read transaction; nothing was written, so this only releases its snapshot. */
  endRead(): void {
    if (this.store.db.inTransaction) this.s.commit.run();
  }

  /**
   * A write transaction that may span awaits (an import reads its file as a stream); only for a
   * connection nothing else writes on meanwhile: the CLI, or an emulator before it listens.
   */
  begin(): void {
    this.s.begin.run();
  }

  commit(): void {
    this.s.commit.run();
  }

  rollback(): void {
    if (this.store.db.inTransaction) this.s.rollback.run();
  }

  /** Runs `fn` inside the open transaction; if it throws, only its own writes are undone. */
  item<T>(fn: () => T): T {
    return this.savepoint(fn) as T;
  }
}
