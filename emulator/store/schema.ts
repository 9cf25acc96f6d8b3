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
` + dataTablesSql('main');

/**
 * The item tables in `schema`: 'main' for the store, 'temp' for a snapshot that shadows them (SQLite
 * resolves an unqualified table name in temp first), so a stale Select runs unchanged SQL on it.
 */
export function dataTablesSql(schema: 'main' | 'temp'): string {
  return `
CREATE TABLE IF NOT EXISTS ${schema}.items (
  id INTEGER PRIMARY KEY,
  domain_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE TABLE IF NOT EXISTS ${schema}.attrs (
  item_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  domain_id INTEGER NOT NULL,
  PRIMARY KEY (item_id, name, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${schema}.attrs_by_value ON attrs (domain_id, name, value, item_id);
`;
}
