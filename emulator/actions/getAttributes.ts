import { getBoxUsage } from '../core/boxUsage.js';
import { errors } from '../core/errors.js';
import type { Action } from './types.js';
import { consistentRead, domainName, existingDomain, itemName, MAX_PAIRS, requireModernVersion, withinMaxBytes } from './validate.js';
import { readFacts } from './facts.js';
import { requestedNames } from './readers.js';

/** An absent item is an empty result, never an error. */
export const getAttributesAction: Action = {
  name: 'GetAttributes',
  facts: readFacts,
  handle(params, ctx) {
    const domain = domainName(params);
    const item = itemName(params.get('ItemName'));
    const names = requestedNames(params).map((name) => withinMaxBytes(name, 'AttributeName'));
    if (names.length > MAX_PAIRS) throw errors.tooManyRequestedAttributes();
    requireModernVersion(ctx, params, ['ConsistentRead']);
    const consistent = consistentRead(params);
    const id = existingDomain(ctx, domain);
    const pairs = ctx.store.getAttributes(id, item, names, consistent ? undefined : ctx.eventualRead?.());
    return { result: { action: 'GetAttributes', attributes: pairs }, boxUsage: getBoxUsage(pairs.length) };
  },
};
