import { createHmac, timingSafeEqual } from 'node:crypto';
import { BASE_BOX_USAGE } from '../protocol/boxUsage.js';
import { errors } from '../protocol/errors.js';
import { element } from '../protocol/render.js';
import type { Action } from './types.js';

const TOKEN_VERSION = 'L1';

/**
 * The token is the last name returned, signed so that a forged or mangled token is refused:
 * the next page starts strictly after it, so domains created or deleted between pages simply
 * appear or disappear.
 */
function encodeToken(last: string, key: Buffer): string {
  const body = Buffer.from(last, 'utf8').toString('base64url');
  const mac = createHmac('sha256', key).update(`${TOKEN_VERSION}.${body}`).digest('base64url').slice(0, 22);
  return Buffer.from(`${TOKEN_VERSION}.${body}.${mac}`).toString('base64');
}

function decodeToken(token: string, key: Buffer): string {
  const parts = Buffer.from(token, 'base64').toString('utf8').split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_VERSION) throw errors.invalidNextToken();
  const [version, body = '', mac = ''] = parts;
  const want = createHmac('sha256', key).update(`${version}.${body}`).digest('base64url').slice(0, 22);
  if (mac.length !== want.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(want))) {
    throw errors.invalidNextToken();
  }
  return Buffer.from(body, 'base64url').toString('utf8');
}

export const listDomainsAction: Action = {
  name: 'ListDomains',
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
    const after = token === undefined ? '' : decodeToken(token, ctx.tokenKey);
    const names = ctx.store.listDomains(ctx.account, after, max + 1);
    const page = names.slice(0, max);
    let result = page.map((n) => element('DomainName', n)).join('');
    const last = page[page.length - 1];
    if (names.length > max && last !== undefined) result += element('NextToken', encodeToken(last, ctx.tokenKey));
    return { result, boxUsage: BASE_BOX_USAGE.ListDomains };
  },
};
