import { batchBoxUsage } from '../core/boxUsage.js';
import type { PutEffect } from '../store/store.js';
import { putPair } from './attributes.js';
import { batchItems, batchItemsInSlices } from './batch.js';
import { checkLimits } from './limits.js';
import type { Action } from './types.js';
import { domainName, existingDomain } from './validate.js';
import { batchFacts, batchFactsInSlices } from './facts.js';

/** Pairs inserted between two looks at the clock: a 1 kB pair takes about 10 µs. */
const PUT_STEP = 8;

/** The whole batch is one transaction: a limit breached by any item writes nothing. */
export const batchPutAttributesAction: Action = {
  name: 'BatchPutAttributes',
  facts: batchFacts,
  handle(params, ctx) {
    const domain = domainName(params);
    const items = batchItems(params, putPair, true);
    const id = existingDomain(ctx, domain);
    ctx.store.transaction(() => {
      const effects = items.map((item) => ctx.store.putAttributes(id, item.name, item.pairs));
      checkLimits(ctx.store, id, ctx.limits, effects);
    });
    return { result: { action: 'BatchPutAttributes' }, boxUsage: batchBoxUsage('BatchPutAttributes', items.length) };
  },
  // The same checks in the same order, and the same single transaction, in slices.
  sliced: {
    facts: batchFactsInSlices,
    async handle(params, ctx, slices) {
      const domain = domainName(params);
      const items = await batchItemsInSlices(params, putPair, true, slices);
      const id = existingDomain(ctx, domain);
      const store = ctx.store;
      await store.transactionInSlices(async () => {
        const effects: PutEffect[] = [];
        for (const item of items) {
          const put = store.beginPut(id, item.name, item.pairs);
          for (let from = 0; from < item.pairs.length; from += PUT_STEP) {
            store.putPairs(put, item.pairs, from, Math.min(from + PUT_STEP, item.pairs.length));
            const turn = slices.next();
            if (turn) await turn;
          }
          effects.push(store.endPut(put));
        }
        // The commit (milliseconds for a 6.8 MB batch) begins a slice of its own.
        await slices.yield();
        checkLimits(store, id, ctx.limits, effects);
      });
      return { result: { action: 'BatchPutAttributes' }, boxUsage: batchBoxUsage('BatchPutAttributes', items.length) };
    },
  },
};
