import { errors } from '../core/errors.js';
import type { Params } from '../core/params.js';
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
  const groups = params.indexed('Item');
  if (groups.length === 0) throw errors.missingParameter('Item');
  if (groups.length > MAX_BATCH_ITEMS) throw errors.numberSubmittedItemsExceeded();
  const seen = new Set<string>();
  return groups.map(({ params: p }) => {
    if (p.has('Replace')) throw errors.featureDeprecated();
    const name = itemName(p.get('ItemName'));
    if (seen.has(name)) throw errors.duplicateItemName(name);
    seen.add(name);
    const pairs = parseItem(p);
    // An item without Attribute.* parameters parses to no pairs and fails no attribute check.
    if (requireAttributes && pairs.length === 0) throw errors.missingParameterText(`No attributes for item ='${name}'.`);
    if (pairs.length > MAX_PAIRS) throw errors.numberSubmittedItemAttributesExceeded(name);
    return { name, pairs };
  });
}
