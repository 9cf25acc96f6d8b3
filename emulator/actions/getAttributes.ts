import { getBoxUsage } from '../protocol/boxUsage.js';
import { errors } from '../protocol/errors.js';
import { attributeElement } from '../protocol/render.js';
import { utf8Length } from '../protocol/params.js';
import type { Action } from './types.js';
import { consistentRead, domainName, existingDomain, itemName, MAX_NAME_BYTES, MAX_PAIRS, requireModernVersion } from './validate.js';

/** An absent item is an empty result, never an error. */
export const getAttributesAction: Action = {
  name: 'GetAttributes',
  handle(params, ctx) {
    const domain = domainName(params);
    const item = itemName(params.get('ItemName'));
    const names = params.indexed('AttributeName').map(({ params: p }) => {
      const name = p.get('') ?? '';
      if (utf8Length(name) > MAX_NAME_BYTES) {
        throw errors.invalidParameterValue('AttributeName', name, 'Value exceeds maximum length of 1024.');
      }
      return name;
    });
    if (names.length > MAX_PAIRS) throw errors.tooManyRequestedAttributes();
    requireModernVersion(ctx, params, ['ConsistentRead']);
    const consistent = consistentRead(params);
    const { id } = existingDomain(ctx, domain);
    const pairs = ctx.store.getAttributes(id, item, names, consistent ? undefined : ctx.eventualRead?.());
    const result = pairs.map((p) => attributeElement(p.name, p.value)).join('');
    return { result, boxUsage: getBoxUsage(pairs.length) };
  },
};
