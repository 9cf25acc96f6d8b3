import { BASE_BOX_USAGE } from '../core/boxUsage.js';
import type { Action } from './types.js';
import { domainName } from './validate.js';
import { domainFacts } from './facts.js';

/** Deleting a domain that does not exist succeeds. */
export const deleteDomainAction: Action = {
  name: 'DeleteDomain',
  facts: domainFacts,
  handle(params, ctx) {
    const name = domainName(params);
    ctx.store.transaction(() => ctx.store.deleteDomain(ctx.account, name));
    return { result: { action: 'DeleteDomain' }, boxUsage: BASE_BOX_USAGE.DeleteDomain };
  },
};
