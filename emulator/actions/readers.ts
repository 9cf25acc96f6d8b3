import { parseBoolean, type Params } from '../core/params.js';
import type { AttributeInput, ExpectedInput, ItemInput, RequestReading } from '../core/wire.js';

export type { AttributeInput, ExpectedInput, ItemInput, RequestReading };

/**
 * What a request asks for, read from its parameters without validating (these never throw): the
 * journal, the fault matcher, the sync-bug analysis and the console read requests through them,
 * so they see exactly what the actions see and only this folder spells parameter names. The
 * actions read the same names through the same helpers, validating as they go.
 */

/** The request as its action would read it; undefined when it names no action of ours. */
export function readRequest(params: Params): RequestReading | undefined {
  const action = params.get('Action');
  switch (action) {
    case 'CreateDomain':
    case 'DeleteDomain':
    case 'DomainMetadata':
      return { action, domain: domainOf(params) };
    case 'ListDomains':
      return { action, nextToken: params.get('NextToken') };
    case 'PutAttributes':
    case 'DeleteAttributes':
      return {
        action,
        domain: domainOf(params),
        item: params.get('ItemName'),
        attributes: attributeInputs(params),
        expected: expectedInputs(params),
      };
    case 'BatchPutAttributes':
    case 'BatchDeleteAttributes':
      return { action, domain: domainOf(params), items: itemInputs(params) };
    case 'GetAttributes':
      return {
        action,
        domain: domainOf(params),
        item: params.get('ItemName'),
        attributeNames: requestedNames(params),
        consistentRead: consistentReadAsked(params),
      };
    case 'Select':
      return {
        action,
        expression: params.get('SelectExpression'),
        nextToken: params.get('NextToken'),
        consistentRead: consistentReadAsked(params),
      };
    default:
      return undefined;
  }
}

export const domainOf = (params: Params): string | undefined => params.get('DomainName');

/** The parameters every request carries, whatever its action. */
export const envelopeOf = (params: Params) => ({
  version: params.get('Version'),
  timestamp: params.get('Timestamp'),
});

/** A malformed flag fails the action; read here, it is false. */
export const consistentReadAsked = (params: Params): boolean => parseBoolean(params.get('ConsistentRead') ?? '') === true;

/**
 * GetAttributes' names: `AttributeName.N` as the SDKs send them, and the bare `AttributeName` the
 * Developer Guide's parameter table names, which clients of the right_aws family and Haskell's
 * `aws` send for one attribute (it comes first: it has no index).
 */
export function requestedNames(params: Params): string[] {
  const bare = params.get('AttributeName');
  const listed = params.indexed('AttributeName').map(({ params: p }) => p.get('') ?? '');
  return bare === undefined ? listed : [bare, ...listed];
}

/** `Attribute.N.Name/Value/Replace` in index order; an entry without a name is skipped. */
export function attributeInputs(params: Params): AttributeInput[] {
  const out: AttributeInput[] = [];
  for (const { params: p } of params.indexed('Attribute')) {
    const name = p.get('Name');
    if (name === undefined) continue;
    out.push({ name, value: p.get('Value'), replace: parseBoolean(p.get('Replace') ?? '') === true });
  }
  return out;
}

/** `Item.N.ItemName` with its attributes; an entry without an item name is skipped. */
export function itemInputs(params: Params): ItemInput[] {
  const out: ItemInput[] = [];
  for (const { params: p } of params.indexed('Item')) {
    const item = p.get('ItemName');
    if (item !== undefined) out.push({ item, attributes: attributeInputs(p) });
  }
  return out;
}

/** `Item.N.ItemName` alone, in the same order and with the same skips as `itemInputs`. */
export function itemNames(params: Params): string[] {
  const out: string[] = [];
  for (const { params: p } of params.indexed('Item')) {
    const item = p.get('ItemName');
    if (item !== undefined) out.push(item);
  }
  return out;
}

/**
 * The `Expected` conditions: the unindexed spelling (`Expected.Name`, from the Java SDK and
 * boto3) first, then `Expected.N.*` (boto 2), each a condition of its own.
 */
export function expectedInputs(params: Params): ExpectedInput[] {
  const out: ExpectedInput[] = [];
  const plain = { name: params.get('Expected.Name'), value: params.get('Expected.Value'), exists: params.get('Expected.Exists') };
  if (plain.name !== undefined || plain.value !== undefined || plain.exists !== undefined) out.push(plain);
  for (const { params: p } of params.indexed('Expected')) out.push({ name: p.get('Name'), value: p.get('Value'), exists: p.get('Exists') });
  return out;
}
