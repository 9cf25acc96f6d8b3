import { errors } from '../core/errors.js';
import type { IndexedGroup, Params } from '../core/params.js';
import type { Slices } from '../core/slices.js';
import { itemName, MAX_PAIRS } from './validate.js';

export const MAX_BATCH_ITEMS = 25;

/**
 * `Item.N.*` of a batch call, checked in the service's order: at least one item, at most 25,
 * then per item (ascending N) its name, uniqueness, and its attributes via `parseItem`.
 */
export function batchItems<T>(
  params: Params,
  parseItem: (item: Params) => T[],
  requireAttributes: boolean,
): { name: string; pairs: T[] }[] {
  const groups = itemGroups(params);
  const seen = new Set<string>();
  return groups.map((g) => batchItem(g, seen, parseItem, requireAttributes));
}

/** `batchItems` with a turn of the event loop between items when the slice's time is up. */
export async function batchItemsInSlices<T>(
  params: Params,
  parseItem: (item: Params) => T[],
  requireAttributes: boolean,
  slices: Slices,
): Promise<{ name: string; pairs: T[] }[]> {
  await params.indexInSlices('Item', slices);
  const groups = itemGroups(params);
  const seen = new Set<string>();
  const out: { name: string; pairs: T[] }[] = [];
  for (const g of groups) {
    // Grouped ahead too: an item's 256 attributes are 769 parameters.
    await g.params.indexInSlices('Attribute', slices);
    out.push(batchItem(g, seen, parseItem, requireAttributes));
    const turn = slices.next();
    if (turn) await turn;
  }
  return out;
}

function itemGroups(params: Params): readonly IndexedGroup[] {
  const groups = params.indexed('Item');
  if (groups.length === 0) throw errors.missingParameter('Item');
  if (groups.length > MAX_BATCH_ITEMS) throw errors.numberSubmittedItemsExceeded();
  return groups;
}

function batchItem<T>(
  { params: p }: IndexedGroup,
  seen: Set<string>,
  parseItem: (item: Params) => T[],
  requireAttributes: boolean,
): { name: string; pairs: T[] } {
  if (p.has('Replace')) throw errors.featureDeprecated();
  const name = itemName(p.get('ItemName'));
  if (seen.has(name)) throw errors.duplicateItemName(name);
  seen.add(name);
  const pairs = parseItem(p);
  // An item without Attribute.* parameters parses to no pairs and fails no attribute check.
  if (requireAttributes && pairs.length === 0) throw errors.missingParameterText(`No attributes for item ='${name}'.`);
  if (pairs.length > MAX_PAIRS) throw errors.numberSubmittedItemAttributesExceeded(name);
  return { name, pairs };
}
