/**
 * One row per stored (item, name, value) pair. TEXT compares with SQLite's BINARY collation,
 * which is memcmp over UTF-8: exactly SimpleDB's lexicographic order. Values are never numbers.
 *
 * - items: one row per existing item; an item disappears with its last pair.
 * - attrs (item_id, name, value) is the primary key, so a pair is a set member; the second
 *   index (domain_id, name, value, item_id) serves Select predicates and sorting.
 * - domains keep running totals so limits and DomainMetadata need no scan.
 */
export const SCHEMA_VERSION = 1;

/**
 * Where a Select reads items and pairs. The live tables, or a copy of one domain as an
 * eventually consistent read sees it (see versions.ts): the same shape, so the same SQL runs on
 * either, the names spliced from these constants only.
 */
export interface ItemTables {
  readonly items: string;
  readonly attrs: string;
}

export const LIVE_TABLES = itemTables('main', '');
export const VIEW_TABLES = itemTables('temp', 'view_');

function itemTables(schema: 'main' | 'temp', prefix: '' | 'view_'): ItemTables & { sql: string } {
  const [items, attrs] = [`${schema}.${prefix}items`, `${schema}.${prefix}attrs`];
  const sql = `
CREATE TABLE IF NOT EXISTS ${items} (
  id INTEGER PRIMARY KEY,
  domain_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE TABLE IF NOT EXISTS ${attrs} (
  item_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  domain_id INTEGER NOT NULL,
  PRIMARY KEY (item_id, name, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${attrs}_by_value ON ${prefix}attrs (domain_id, name, value, item_id);
`;
  return { items, attrs, sql };
}

export const schemaSql = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS domains (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  pair_count INTEGER NOT NULL DEFAULT 0,
  byte_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account, name)
);
` + LIVE_TABLES.sql;
