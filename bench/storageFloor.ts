/**
 * The storage floor: better-sqlite3 statements alone, on the emulator's own schema and pragmas,
 * doing the least SQL each operation needs (no validation, no running totals, no limits). The
 * Express floor serves from it, and run.ts times it in-process.
 */
import Database from 'better-sqlite3';
import type { PutPair, StoredPair } from '../emulator/store/store.js';
import { schemaSql } from '../emulator/store/schema.js';
import { DOMAIN, type BenchItem, type SelectShape } from './workload.js';

export class StorageFloor {
  readonly db: Database.Database;
  readonly domainId: number;
  private readonly s;

  constructor() {
    this.db = new Database(':memory:');
    // The pragma the emulator's Store sets for :memory:, so both pay the same per write.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(schemaSql);
    const db = this.db;
    this.s = {
      domainId: db.prepare<[string], { id: number }>("SELECT id FROM domains WHERE account = '' AND name = ?"),
      itemId: db.prepare<[number, string], { id: number }>('SELECT id FROM items WHERE domain_id = ? AND name = ?'),
      insertItem: db.prepare<[number, string]>('INSERT INTO items (domain_id, name) VALUES (?, ?)'),
      pairs: db.prepare<[number], StoredPair>('SELECT name, value FROM attrs WHERE item_id = ? ORDER BY name, value'),
      deleteName: db.prepare<[number, string]>('DELETE FROM attrs WHERE item_id = ? AND name = ?'),
      insertPair: db.prepare<[number, string, string, number]>(
        'INSERT OR IGNORE INTO attrs (item_id, name, value, domain_id) VALUES (?, ?, ?, ?)',
      ),
    };
    db.prepare("INSERT INTO domains (account, name, created_at) VALUES ('', ?, 0)").run(DOMAIN);
    this.domainId = this.domain(DOMAIN);
  }

  private domain(name: string): number {
    const row = this.s.domainId.get(name);
    if (!row) throw new Error(`no domain ${name}`);
    return row.id;
  }

  /** GetAttributes: domain by name, item by name, its pairs in order. */
  get(domainName: string, item: string): StoredPair[] {
    const row = this.s.itemId.get(this.domain(domainName), item);
    return row ? this.s.pairs.all(row.id) : [];
  }

  private putOne(domainId: number, item: string, pairs: readonly PutPair[]): void {
    const id = this.s.itemId.get(domainId, item)?.id ?? Number(this.s.insertItem.run(domainId, item).lastInsertRowid);
    for (const p of pairs) if (p.replace) this.s.deleteName.run(id, p.name);
    for (const p of pairs) this.s.insertPair.run(id, p.name, p.value, domainId);
  }

  /** PutAttributes in one BEGIN IMMEDIATE transaction, as the emulator commits it. */
  put(domainName: string, item: string, pairs: readonly PutPair[]): void {
    this.db.transaction(() => this.putOne(this.domain(domainName), item, pairs)).immediate();
  }

  /** BatchPutAttributes: every item in one transaction. */
  batchPut(domainName: string, items: readonly BenchItem[], replace: boolean): void {
    this.db
      .transaction(() => {
        const domainId = this.domain(domainName);
        for (const item of items) this.putOne(domainId, item.name, item.pairs.map((p) => ({ ...p, replace })));
      })
      .immediate();
  }

  /** A Select shape's hand-written SQL, prepared once; the returned function runs it. */
  prepareSelect(shape: SelectShape): () => unknown[] {
    const statement = this.db.prepare<[number]>(shape.sql);
    return () => statement.all(this.domainId);
  }

  close(): void {
    this.db.close();
  }
}
