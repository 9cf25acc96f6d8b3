import { writeBoxUsage } from '../core/boxUsage.js';
import { errors } from '../core/errors.js';
import { putPairs, submittedBytes } from './attributes.js';
import { checkExpected, parseExpected } from './expected.js';
import { checkLimits } from './limits.js';
import type { Action } from './types.js';
import { domainName, existingDomain, itemName, MAX_PAIRS, requireModernVersion } from './validate.js';
import { itemFacts } from './facts.js';

export const putAttributesAction: Action = {
  name: 'PutAttributes',
  facts: itemFacts,
  handle(params, ctx) {
    const domain = domainName(params);
    const item = itemName(params.get('ItemName'));
    if (params.has('Replace')) throw errors.featureDeprecated();
    if (params.indexed('Attribute').length === 0) throw errors.missingParameterText('No attributes');
    const pairs = putPairs(params);
    if (pairs.length > MAX_PAIRS) throw errors.numberSubmittedAttributesExceeded();
    requireModernVersion(ctx, params, ['Expected']);
    const expected = parseExpected(params);
    const id = existingDomain(ctx, domain);
    ctx.store.transaction(() => {
      if (expected) checkExpected(ctx.store, id, item, expected);
      checkLimits(ctx.store, id, ctx.limits, [ctx.store.putAttributes(id, item, pairs)]);
    });
    return { result: { action: 'PutAttributes' }, boxUsage: writeBoxUsage('PutAttributes', submittedBytes(pairs)) };
  },
};
