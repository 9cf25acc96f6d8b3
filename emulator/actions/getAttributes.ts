import { getBoxUsage } from '../protocol/boxUsage.js';
import { errors } from '../protocol/errors.js';
import type { Action } from './types.js';
import { consistentRead, domainName, existingDomain, itemName, MAX_PAIRS, requireModernVersion, withinMaxBytes } from './validate.js';
import { readFacts } from './facts.js';

/** An absent item is an empty result, never an error. */
export const getAttributesAction: Action = {
  name: 'GetAttributes',
  facts: readFacts,
  handle(params, ctx) {
    const domain = domainName(params);
    const item = itemName(params.get('ItemName'));
    const names = params.indexed('AttributeName').map(({ params: p }) => withinMaxBytes(p.get('') ?? '', 'AttributeName'));
    if (names.length > MAX_PAIRS) throw errors.tooManyRequestedAttributes();
    requireModernVersion(ctx, params, ['ConsistentRead']);
    const consistent = consistentRead(params);
    const id = existingDomain(ctx, domain);
    const pairs = ctx.store.getAttributes(id, item, names, consistent ? undefined : ctx.eventualRead?.());
    return { result: { action: 'GetAttributes', attributes: pairs }, boxUsage: getBoxUsage(pairs.length) };
  },
};
