import { batchBoxUsage } from '../core/boxUsage.js';
import { deletePair } from './attributes.js';
import { batchItems, batchItemsInSlices } from './batch.js';
import type { Action } from './types.js';
import { domainName, existingDomain } from './validate.js';
import { batchFacts, batchFactsInSlices } from './facts.js';

export const batchDeleteAttributesAction: Action = {
  name: 'BatchDeleteAttributes',
  facts: batchFacts,
  handle(params, ctx) {
    const domain = domainName(params);
    const items = batchItems(params, deletePair, false);
    const id = existingDomain(ctx, domain);
    ctx.store.transaction(() => {
      for (const item of items) ctx.store.deleteAttributes(id, item.name, item.pairs);
    });
    return { result: { action: 'BatchDeleteAttributes' }, boxUsage: batchBoxUsage('BatchDeleteAttributes', items.length) };
  },
  // The same checks in the same order, and the same single transaction, an item per step.
  sliced: {
    facts: batchFactsInSlices,
    async handle(params, ctx, slices) {
      const domain = domainName(params);
      const items = await batchItemsInSlices(params, deletePair, false, slices);
      const id = existingDomain(ctx, domain);
      await ctx.store.transactionInSlices(async () => {
        for (const item of items) {
          ctx.store.deleteAttributes(id, item.name, item.pairs);
          const turn = slices.next();
          if (turn) await turn;
        }
        // The commit begins a slice of its own.
        await slices.yield();
      });
      return { result: { action: 'BatchDeleteAttributes' }, boxUsage: batchBoxUsage('BatchDeleteAttributes', items.length) };
    },
  },
};
