import { BASE_BOX_USAGE } from '../core/boxUsage.js';
import { errors } from '../core/errors.js';
import { decodeToken, encodeToken } from '../core/nextToken.js';
import type { Action } from './types.js';
import { noFacts } from './facts.js';

/**
 * A page continues strictly after the last name returned, so domains created or deleted between
 * pages simply appear or disappear. The scope keeps Select's tokens out.
 */
const SCOPE = 'ListDomains';

export const listDomainsAction: Action = {
  name: 'ListDomains',
  facts: noFacts,
  handle(params, ctx) {
    const maxText = params.get('MaxNumberOfDomains');
    let max = 100;
    if (maxText !== undefined) {
      max = /^\d{1,3}$/.test(maxText) ? Number(maxText) : NaN;
      if (!(max >= 1 && max <= 100)) {
        throw errors.invalidParameterValue(
          'MaxNumberOfDomains',
          maxText,
          'MaxNumberOfDomains must be between 1 and 100.',
        );
      }
    }
    const token = params.get('NextToken');
    const after = token === undefined ? '' : (decodeToken(token, SCOPE, ctx.tokenKey).name ?? '');
    const names = ctx.store.listDomains(ctx.account, after, max + 1);
    const page = names.slice(0, max);
    const last = page[page.length - 1];
    const nextToken =
      names.length > max && last !== undefined ? encodeToken({ key: null, name: last }, SCOPE, ctx.tokenKey) : null;
    return { result: { action: 'ListDomains', domainNames: page, nextToken }, boxUsage: BASE_BOX_USAGE.ListDomains };
  },
};
