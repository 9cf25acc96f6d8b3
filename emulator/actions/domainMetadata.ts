import { BASE_BOX_USAGE } from '../protocol/boxUsage.js';
import type { Action } from './types.js';
import { domainName, existingDomain } from './validate.js';

/** Computed on request, from the live data. */
export const domainMetadataAction: Action = {
  name: 'DomainMetadata',
  handle(params, ctx) {
    const domain = existingDomain(ctx, domainName(params));
    const s = ctx.store.domainStats(domain.id);
    const result =
      `<ItemCount>${s.itemCount}</ItemCount><ItemNamesSizeBytes>${s.itemNamesSizeBytes}</ItemNamesSizeBytes>` +
      `<AttributeNameCount>${s.attributeNameCount}</AttributeNameCount>` +
      `<AttributeNamesSizeBytes>${s.attributeNamesSizeBytes}</AttributeNamesSizeBytes>` +
      `<AttributeValueCount>${s.attributeValueCount}</AttributeValueCount>` +
      `<AttributeValuesSizeBytes>${s.attributeValuesSizeBytes}</AttributeValuesSizeBytes>` +
      `<Timestamp>${Math.floor(ctx.now() / 1000)}</Timestamp>`;
    return { result, boxUsage: BASE_BOX_USAGE.DomainMetadata };
  },
};
