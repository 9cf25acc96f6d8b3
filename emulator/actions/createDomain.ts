import { errors } from '../protocol/errors.js';
import { BASE_BOX_USAGE } from '../protocol/boxUsage.js';
import type { Action } from './types.js';
import { domainName } from './validate.js';
import { domainFacts } from './facts.js';

/** Idempotent: creating a domain that exists succeeds and changes nothing. */
export const createDomainAction: Action = {
  name: 'CreateDomain',
  facts: domainFacts,
  handle(params, ctx) {
    const name = domainName(params);
    ctx.store.transaction(() => {
      if (ctx.store.domain(ctx.account, name)) return;
      if (ctx.store.domainCount(ctx.account) >= ctx.limits.maxDomains) throw errors.numberDomainsExceeded();
      ctx.store.createDomain(ctx.account, name, Math.floor(ctx.now() / 1000));
    });
    return { result: { action: 'CreateDomain' }, boxUsage: BASE_BOX_USAGE.CreateDomain };
  },
};
