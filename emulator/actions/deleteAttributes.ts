import { writeBoxUsage } from '../core/boxUsage.js';
import { deletePairs, submittedBytes } from './attributes.js';
import { checkExpected, parseExpected } from './expected.js';
import type { Action } from './types.js';
import { domainName, existingDomain, itemName, requireModernVersion } from './validate.js';
import { itemFacts } from './facts.js';

/** No attributes named: the whole item. Deleting what does not exist is not an error. */
export const deleteAttributesAction: Action = {
  name: 'DeleteAttributes',
  facts: itemFacts,
  handle(params, ctx) {
    const domain = domainName(params);
    const item = itemName(params.get('ItemName'));
    const pairs = deletePairs(params);
    requireModernVersion(ctx, params, ['Expected']);
    const expected = parseExpected(params);
    const id = existingDomain(ctx, domain);
    ctx.store.transaction(() => {
      if (expected) checkExpected(ctx.store, id, item, expected);
      ctx.store.deleteAttributes(id, item, pairs);
    });
    return { result: { action: 'DeleteAttributes' }, boxUsage: writeBoxUsage('DeleteAttributes', submittedBytes(pairs)) };
  },
};
