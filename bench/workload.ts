/**
 * What every benchmark sends and stores: one deterministic item generator and the request
 * bodies built from it, so the emulator, the floors and the SQL replica hold the same data.
 */
import type { PutPair, StoredPair } from '../emulator/store/store.js';

export const DOMAIN = 'bench';

/** The item GetAttributes and PutAttributes address; it exists in every fixture. */
export const HOT_ITEM = itemName(42);

export interface BenchItem {
  name: string;
  pairs: StoredPair[];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function itemName(i: number): string {
  return `item-${pad(i, 6)}`;
}

/**
 * Ten pairs per item, shaped for the Select questions: `category` has 1,000 values (100 items
 * each), `score` is a permutation of 0..99,999 (7,919 is prime to 100,000), `title` is unique
 * with a prefix shared by 100 items, and `tag` has two values so that every() has something to
 * reject. `version` never changes: conditional puts expect it.
 */
export function benchItem(i: number): BenchItem {
  return {
    name: itemName(i),
    pairs: [
      { name: 'category', value: `c${pad(i % 1000, 3)}` },
      { name: 'score', value: pad((i * 7919) % 100_000, 8) },
      { name: 'title', value: `title-${pad(i, 6)}` },
      { name: 'status', value: ['active', 'idle', 'closed'][i % 3] ?? 'active' },
      { name: 'region', value: `r${i % 20}` },
      { name: 'owner', value: `user-${pad(i % 5000, 4)}` },
      { name: 'created', value: `2024-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}` },
      { name: 'tag', value: `t${i % 10}a` },
      { name: 'tag', value: `t${(i + 1) % 10}b` },
      { name: 'version', value: 'v1' },
    ],
  };
}

export const PAIRS_PER_ITEM = benchItem(0).pairs.length;
export const BATCH_ITEMS = 25;

function form(entries: readonly (readonly [string, string])[]): string {
  return new URLSearchParams([['Version', '2009-04-15'], ...entries] as [string, string][]).toString();
}

export function createDomainBody(): string {
  return form([['Action', 'CreateDomain'], ['DomainName', DOMAIN]]);
}

export function domainMetadataBody(): string {
  return form([['Action', 'DomainMetadata'], ['DomainName', DOMAIN]]);
}

export function getAttributesBody(): string {
  return form([['Action', 'GetAttributes'], ['DomainName', DOMAIN], ['ItemName', HOT_ITEM]]);
}

/** The five attributes PutAttributes replaces on HOT_ITEM; `version` is left alone. */
export const PUT_PAIRS: readonly PutPair[] = ['status', 'region', 'owner', 'created', 'category'].map((name) => ({
  name,
  value: `${name}-updated`,
  replace: true,
}));

function attributeEntries(prefix: string, pairs: readonly (StoredPair & { replace?: boolean })[]): [string, string][] {
  return pairs.flatMap((p, k): [string, string][] => [
    [`${prefix}Attribute.${k + 1}.Name`, p.name],
    [`${prefix}Attribute.${k + 1}.Value`, p.value],
    ...(p.replace ? [[`${prefix}Attribute.${k + 1}.Replace`, 'true'] as [string, string]] : []),
  ]);
}

export function putAttributesBody(
  item: string,
  pairs: readonly PutPair[],
  expected?: { name: string; value: string },
): string {
  const condition: [string, string][] = expected
    ? [['Expected.Name', expected.name], ['Expected.Value', expected.value]]
    : [];
  return form([
    ['Action', 'PutAttributes'],
    ['DomainName', DOMAIN],
    ['ItemName', item],
    ...attributeEntries('', pairs),
    ...condition,
  ]);
}

export function batchPutBody(items: readonly BenchItem[], replace: boolean): string {
  return form([
    ['Action', 'BatchPutAttributes'],
    ['DomainName', DOMAIN],
    ...items.flatMap((item, n): [string, string][] => [
      [`Item.${n + 1}.ItemName`, item.name],
      ...attributeEntries(
        `Item.${n + 1}.`,
        item.pairs.map((p) => ({ ...p, replace })),
      ),
    ]),
  ]);
}

/** Items [from, from + count) of the generator. */
export function itemRange(from: number, count: number): BenchItem[] {
  return Array.from({ length: count }, (_, k) => benchItem(from + k));
}

export function selectBody(expression: string): string {
  return form([['Action', 'Select'], ['SelectExpression', expression]]);
}

/** The benchmark's Select questions, each with the SQL a person would write for it by hand. */
export interface SelectShape {
  id: 'a' | 'b' | 'c' | 'd' | 'e';
  label: string;
  expression: string;
  /** Held to "within 3× of the SQL floor and under 10 ms median". */
  targeted: boolean;
  /**
   * Hand-written SQL over the emulator's schema (emulator/store/schema.ts), `?` = domain id.
   * Item-returning shapes yield rows (item, name, value); count yields one row (n).
   */
  sql: string;
}

/**
 * The items matched (id, item name, sort key k), first 100 in SimpleDB's order, then their
 * pairs: one statement, as a hand-tuned query would be.
 */
function itemsAndPairs(hits: string): string {
  return `WITH hit AS (${hits})
SELECT hit.name AS item, a.name AS name, a.value AS value
  FROM hit JOIN attrs a ON a.item_id = hit.id
 ORDER BY hit.k, hit.name, a.name, a.value`;
}

function matching(attribute: string, predicate: string, order: 'item' | 'value'): string {
  const key = order === 'item' ? 'i.name' : 'a.value';
  return `SELECT i.id, i.name, ${key} AS k FROM attrs a JOIN items i ON i.id = a.item_id
 WHERE a.domain_id = ? AND a.name = '${attribute}' AND ${predicate}
 ORDER BY ${key}, i.name LIMIT 100`;
}

export const SELECT_SHAPES: readonly SelectShape[] = [
  {
    id: 'a',
    label: 'equality',
    expression: `select * from ${DOMAIN} where category = 'c042'`,
    targeted: true,
    sql: itemsAndPairs(matching('category', "a.value = 'c042'", 'item')),
  },
  {
    id: 'b',
    label: 'range, order by, limit 100',
    expression: `select * from ${DOMAIN} where score > '00050000' order by score limit 100`,
    targeted: true,
    sql: itemsAndPairs(matching('score', "a.value > '00050000'", 'value')),
  },
  {
    id: 'c',
    label: 'count(*) with a predicate',
    expression: `select count(*) from ${DOMAIN} where category < 'c100'`,
    targeted: false,
    sql: `SELECT count(DISTINCT item_id) AS n FROM attrs WHERE domain_id = ? AND name = 'category' AND value < 'c100'`,
  },
  {
    id: 'd',
    label: 'every()',
    expression: `select * from ${DOMAIN} where every(tag) > 't5'`,
    targeted: false,
    sql: itemsAndPairs(`SELECT i.id, i.name, i.name AS k FROM items i
 WHERE i.domain_id = ?
   AND EXISTS (SELECT 1 FROM attrs a WHERE a.item_id = i.id AND a.name = 'tag')
   AND NOT EXISTS (SELECT 1 FROM attrs a WHERE a.item_id = i.id AND a.name = 'tag' AND a.value <= 't5')
 ORDER BY i.name LIMIT 100`),
  },
  {
    id: 'e',
    label: "like 'prefix%'",
    expression: `select * from ${DOMAIN} where title like 'title-0004%'`,
    targeted: true,
    // A prefix is a range in BINARY order: what a hand-written query uses to reach the index.
    sql: itemsAndPairs(matching('title', "a.value >= 'title-0004' AND a.value < 'title-0005'", 'item')),
  },
];
