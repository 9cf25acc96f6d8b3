import { parseBoolean, type Params } from '../protocol/params.js';
import type { ActionFacts } from './types.js';

/**
 * What a request names, read without validating (never throws): fault rules match on it before
 * the action runs, and the journal records it however the request ended. Each action declares
 * which of these readers fits its parameters, so only actions/ knows parameter names.
 */

export const noFacts = (): ActionFacts => ({ domain: undefined, items: [] });

export const domainFacts = (params: Params): ActionFacts => ({ domain: params.get('DomainName'), items: [] });

const itemList = (params: Params): string[] => {
  const item = params.get('ItemName');
  return item === undefined ? [] : [item];
};

export const itemFacts = (params: Params): ActionFacts => ({ domain: params.get('DomainName'), items: itemList(params) });

export function batchFacts(params: Params): ActionFacts {
  const items = params.indexed('Item').flatMap(({ params: p }) => p.get('ItemName') ?? []);
  return { domain: params.get('DomainName'), items };
}

/** A read: whether it asked for ConsistentRead (a malformed flag fails the action; here it is false). */
export const readFacts = (params: Params): ActionFacts => ({
  domain: params.get('DomainName'),
  items: itemList(params),
  consistentRead: parseBoolean(params.get('ConsistentRead') ?? '') === true,
});
