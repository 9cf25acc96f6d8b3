import { errors } from '../core/errors.js';
import type { Params } from '../core/params.js';
import type { DeletePair, PutPair } from '../store/store.js';
import { attributeName, attributeValue, replaceFlag } from './validate.js';

/**
 * `Attribute.N.{Name,Value,Replace}` of a put, in ascending N, each checked in the service's
 * order: Name present, Value present, Name non-empty, lengths, then Replace.
 */
export function putPairs(params: Params): PutPair[] {
  return params.indexed('Attribute').map(({ params: a }) => putPair(a));
}

/** One `Attribute.N` group of a put, checked as `putPairs` says. */
export function putPair(a: Params): PutPair {
  const name = a.get('Name');
  const value = a.get('Value');
  if (name === undefined) {
    throw errors.missingParameterText(`Attribute.Name missing for Attribute.Value='${value ?? ''}'.`);
  }
  if (value === undefined) throw errors.missingParameterText(`Attribute.Value missing for Attribute.Name='${name}'.`);
  attributeName(name);
  attributeValue(value);
  return { name, value, replace: replaceFlag(a.get('Replace')) };
}

/** `Attribute.N.{Name,Value}` of a delete: a Value alone is refused; Replace is ignored. */
export function deletePairs(params: Params): DeletePair[] {
  return params.indexed('Attribute').map(({ params: a }) => deletePair(a));
}

/** One `Attribute.N` group of a delete, checked as `deletePairs` says. */
export function deletePair(a: Params): DeletePair {
  const name = a.get('Name');
  const value = a.get('Value');
  if (name === undefined) {
    throw errors.missingParameterText('The request must contain the attribute Name, if an attribute Value is specified.');
  }
  attributeName(name);
  if (value === undefined) return { name };
  return { name, value: attributeValue(value) };
}

/** Bytes of names and values submitted, for BoxUsage. */
export function submittedBytes(pairs: readonly { name: string; value?: string }[]): number {
  let n = 0;
  for (const p of pairs) n += Buffer.byteLength(p.name) + (p.value === undefined ? 0 : Buffer.byteLength(p.value));
  return n;
}
