import { errors } from '../core/errors.js';
import type { IndexedGroup, Params } from '../core/params.js';
import type { Slices } from '../core/slices.js';
import { itemName, MAX_PAIRS } from './validate.js';

export const MAX_BATCH_ITEMS = 25;

/**
 * `Item.N.*` of a batch call, checked in the service's order: at least one item, at most 25,
 * then per item (ascending N) its name, uniqueness, and each `Attribute.N` group via `pair`.
 */
export function batchItems<T>(
  params: Params,
  pair: (attribute: Params) => T,
  requireAttributes: boolean,
): { name: string; pairs: T[] }[] {
  const groups = itemGroups(params);
  const seen = new Set<string>();
  return groups.map((g) => {
    const name = itemHead(g, seen);
    return itemTail(name, g.params.indexed('Attribute').map((a) => pair(a.params)), requireAttributes);
  });
}

/**
 * `batchItems` with a turn of the event loop whenever the slice's time is up, looked at every
 * `CHECK_STEP` attributes: the same checks in the same order, so the same first error.
 */
export async function batchItemsInSlices<T>(
  params: Params,
  pair: (attribute: Params) => T,
  requireAttributes: boolean,
  slices: Slices,
): Promise<{ name: string; pairs: T[] }[]> {
  await params.indexInSlices('Item', slices);
  const groups = itemGroups(params);
  const seen = new Set<string>();
  const out: { name: string; pairs: T[] }[] = [];
  for (const g of groups) {
    const name = itemHead(g, seen);
    // Grouped ahead too: an item's 256 attributes are 769 parameters.
    await g.params.indexInSlices('Attribute', slices);
    const attributes = g.params.indexed('Attribute');
    const pairs: T[] = [];
    for (let i = 0; i < attributes.length; i++) {
      pairs.push(pair((attributes[i] as IndexedGroup).params));
      if ((i + 1) % CHECK_STEP === 0) {
        const turn = slices.next();
        if (turn) await turn;
      }
    }
    out.push(itemTail(name, pairs, requireAttributes));
    const turn = slices.next();
    if (turn) await turn;
  }
  return out;
}

/**
 * Attributes checked between two looks at the clock: a slice's length must not grow with an
 * item's attributes (256 of them, each up to 1,024-byte name and value). Warm, an item of the
 * bench's checks in about 0.25 ms; before the code is compiled, several times that
 * (docs/performance.md, "One large request beside small ones"). A look is one clock read.
 */
export const CHECK_STEP = 32;

function itemGroups(params: Params): readonly IndexedGroup[] {
  const groups = params.indexed('Item');
  if (groups.length === 0) throw errors.missingParameter('Item');
  if (groups.length > MAX_BATCH_ITEMS) throw errors.numberSubmittedItemsExceeded();
  return groups;
}

/** An item's checks before its attributes': Replace refused, its name, and uniqueness. */
function itemHead({ params: p }: IndexedGroup, seen: Set<string>): string {
  if (p.has('Replace')) throw errors.featureDeprecated();
  const name = itemName(p.get('ItemName'));
  if (seen.has(name)) throw errors.duplicateItemName(name);
  seen.add(name);
  return name;
}

/** An item's checks after its attributes'. */
function itemTail<T>(name: string, pairs: T[], requireAttributes: boolean): { name: string; pairs: T[] } {
  // An item without Attribute.* parameters parses to no pairs and fails no attribute check.
  if (requireAttributes && pairs.length === 0) throw errors.missingParameterText(`No attributes for item ='${name}'.`);
  if (pairs.length > MAX_PAIRS) throw errors.numberSubmittedItemAttributesExceeded(name);
  return { name, pairs };
}
