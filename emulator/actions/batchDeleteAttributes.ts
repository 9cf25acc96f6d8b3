import { batchBoxUsage } from '../core/boxUsage.js';
import { deletePairs } from './attributes.js';
import { batchItems } from './batch.js';
import type { Action } from './types.js';
import { domainName, existingDomain } from './validate.js';
import { batchFacts } from './facts.js';

export const batchDeleteAttributesAction: Action = {
  name: 'BatchDeleteAttributes',
  facts: batchFacts,
  handle(params, ctx) {
    const domain = domainName(params);
    const items = batchItems(params, deletePairs, false);
    const id = existingDomain(ctx, domain);
    ctx.store.transaction(() => {
      for (const item of items) ctx.store.deleteAttributes(id, item.name, item.pairs);
    });
    return { result: { action: 'BatchDeleteAttributes' }, boxUsage: batchBoxUsage('BatchDeleteAttributes', items.length) };
  },
};
