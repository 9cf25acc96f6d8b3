import type { ActionName } from '../core/boxUsage.js';
import { batchDeleteAttributesAction } from './batchDeleteAttributes.js';
import { batchPutAttributesAction } from './batchPutAttributes.js';
import { createDomainAction } from './createDomain.js';
import { deleteAttributesAction } from './deleteAttributes.js';
import { deleteDomainAction } from './deleteDomain.js';
import { domainMetadataAction } from './domainMetadata.js';
import { getAttributesAction } from './getAttributes.js';
import { listDomainsAction } from './listDomains.js';
import { putAttributesAction } from './putAttributes.js';
import { selectAction } from './select.js';
import type { Action } from './types.js';

export const actions: ReadonlyMap<string, Action> = new Map<ActionName, Action>(
  [
    createDomainAction,
    deleteDomainAction,
    listDomainsAction,
    domainMetadataAction,
    putAttributesAction,
    batchPutAttributesAction,
    getAttributesAction,
    deleteAttributesAction,
    batchDeleteAttributesAction,
    selectAction,
  ].map((a) => [a.name, a]),
);
