import { BASE_BOX_USAGE } from '../core/boxUsage.js';
import type { Action } from './types.js';
import { domainName, existingDomain } from './validate.js';
import { domainFacts } from './facts.js';

/** Computed on request, from the live data. */
export const domainMetadataAction: Action = {
  name: 'DomainMetadata',
  facts: domainFacts,
  handle(params, ctx) {
    const stats = ctx.store.domainStats(existingDomain(ctx, domainName(params)));
    const result = { action: 'DomainMetadata', stats, timestamp: Math.floor(ctx.now() / 1000) } as const;
    return { result, boxUsage: BASE_BOX_USAGE.DomainMetadata };
  },
};
