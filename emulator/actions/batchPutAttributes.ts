import { batchBoxUsage } from '../core/boxUsage.js';
import { putPairs } from './attributes.js';
import { batchItems } from './batch.js';
import { checkLimits } from './limits.js';
import type { Action } from './types.js';
import { domainName, existingDomain } from './validate.js';
import { batchFacts } from './facts.js';

/** The whole batch is one transaction: a limit breached by any item writes nothing. */
export const batchPutAttributesAction: Action = {
  name: 'BatchPutAttributes',
  facts: batchFacts,
  handle(params, ctx) {
    const domain = domainName(params);
    const items = batchItems(params, putPairs, true);
    const id = existingDomain(ctx, domain);
    ctx.store.transaction(() => {
      const effects = items.map((item) => ctx.store.putAttributes(id, item.name, item.pairs));
      checkLimits(ctx.store, id, ctx.limits, effects);
    });
    return { result: { action: 'BatchPutAttributes' }, boxUsage: batchBoxUsage('BatchPutAttributes', items.length) };
  },
};
