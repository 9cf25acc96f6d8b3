import { errors } from '../core/errors.js';
import { Params, parseBoolean } from '../core/params.js';
import type { Store } from '../store/store.js';
import { attributeName, attributeValue } from './validate.js';

const PARTS = ['Name', 'Value', 'Exists'] as const;

export type Expected = { name: string; value: string } | { name: string; exists: false };

/**
 * The `Expected` block of PutAttributes/DeleteAttributes. Both spellings are accepted
 * (`Expected.Name`, from the Java SDK and boto3, and `Expected.N.Name`, from boto 2); the
 * unindexed form and each index are separate conditions, and only one of each part may be given.
 */
export function parseExpected(params: Params): Expected | undefined {
  const groups: Params[] = [];
  const plain = PARTS.filter((k) => params.has(`Expected.${k}`));
  if (plain.length > 0) groups.push(new Params(plain.map((k) => [k, params.get(`Expected.${k}`) ?? ''] as const)));
  for (const g of params.indexed('Expected')) groups.push(g.params);
  if (groups.length === 0) return undefined;

  const names = collect(groups, 'Name');
  const values = collect(groups, 'Value');
  const exists = collect(groups, 'Exists');
  if (names.length > 1) throw errors.multipleExpectedNames();
  if (values.length > 1) throw errors.multipleExpectedValues();
  if (exists.length > 1) throw errors.multipleExistsConditions();
  const [name] = names;
  const [value] = values;
  let existsFlag: boolean | undefined;
  if (exists[0] !== undefined) {
    existsFlag = parseBoolean(exists[0]);
    if (existsFlag === undefined) {
      throw errors.invalidParameterValue('Expected.Exists', exists[0], 'Expected.Exists should be either true or false.');
    }
  }
  if (name === undefined) throw errors.missingParameter('Name');
  if (existsFlag === false && value !== undefined) throw errors.existsAndExpectedValue();
  if (existsFlag !== false && value === undefined) throw errors.incompleteExpectedExpression();
  attributeName(name);
  if (value === undefined) return { name, exists: false };
  return { name, value: attributeValue(value) };
}

function collect(groups: Params[], key: string): string[] {
  const out: string[] = [];
  for (const g of groups) {
    const v = g.get(key);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** Evaluated against the latest committed state, inside the write's transaction. */
export function checkExpected(store: Store, domainId: number, item: string, expected: Expected): void {
  const values = store.valuesForCheck(domainId, item, expected.name);
  if ('exists' in expected) {
    if (values.length > 0) throw errors.conditionalValueExists(expected.name);
    return;
  }
  if (values.length === 0) throw errors.attributeDoesNotExist(expected.name);
  if (values.length > 1) throw errors.multiValuedAttribute(expected.name);
  if (values[0] !== expected.value) throw errors.conditionalValueMismatch(expected.name, values[0] ?? '', expected.value);
}
