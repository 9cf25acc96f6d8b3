import { errors } from '../core/errors.js';
import { BASE_BOX_USAGE } from '../core/boxUsage.js';
import type { Store } from '../store/store.js';
import type { Action } from './types.js';
import { domainName } from './validate.js';
import { domainFacts } from './facts.js';

/** Idempotent: creating a domain that exists succeeds and changes nothing. */
export const createDomainAction: Action = {
  name: 'CreateDomain',
  facts: domainFacts,
  handle(params, ctx) {
    const name = domainName(params);
    ctx.store.transaction(() => ensureDomain(ctx.store, ctx.account, name, ctx.limits.maxDomains, Math.floor(ctx.now() / 1000)));
    return { result: { action: 'CreateDomain' }, boxUsage: BASE_BOX_USAGE.CreateDomain };
  },
};

/**
 * The domain's id, created first when it does not exist and the account is under its domain
 * limit; inside the caller's transaction. Shared with import and mirror, which create domains
 * by the service's rules too.
 */
export function ensureDomain(
  store: Store,
  account: string,
  name: string,
  maxDomains: number,
  nowSeconds: number,
): { id: number; created: boolean } {
  const id = store.domainId(account, name);
  if (id !== undefined) return { id, created: false };
  if (store.domainCount(account) >= maxDomains) throw errors.numberDomainsExceeded();
  return { id: store.createDomain(account, name, nowSeconds), created: true };
}
