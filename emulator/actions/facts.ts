import type { Params } from '../core/params.js';
import type { Slices } from '../core/slices.js';
import { consistentReadAsked, domainOf, itemNames } from './readers.js';
import type { ActionFacts } from './types.js';

/**
 * What a request names, read without validating (never throws): fault rules match on it before
 * the action runs, and the journal records it however the request ended. Each action declares
 * which of these fits its parameters; they read through readers.ts.
 */

export const noFacts = (): ActionFacts => ({ domain: undefined, items: [] });

export const domainFacts = (params: Params): ActionFacts => ({ domain: domainOf(params), items: [] });

const itemList = (params: Params): string[] => {
  const item = params.get('ItemName');
  return item === undefined ? [] : [item];
};

export const itemFacts = (params: Params): ActionFacts => ({ domain: domainOf(params), items: itemList(params) });

export const batchFacts = (params: Params): ActionFacts => ({ domain: domainOf(params), items: itemNames(params) });

/** `batchFacts` of a large batch: its `Item.N` groups made in slices first. */
export async function batchFactsInSlices(params: Params, slices: Slices): Promise<ActionFacts> {
  await params.indexInSlices('Item', slices);
  return batchFacts(params);
}

/** A read: whether it asked for ConsistentRead (a malformed flag fails the action; here it is false). */
export const readFacts = (params: Params): ActionFacts => ({
  domain: domainOf(params),
  items: itemList(params),
  consistentRead: consistentReadAsked(params),
});
