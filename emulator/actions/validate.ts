import { errors } from '../core/errors.js';
import { parseBoolean, utf8Length, type Params } from '../core/params.js';
import type { ActionContext } from './types.js';

const DOMAIN_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const MAX_NAME_BYTES = 1024;
export const MAX_PAIRS = 256;

/** Present (an empty string counts as present) and of the service's pattern. */
export function domainName(params: Params): string {
  const name = params.get('DomainName');
  if (name === undefined) throw errors.missingParameter('DomainName');
  if (!DOMAIN_NAME.test(name)) throw errors.invalidParameterValue('DomainName', name);
  return name;
}

export function itemName(value: string | undefined, param = 'ItemName'): string {
  if (value === undefined) throw errors.missingParameter(param);
  if (value === '') throw errors.invalidParameterValue(param, value);
  if (utf8Length(value) > MAX_NAME_BYTES) {
    throw errors.invalidParameterValue('Item', value, 'Value exceeds max length of 1024.');
  }
  return value;
}

export function attributeName(name: string, param = 'Name'): string {
  if (name === '') throw errors.emptyAttributeName();
  return withinMaxBytes(name, param);
}

export function attributeValue(value: string): string {
  return withinMaxBytes(value, 'Value');
}

/** An attribute name or value of at most 1024 bytes; `param` is what the error names. */
export function withinMaxBytes(text: string, param: string): string {
  if (utf8Length(text) > MAX_NAME_BYTES) {
    throw errors.invalidParameterValue(param, text, 'Value exceeds maximum length of 1024.');
  }
  return text;
}

export function replaceFlag(value: string | undefined): boolean {
  if (value === undefined) return false;
  const flag = parseBoolean(value);
  if (flag === undefined) {
    throw errors.invalidParameterValue('Replace', value, 'The Replace flag should be either true or false.');
  }
  return flag;
}

export function consistentRead(params: Params): boolean {
  const value = params.get('ConsistentRead');
  if (value === undefined) return false;
  const flag = parseBoolean(value);
  if (flag === undefined) {
    throw errors.invalidParameterValue('ConsistentRead', value, 'The ConsistentRead flag should be either true or false.');
  }
  return flag;
}

/** The domain's id, or the service's NoSuchDomain. */
export function existingDomain(ctx: ActionContext, name: string): number {
  const id = ctx.store.domainId(ctx.account, name);
  if (id === undefined) throw errors.noSuchDomain();
  return id;
}

/** Refuses parameters the 2007-11-07 API did not have. */
export function requireModernVersion(ctx: ActionContext, params: Params, names: readonly string[]): void {
  if (ctx.version === '2009-04-15') return;
  for (const [name] of params.entries) {
    if (names.some((n) => name === n || name.startsWith(n + '.'))) throw errors.invalidWsdlVersion(name);
  }
}
