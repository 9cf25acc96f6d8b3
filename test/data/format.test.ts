// The data format (docs/data.md): the JSON Schema in docs/ and the importer's checks agree on
// every sample the schema can express; sizes counted in UTF-8 bytes only the importer sees.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { FormatError, itemLine, parseLine, sortPairs } from '../../emulator/data/format.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/item.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

const long = (n: number, ch = 'x') => ch.repeat(n);
const attrs256 = Object.fromEntries(Array.from({ length: 256 }, (_, k) => [`a${k}`, ['v']]));

const GOOD: string[] = [
  '{"domain":"users"}',
  '{"domain":"users","item":"u1","attributes":{"name":["Ann"]}}',
  '{"domain":"a.b-c_d","item":"i","attributes":{"tags":["red","blue"],"empty":[""]}}',
  JSON.stringify({ domain: 'uni', item: 'é𝄞\u0000', attributes: { '名前': ['😀', 'line1\r\nline2', '\u0001\u001f'] } }),
  JSON.stringify({ domain: 'big', item: long(1024), attributes: { [long(1024)]: [long(1024)] } }),
  JSON.stringify({ domain: 'wide', item: 'w', attributes: attrs256 }),
  '  {"domain":"spaces"}  ',
];

/** Refused by both the schema and the importer. */
const BAD: string[] = [
  '[]',
  '"text"',
  '{}',
  '{"domain":"ab"}',
  '{"domain":"has space"}',
  '{"domain":7}',
  '{"domain":"users","extra":1}',
  '{"domain":"users","item":"u1"}',
  '{"domain":"users","attributes":{"a":["1"]}}',
  '{"domain":"users","item":"","attributes":{"a":["1"]}}',
  '{"domain":"users","item":"u1","attributes":{}}',
  '{"domain":"users","item":"u1","attributes":{"a":[]}}',
  '{"domain":"users","item":"u1","attributes":{"a":"1"}}',
  '{"domain":"users","item":"u1","attributes":{"a":[1]}}',
  '{"domain":"users","item":"u1","attributes":{"a":[true]}}',
  '{"domain":"users","item":"u1","attributes":{"a":[null]}}',
  '{"domain":"users","item":"u1","attributes":{"":["1"]}}',
  '{"domain":"users","item":"u1","attributes":[["a","1"]]}',
  JSON.stringify({ domain: 'users', item: long(1025), attributes: { a: ['1'] } }),
  JSON.stringify({ domain: 'users', item: 'u', attributes: { a: [long(1025)] } }),
  JSON.stringify({ domain: 'users', item: 'u', attributes: { ...attrs256, extra: ['v'] } }),
];

/** Within the schema's character counts but over the service's byte limits: the importer's alone. */
const BAD_BYTES_ONLY: string[] = [
  JSON.stringify({ domain: 'users', item: long(513, 'é'), attributes: { a: ['1'] } }),
  JSON.stringify({ domain: 'users', item: 'u', attributes: { a: [long(257, '😀')] } }),
  JSON.stringify({ domain: 'users', item: 'u', attributes: { [long(1023) + 'é']: ['1'] } }),
  JSON.stringify({ domain: 'users', item: 'u', attributes: { a: Array.from({ length: 200 }, (_, k) => `${k}`), b: Array.from({ length: 57 }, (_, k) => `${k}`) } }),
];

const importerAccepts = (line: string) => {
  try {
    parseLine(line);
    return true;
  } catch (err) {
    if (err instanceof FormatError) return false;
    throw err;
  }
};

describe('data format', () => {
  it('schema and importer both accept the good samples', () => {
    for (const line of GOOD) {
      expect(validate(JSON.parse(line)), `${line.slice(0, 80)} ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(importerAccepts(line), line.slice(0, 80)).toBe(true);
    }
  });

  it('schema and importer both refuse the bad samples', () => {
    for (const line of BAD) {
      expect(validate(JSON.parse(line)), line.slice(0, 80)).toBe(false);
      expect(importerAccepts(line), line.slice(0, 80)).toBe(false);
    }
  });

  it('the importer also counts UTF-8 bytes and distinct pairs, which the schema cannot', () => {
    for (const line of BAD_BYTES_ONLY) {
      expect(validate(JSON.parse(line)), line.slice(0, 80)).toBe(true);
      expect(importerAccepts(line), line.slice(0, 80)).toBe(false);
    }
  });

  it('gives the service reason for a service rule and names the field otherwise', () => {
    expect(() => parseLine('{"domain":"ab"}')).toThrow(/^"domain": InvalidParameterValue: Value \(ab\) for parameter DomainName is invalid/);
    expect(() => parseLine('{"domain":"users","item":"u","attributes":{"a":[1]}}')).toThrow('attribute "a": values are strings, not number');
    expect(() => parseLine('{"domain":"users",')).toThrow(/^not JSON/);
    const huge = JSON.stringify({ domain: 'users', item: long(5000), attributes: { a: ['1'] } });
    expect(() => parseLine(huge)).toThrow(/^"item": InvalidParameterValue: Value \(x{60}… \(5000 bytes\)\) for parameter Item is invalid\. Value exceeds max length of 1024\.$/);
  });

  it('keeps repeated values of an attribute once (a set) and counts them once', () => {
    const line = parseLine('{"domain":"users","item":"u","attributes":{"a":["1","1","2"]}}');
    expect(line).toEqual({ kind: 'item', domain: 'users', item: 'u', pairs: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] });
  });

  it('writes attribute names in byte order, integer-like names included, and reads back what it wrote', () => {
    const pairs = [
      { name: '10', value: 'x' },
      { name: '9', value: 'y' },
      { name: 'a', value: '\r\n' },
      { name: 'a', value: '😀' },
    ];
    const text = itemLine('users', 'u', pairs);
    expect(text).toBe('{"domain":"users","item":"u","attributes":{"10":["x"],"9":["y"],"a":["\\r\\n","😀"]}}\n');
    const back = parseLine(text);
    // JSON.parse puts integer-like keys first; the pairs are the same set.
    expect(back.kind === 'item' && sortPairs(back.pairs)).toEqual(pairs);
    expect(validate(JSON.parse(text))).toBe(true);
  });
});
