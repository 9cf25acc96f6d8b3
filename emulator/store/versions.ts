import type Database from 'better-sqlite3';
import { VIEW_TABLES, type ItemTables } from './schema.js';
import type { StoredPair } from './types.js';

/**
 * Versions for simulated eventual consistency, kept beside the live tables rather than in them:
 * `items` and `attrs` stay exactly the latest state (Select, writes and conditional checks read
 * them unchanged), and while recording every write also logs the pairs it added or removed under
 * one write sequence number per transaction. The log lives in TEMP tables: it belongs to this
 * process's simulation, never to a database file kept across restarts.
 *
 * A pair's changes alternate (added, removed, added, ...) because only real changes are logged,
 * so its state at sequence S is its live state flipped once per change after S: the store at S is
 * the live pairs XOR the pairs changed an odd number of times after S.
 */

/** Which write sequence an eventually consistent read sees. */
export interface ReadView {
  /** Every write up to this sequence number is visible, none after it. */
  readonly seq: number;
  /** Set by the store: whether what the read returned differs from the latest state. */
  stale: boolean;
}

/** How far back reads may look, which is what pruning keeps. */
export type Retention =
  /** Reads see up to this many milliseconds into the past. */
  | { windowMs: number }
  /** Reads see this sequence (a frozen replica). */
  | { pinnedSeq: number }
  /** Reads see up to this many writes into the past. */
  | { writes: number };

const LOG_TABLES = `
CREATE TEMP TABLE IF NOT EXISTS sync_writes (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS temp.sync_writes_by_at ON sync_writes (at, seq);
CREATE TEMP TABLE IF NOT EXISTS sync_changes (
  domain_id INTEGER NOT NULL,
  item TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (domain_id, item, name, value, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS temp.sync_changes_by_seq ON sync_changes (seq);
CREATE TEMP TABLE IF NOT EXISTS sync_snapshot (item TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
`;

/** `@names`: a JSON array restricting the read to those attribute names, or NULL for all. */
const named = (column: string) => `(@names IS NULL OR ${column} IN (SELECT value FROM json_each(@names)))`;

/** Pairs of one item changed an odd number of times after `@seq`. */
const ITEM_FLIPPED = `SELECT name, value FROM temp.sync_changes
  WHERE domain_id = @domain AND item = @item AND seq > @seq AND ${named('name')}
  GROUP BY name, value HAVING count(*) % 2 = 1`;

/** Pairs of a whole domain changed an odd number of times after `@seq`. */
const DOMAIN_FLIPPED = `SELECT item, name, value FROM temp.sync_changes
  WHERE domain_id = @domain AND seq > @seq
  GROUP BY item, name, value HAVING count(*) % 2 = 1`;

interface ItemQuery {
  domain: number;
  item: string;
  seq: number;
  names: string | null;
}

export class Versions {
  private recordingFlag = false;
  private retention: Retention = { windowMs: 0 };
  /** Last write sequence handed out; it keeps counting across recording periods. */
  private last = 0;
  private lastAt = 0;
  /** Sequence of the write transaction in progress, allocated on its first change. */
  private open: number | undefined;
  /** While a write in slices is open: the last sequence before it. */
  private sliceFrom: number | undefined;
  /** No read may see before this sequence: nothing older is logged. Never decreases. */
  private base = 0;
  private s: ReturnType<Versions['prepare']> | undefined;
  private now: () => number = Date.now;

  constructor(private readonly db: Database.Database) {}

  /** Whether writes are being logged; the store checks this before each change it makes. */
  get recording(): boolean {
    return this.recordingFlag;
  }

  /**
   * The latest committed write. While a write in slices is open its sequence is handed out but
   * not counted here: reads between its slices neither see it nor name it (it may roll back and
   * give the number to the next write).
   */
  get latestSeq(): number {
    return this.sliceFrom ?? this.last;
  }

  /** A write in slices begins (store.ts `transactionInSlices`): see `latestSeq`. */
  beginSliced(): void {
    this.sliceFrom = this.last;
  }

  /** It committed, or it rolled back and gives its number back, as `around` does. */
  endSliced(committed: boolean): void {
    if (!committed && this.sliceFrom !== undefined) this.last = this.sliceFrom;
    this.sliceFrom = undefined;
    this.open = undefined;
  }

  /**
   * Starts (or keeps) logging, stamping writes with `now` (the emulator's injectable clock);
   * reads cannot see before the current sequence when it starts.
   */
  start(retention: Retention, now: () => number): void {
    this.now = now;
    if (!this.recordingFlag) {
      this.db.exec(LOG_TABLES);
      this.s = this.prepare();
      this.base = this.last;
      this.recordingFlag = true;
    }
    this.retention = retention;
  }

  /** Stops logging and drops the log: every read is live again. */
  stop(): void {
    if (!this.recordingFlag) return;
    this.recordingFlag = false;
    this.s = undefined;
    this.db.exec('DROP TABLE temp.sync_writes; DROP TABLE temp.sync_changes; DROP TABLE temp.sync_snapshot;');
  }

  private prepare() {
    const db = this.db;
    return {
      insertWrite: db.prepare<[number, number]>('INSERT INTO temp.sync_writes (seq, at) VALUES (?, ?)'),
      seqAt: db.prepare<[number], { seq: number }>(
        'SELECT seq FROM temp.sync_writes WHERE at <= ? ORDER BY at DESC, seq DESC LIMIT 1',
      ),
      insertChange: db.prepare<[number, string, string, string, number]>(
        'INSERT OR IGNORE INTO temp.sync_changes (domain_id, item, name, value, seq) VALUES (?, ?, ?, ?, ?)',
      ),
      cancelChange: db.prepare<[number, string, string, string, number]>(
        'DELETE FROM temp.sync_changes WHERE domain_id = ? AND item = ? AND name = ? AND value = ? AND seq = ?',
      ),
      pruneChanges: db.prepare<[number]>('DELETE FROM temp.sync_changes WHERE seq <= ?'),
      pruneWrites: db.prepare<[number]>('DELETE FROM temp.sync_writes WHERE seq <= ?'),
      forgetDomain: db.prepare<[number]>('DELETE FROM temp.sync_changes WHERE domain_id = ?'),
      itemAt: db.prepare<[ItemQuery], StoredPair>(
        `SELECT name, value FROM (
           SELECT a.name, a.value FROM main.attrs a JOIN main.items i ON i.id = a.item_id
            WHERE i.domain_id = @domain AND i.name = @item AND ${named('a.name')}
           UNION ALL ${ITEM_FLIPPED})
         GROUP BY name, value HAVING count(*) = 1 ORDER BY name, value`,
      ),
      itemFlipped: db.prepare<[ItemQuery], { n: number }>(`SELECT EXISTS (${ITEM_FLIPPED}) AS n`),
      fillSnapshot: db.prepare<[{ domain: number; seq: number }]>(
        `INSERT INTO temp.sync_snapshot (item, name, value)
         SELECT item, name, value FROM (
           SELECT i.name AS item, a.name, a.value FROM main.attrs a JOIN main.items i ON i.id = a.item_id
            WHERE a.domain_id = @domain
           UNION ALL ${DOMAIN_FLIPPED})
         GROUP BY item, name, value HAVING count(*) = 1`,
      ),
      domainFlipped: db.prepare<[{ domain: number; seq: number }], { n: number }>(
        `SELECT EXISTS (${DOMAIN_FLIPPED}) AS n`,
      ),
      clearSnapshot: db.prepare('DELETE FROM temp.sync_snapshot'),
      counts: db.prepare<[], { writes: number; changes: number }>(
        'SELECT (SELECT count(*) FROM temp.sync_writes) AS writes, (SELECT count(*) FROM temp.sync_changes) AS changes',
      ),
    };
  }

  private statements() {
    if (!this.s) throw new Error('versions are not being recorded');
    return this.s;
  }

  /**
   * Runs a write transaction: its changes share one sequence number. A transaction that rolls
   * back gives its number back, so sequence numbers are exactly the writes that happened.
   */
  around<T>(run: () => T): T {
    const before = this.last;
    try {
      return run();
    } catch (err) {
      this.last = before;
      throw err;
    } finally {
      this.open = undefined;
    }
  }

  /**
   * Logs that a pair was added or removed: the same row either way, because only the parity of a
   * pair's changes matters. A second change of a pair within one write (Replace of a value with
   * itself) cancels the first.
   */
  changed(domainId: number, item: string, name: string, value: string): void {
    const s = this.statements();
    const seq = this.currentSeq();
    if (s.insertChange.run(domainId, item, name, value, seq).changes === 0) {
      s.cancelChange.run(domainId, item, name, value, seq);
    }
  }

  private currentSeq(): number {
    if (this.open !== undefined) return this.open;
    const s = this.statements();
    this.open = ++this.last;
    // Monotonic even if an injected clock steps back, so "as of time T" is one sequence.
    this.lastAt = Math.max(this.lastAt, this.now());
    s.insertWrite.run(this.open, this.lastAt);
    this.prune();
    return this.open;
  }

  /** The oldest sequence any read can still see now. */
  floor(): number {
    const r = this.retention;
    const policy = 'pinnedSeq' in r ? r.pinnedSeq : 'writes' in r ? this.latestSeq - r.writes : this.seqAt(this.now() - r.windowMs);
    return Math.max(this.base, policy);
  }

  /** Drops what no read can see any more: changes at or before the floor only matter to older reads. */
  private prune(): void {
    const s = this.statements();
    this.base = this.floor();
    s.pruneChanges.run(this.base);
    s.pruneWrites.run(this.base);
  }

  /** The sequence of the store as it was at time `at` (ms), never before the floor. */
  seqAt(at: number): number {
    const seq = Math.max(this.base, this.statements().seqAt.get(at)?.seq ?? this.base);
    // Not an open write in slices, though its sequence is logged already.
    return this.sliceFrom === undefined ? seq : Math.min(seq, this.sliceFrom);
  }

  forgetDomain(domainId: number): void {
    if (this.recordingFlag) this.statements().forgetDomain.run(domainId);
  }

  /** After a reset nothing older than now exists to be seen. */
  clear(): void {
    if (!this.recordingFlag) return;
    const s = this.statements();
    s.pruneChanges.run(this.last);
    s.pruneWrites.run(this.last);
    this.base = this.last;
  }

  /** One item as of `view.seq`, in name then value byte order. */
  itemAt(domainId: number, item: string, names: readonly string[] | undefined, view: ReadView): StoredPair[] {
    const s = this.statements();
    const q: ItemQuery = {
      domain: domainId,
      item,
      seq: view.seq,
      names: names === undefined || names.length === 0 ? null : JSON.stringify(names),
    };
    view.stale = (s.itemFlipped.get(q)?.n ?? 0) === 1;
    return s.itemAt.all(q);
  }

  /**
   * Runs `fn` inside one transaction with the domain as of `view.seq` copied into VIEW_TABLES,
   * which the caller's statements name instead of the live tables; dropped when `fn` returns.
   * Costs a copy of the domain, paid only by eventually consistent Selects while a simulation is on.
   */
  materialise<T>(domainId: number, view: ReadView, fn: (tables: ItemTables) => T): T {
    const s = this.statements();
    return this.db.transaction(() => {
      const q = { domain: domainId, seq: view.seq };
      view.stale = (s.domainFlipped.get(q)?.n ?? 0) === 1;
      s.fillSnapshot.run(q);
      this.db.exec(VIEW_TABLES.sql);
      try {
        this.db
          .prepare<[number]>(`INSERT INTO ${VIEW_TABLES.items} (domain_id, name) SELECT DISTINCT ?, item FROM temp.sync_snapshot`)
          .run(domainId);
        this.db
          .prepare<[number]>(
            `INSERT INTO ${VIEW_TABLES.attrs} (item_id, name, value, domain_id)
             SELECT i.id, p.name, p.value, i.domain_id FROM temp.sync_snapshot p JOIN ${VIEW_TABLES.items} i ON i.name = p.item
              WHERE i.domain_id = ?`,
          )
          .run(domainId);
        return fn(VIEW_TABLES);
      } finally {
        this.db.exec(`DROP TABLE ${VIEW_TABLES.attrs}; DROP TABLE ${VIEW_TABLES.items};`);
        s.clearSnapshot.run();
      }
    })();
  }

  /** Rows the log holds now: what pruning keeps bounded. */
  size(): { writes: number; changes: number } {
    if (!this.recordingFlag) return { writes: 0, changes: 0 };
    return this.statements().counts.get() ?? { writes: 0, changes: 0 };
  }
}
