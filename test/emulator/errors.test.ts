// Every error of every action: exact code, HTTP status and message, and the service's validation
// order, shown by sending requests where two errors apply and checking the earlier one wins
// Messages are spelled out here rather than imported from errors.ts, so a
// changed catalogue entry fails a test.
import { signToken } from '../../emulator/core/nextToken.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import {
  attrs,
  call,
  emulator,
  errorOf,
  expectError,
  getPairs,
  ok,
  send,
  type HttpResult,
  type Pairs,
  type ParamList,
} from '../support/protocol.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await emulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  emu.reset();
  await ok(emu, { Action: 'CreateDomain', DomainName: 'dom' });
});

const long = (n: number, c = 'x') => c.repeat(n);
const L1025 = long(1025);
/** 1,024 bytes in 512 characters: byte limits count UTF-8, not characters. */
const E1024 = long(512, 'é');

async function fails(params: ParamList, status: number, code: string, message: string, boxUsage?: string) {
  const res = await call(emu, params);
  expectError(res, status, code, message, boxUsage);
  return res;
}

const missing = (p: string) => ['MissingParameter', `The request must contain the parameter ${p}`] as const;
const invalid = (p: string, v: string, reason = '') =>
  ['InvalidParameterValue', `Value (${v}) for parameter ${p} is invalid. ${reason}`] as const;
const EMPTY_NAME = ['InvalidParameterValue', 'Value () for parameter Name is invalid.The empty string is an illegal attribute name'] as const;
const TOO_LONG = 'Value exceeds maximum length of 1024.';

describe('request-level errors, in the order the service checks', () => {
  it('MissingAction when Action is absent or empty', async () => {
    await fails({ DomainName: 'dom' }, 400, 'MissingAction', 'No action was supplied with this request.', '0.0000000000');
    await fails({ Action: '' }, 400, 'MissingAction', 'No action was supplied with this request.');
    const get = await send(emu, { path: '/' });
    expectError(get, 400, 'MissingAction', 'No action was supplied with this request.');
  });

  it('InvalidAction for an unknown or wrongly cased action name', async () => {
    await fails({ Action: 'Frobnicate' }, 400, 'InvalidAction', 'The action Frobnicate is not valid for this web service.');
    await fails({ Action: 'listdomains' }, 400, 'InvalidAction', 'The action listdomains is not valid for this web service.');
  });

  it('NoSuchVersion for a version other than 2009-04-15 and 2007-11-07', async () => {
    await fails(
      { Action: 'ListDomains', Version: '2010-01-01' },
      400,
      'NoSuchVersion',
      'The requested version (2010-01-01) of service AmazonSimpleDB does not exist.',
    );
    await ok(emu, { Action: 'ListDomains', Version: '2007-11-07' });
  });

  it('InvalidWSDLVersion for 2009 parameters under the 2007 version', async () => {
    const message = 'is only supported in WSDL version 2009-04-15 or beyond. Please upgrade to new version';
    await fails(
      { Action: 'GetAttributes', Version: '2007-11-07', DomainName: 'dom', ItemName: 'i', ConsistentRead: 'true' },
      400,
      'InvalidWSDLVersion',
      `Parameter (ConsistentRead) ${message}`,
    );
    await fails(
      { Action: 'PutAttributes', Version: '2007-11-07', DomainName: 'dom', ItemName: 'i', ...pairs([['a', '1']]), 'Expected.Name': 'a', 'Expected.Value': '1' },
      400,
      'InvalidWSDLVersion',
      `Parameter (Expected.Name) ${message}`,
    );
  });

  it('UnsupportedHttpVerb for PUT and DELETE, before anything else', async () => {
    for (const method of ['PUT', 'DELETE']) {
      const res = await send(emu, { method, path: '/?Action=ListDomains' });
      expectError(res, 400, 'UnsupportedHttpVerb', `The requested HTTP verb is not supported: ${method}.`);
      // Verb before path and before Action.
      expectError(await send(emu, { method, path: '/elsewhere' }), 400, 'UnsupportedHttpVerb', `The requested HTTP verb is not supported: ${method}.`);
    }
  });

  it('InvalidURI for a path other than /, before Action', async () => {
    const res = await send(emu, { path: '/some/path?Action=ListDomains' });
    expectError(res, 400, 'InvalidURI', 'The URI /some/path is not valid.');
    expectError(await send(emu, { path: '/x' }), 400, 'InvalidURI', 'The URI /x is not valid.');
  });

  it('a repeated parameter is InvalidParameterValue for its later value, before MissingAction', async () => {
    const res = await send(emu, { path: '/?Action=ListDomains&MaxNumberOfDomains=5&MaxNumberOfDomains=6' });
    expectError(res, 400, ...invalid('MaxNumberOfDomains', '6'));
    const noAction = await send(emu, { path: '/?DomainName=a&DomainName=b' });
    expectError(noAction, 400, ...invalid('DomainName', 'b'));
    // Across query string and body the body wins (the Query API's form rules): not a repetition.
    const merged = await send(emu, {
      method: 'POST',
      path: '/?Action=Frobnicate&MaxNumberOfDomains=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListDomains',
    });
    expect(merged.status).toBe(200);
  });

  it('orders MissingAction, InvalidAction, NoSuchVersion, then the action', async () => {
    await fails({ Version: 'bogus' }, 400, 'MissingAction', 'No action was supplied with this request.');
    await fails({ Action: 'Nope', Version: 'bogus' }, 400, 'InvalidAction', 'The action Nope is not valid for this web service.');
    await fails(
      { Action: 'CreateDomain', Version: 'bogus' },
      400,
      'NoSuchVersion',
      'The requested version (bogus) of service AmazonSimpleDB does not exist.',
    );
  });
});

describe('CreateDomain', () => {
  it('MissingParameter, then InvalidParameterValue with the trailing space', async () => {
    await fails({ Action: 'CreateDomain' }, 400, ...missing('DomainName'), '0.0055590278');
    await fails({ Action: 'CreateDomain', DomainName: '' }, 400, ...invalid('DomainName', ''));
    for (const bad of ['ab', long(256, 'a'), 'has space', 'semi;colon', 'ünï']) {
      await fails({ Action: 'CreateDomain', DomainName: bad }, 400, ...invalid('DomainName', bad));
    }
    for (const good of ['abc', long(255, 'a'), 'A.b-c_9']) await ok(emu, { Action: 'CreateDomain', DomainName: good });
  });

  it('NumberDomainsExceeded past the configured limit; re-creating an existing one still succeeds', async () => {
    await using limited = await emulator({ limits: { maxDomains: 2 } });
    await ok(limited, { Action: 'CreateDomain', DomainName: 'd01' });
    await ok(limited, { Action: 'CreateDomain', DomainName: 'd02' });
    expectError(
      await call(limited, { Action: 'CreateDomain', DomainName: 'd03' }),
      409,
      'NumberDomainsExceeded',
      'The domain limit was exceeded.',
      '0.0055590278',
    );
    await ok(limited, { Action: 'CreateDomain', DomainName: 'd02' });
    // The name is validated before the count.
    expectError(await call(limited, { Action: 'CreateDomain', DomainName: 'x' }), 400, ...invalid('DomainName', 'x'));
    await ok(limited, { Action: 'DeleteDomain', DomainName: 'd01' });
    await ok(limited, { Action: 'CreateDomain', DomainName: 'd03' });
  });
});

describe('DeleteDomain', () => {
  it('MissingParameter and InvalidParameterValue; a missing domain is not an error', async () => {
    await fails({ Action: 'DeleteDomain' }, 400, ...missing('DomainName'), '0.0055590278');
    await fails({ Action: 'DeleteDomain', DomainName: 'a!' }, 400, ...invalid('DomainName', 'a!'));
    await ok(emu, { Action: 'DeleteDomain', DomainName: 'never-created' });
  });
});

describe('ListDomains', () => {
  it('MaxNumberOfDomains outside 1..100 or not an integer', async () => {
    for (const bad of ['0', '101', '-1', '1.5', 'ten', '', ' 5', '1e2']) {
      await fails(
        { Action: 'ListDomains', MaxNumberOfDomains: bad },
        400,
        ...invalid('MaxNumberOfDomains', bad, 'MaxNumberOfDomains must be between 1 and 100.'),
        '0.0000071759',
      );
    }
  });

  it('InvalidNextToken for a forged, garbage or empty token; MaxNumberOfDomains is checked first', async () => {
    // Well formed, but signed with a key that is not the emulator's.
    const forged = signToken({ v: 1, h: 'ListDomains', k: null, i: 'dom' }, Buffer.alloc(32));
    for (const token of [forged, 'garbage', '', Buffer.from('dom').toString('base64')]) {
      await fails({ Action: 'ListDomains', NextToken: token }, 400, 'InvalidNextToken', 'The specified next token is not valid.');
    }
    await fails(
      { Action: 'ListDomains', MaxNumberOfDomains: '0', NextToken: 'garbage' },
      400,
      ...invalid('MaxNumberOfDomains', '0', 'MaxNumberOfDomains must be between 1 and 100.'),
    );
  });

  it('refuses a genuine token whose signed part was altered', async () => {
    await ok(emu, { Action: 'CreateDomain', DomainName: 'dom2' });
    const first = await ok(emu, { Action: 'ListDomains', MaxNumberOfDomains: '1' });
    const token = /<NextToken>([^<]+)<\/NextToken>/.exec(first.text)?.[1] ?? '';
    expect(token).not.toBe('');
    const bytes = Buffer.from(token, 'base64url');
    bytes[1] = (bytes[1] ?? 0) ^ 1;
    await fails({ Action: 'ListDomains', NextToken: bytes.toString('base64url') }, 400, 'InvalidNextToken', 'The specified next token is not valid.');
    // The genuine token itself continues the listing.
    await ok(emu, { Action: 'ListDomains', MaxNumberOfDomains: '1', NextToken: token });
  });

  it("refuses a Select token: both are signed with the emulator's key, but bound to their own question", async () => {
    for (const item of ['i1', 'i2']) {
      await ok(emu, { Action: 'PutAttributes', DomainName: 'dom', ItemName: item, 'Attribute.1.Name': 'a', 'Attribute.1.Value': '1' });
    }
    const page = await ok(emu, { Action: 'Select', SelectExpression: 'select * from dom limit 1' });
    const token = /<NextToken>([^<]+)<\/NextToken>/.exec(page.text)?.[1] ?? '';
    expect(token).not.toBe('');
    await fails({ Action: 'ListDomains', NextToken: token }, 400, 'InvalidNextToken', 'The specified next token is not valid.');
  });
});

describe('DomainMetadata', () => {
  it('MissingParameter, InvalidParameterValue (before NoSuchDomain), NoSuchDomain', async () => {
    await fails({ Action: 'DomainMetadata' }, 400, ...missing('DomainName'), '0.0000071759');
    await fails({ Action: 'DomainMetadata', DomainName: '' }, 400, ...invalid('DomainName', ''));
    await fails({ Action: 'DomainMetadata', DomainName: 'absent' }, 400, 'NoSuchDomain', 'The specified domain does not exist.', '0.0000071759');
  });
});

describe('GetAttributes', () => {
  const get = (extra: Record<string, string>) => ({ Action: 'GetAttributes', DomainName: 'dom', ItemName: 'i', ...extra });

  it('each error in turn', async () => {
    await fails({ Action: 'GetAttributes', ItemName: 'i' }, 400, ...missing('DomainName'), '0.0000093282');
    await fails({ Action: 'GetAttributes', DomainName: 'a', ItemName: 'i' }, 400, ...invalid('DomainName', 'a'));
    await fails({ Action: 'GetAttributes', DomainName: 'dom' }, 400, ...missing('ItemName'));
    await fails(get({ ItemName: '' }), 400, ...invalid('ItemName', ''));
    await fails(get({ ItemName: L1025 }), 400, ...invalid('Item', L1025, 'Value exceeds max length of 1024.'));
    await fails(get({ 'AttributeName.1': L1025 }), 400, ...invalid('AttributeName', L1025, TOO_LONG));
    await fails(
      get({ ConsistentRead: 'yes' }),
      400,
      ...invalid('ConsistentRead', 'yes', 'The ConsistentRead flag should be either true or false.'),
    );
    const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`AttributeName.${i + 1}`, `a${i}`]));
    await fails(get(many), 400, 'TooManyRequestedAttributes', 'Too many attributes requested.');
    await fails(get({ DomainName: 'absent' }), 400, 'NoSuchDomain', 'The specified domain does not exist.', '0.0000093282');
  });

  it('byte lengths are UTF-8: 1,024 bytes pass, 1,025 fail', async () => {
    await ok(emu, get({ ItemName: E1024, 'AttributeName.1': E1024 }));
    await fails(get({ ItemName: `${E1024}a` }), 400, ...invalid('Item', `${E1024}a`, 'Value exceeds max length of 1024.'));
  });

  it('validation order: DomainName, ItemName, AttributeName, ConsistentRead, NoSuchDomain', async () => {
    await fails({ Action: 'GetAttributes', DomainName: 'a', ConsistentRead: 'x' }, 400, ...invalid('DomainName', 'a'));
    await fails({ Action: 'GetAttributes', DomainName: 'dom', 'AttributeName.1': L1025 }, 400, ...missing('ItemName'));
    await fails(get({ 'AttributeName.1': L1025, ConsistentRead: 'x' }), 400, ...invalid('AttributeName', L1025, TOO_LONG));
    await fails(
      get({ DomainName: 'absent', ConsistentRead: 'x' }),
      400,
      ...invalid('ConsistentRead', 'x', 'The ConsistentRead flag should be either true or false.'),
    );
  });
});

function pairs(p: Pairs, replace = false): Record<string, string> {
  return Object.fromEntries(attrs(p, replace));
}

describe('PutAttributes: parameters in the order the service checks', () => {
  const put = (extra: Record<string, string>) => ({ Action: 'PutAttributes', DomainName: 'dom', ItemName: 'i', ...extra });
  const one = pairs([['a', '1']]);

  it('1. DomainName, 2. ItemName, 3. at least one attribute', async () => {
    await fails({ Action: 'PutAttributes', ItemName: 'i', ...one }, 400, ...missing('DomainName'), '0.0000219907');
    await fails(put({ DomainName: '..', ...one }), 400, ...invalid('DomainName', '..'));
    await fails({ Action: 'PutAttributes', DomainName: 'dom', ...one }, 400, ...missing('ItemName'));
    await fails(put({ ItemName: '', ...one }), 400, ...invalid('ItemName', ''));
    await fails(put({ ItemName: L1025, ...one }), 400, ...invalid('Item', L1025, 'Value exceeds max length of 1024.'));
    await fails(put({}), 400, 'MissingParameter', 'No attributes');
    // Earlier wins.
    await fails({ Action: 'PutAttributes' }, 400, ...missing('DomainName'));
    await fails({ Action: 'PutAttributes', DomainName: 'dom' }, 400, ...missing('ItemName'));
  });

  it('4. each attribute: Name, Value, empty name, lengths, Replace', async () => {
    await fails(put({ 'Attribute.1.Value': 'v' }), 400, 'MissingParameter', "Attribute.Name missing for Attribute.Value='v'.");
    await fails(put({ 'Attribute.1.Name': 'n' }), 400, 'MissingParameter', "Attribute.Value missing for Attribute.Name='n'.");
    await fails(put({ 'Attribute.1.Name': '', 'Attribute.1.Value': 'v' }), 400, ...EMPTY_NAME);
    await fails(put({ 'Attribute.1.Name': L1025, 'Attribute.1.Value': 'v' }), 400, ...invalid('Name', L1025, TOO_LONG));
    await fails(put({ 'Attribute.1.Name': 'n', 'Attribute.1.Value': L1025 }), 400, ...invalid('Value', L1025, TOO_LONG));
    await fails(
      put({ ...one, 'Attribute.1.Replace': 'yes' }),
      400,
      ...invalid('Replace', 'yes', 'The Replace flag should be either true or false.'),
    );
    // Inside one attribute: Name missing before anything about the value.
    await fails(put({ 'Attribute.1.Value': L1025 }), 400, 'MissingParameter', `Attribute.Name missing for Attribute.Value='${L1025}'.`);
    await fails(put({ 'Attribute.1.Name': '', 'Attribute.1.Value': L1025 }), 400, ...EMPTY_NAME);
    await fails(put({ 'Attribute.1.Name': L1025, 'Attribute.1.Value': L1025 }), 400, ...invalid('Name', L1025, TOO_LONG));
    await fails(
      put({ 'Attribute.1.Name': 'n', 'Attribute.1.Value': L1025, 'Attribute.1.Replace': 'x' }),
      400,
      ...invalid('Value', L1025, TOO_LONG),
    );
    await ok(emu, put({ 'Attribute.1.Name': E1024, 'Attribute.1.Value': E1024, 'Attribute.1.Replace': 'TRUE' }));
  });

  it('attributes are checked in ascending numeric index, whatever the wire order', async () => {
    await fails(
      put({ 'Attribute.10.Name': '', 'Attribute.10.Value': 'v', 'Attribute.9.Name': 'n' }),
      400,
      'MissingParameter',
      "Attribute.Value missing for Attribute.Name='n'.",
    );
  });

  it('5. more than 256 attributes, after every attribute is checked', async () => {
    const many = pairs(Array.from({ length: 257 }, (_, i): [string, string] => [`n${i}`, 'v']));
    await fails(put(many), 409, 'NumberSubmittedAttributesExceeded', 'Too many attributes in a single call.');
    await fails(put({ ...many, 'Attribute.257.Name': '' }), 400, ...EMPTY_NAME);
    await ok(emu, put(pairs(Array.from({ length: 256 }, (_, i): [string, string] => [`n${i}`, 'v']))));
    // 5 before 6 (Expected) and 7 (domain).
    await fails(
      put({ ...many, 'Expected.Name': 'a', 'Expected.1.Name': 'b', DomainName: 'absent' }),
      409,
      'NumberSubmittedAttributesExceeded',
      'Too many attributes in a single call.',
    );
  });

  it('an item-level Replace is FeatureDeprecated', async () => {
    await fails(put({ ...one, Replace: 'true' }), 400, 'FeatureDeprecated', 'The replace flag must be specified per attribute, not per item.');
  });

  it('7. NoSuchDomain after every parameter check', async () => {
    await fails(put({ ...one, DomainName: 'absent' }), 400, 'NoSuchDomain', 'The specified domain does not exist.', '0.0000219907');
    await fails(put({ ...one, DomainName: 'absent', 'Expected.Name': 'a' }), 400, 'IncompleteExpectedExpression', INCOMPLETE);
  });
});

const INCOMPLETE = 'If Expected.Exists=true or unspecified, then Expected.Value has to be specified';
const VALUE_EXISTS = (n: string) => `Conditional check failed. Attribute (${n}) value exists`;
const VALUE_IS = (n: string, actual: string, expected: string) =>
  `Conditional check failed. Attribute (${n}) value is (${actual}) but was expected (${expected})`;

/** The Expected block, run for both actions that take one and both spellings of it. */
describe.each([
  ['PutAttributes', pairs([['w', 'new']])],
  ['DeleteAttributes', pairs([['w', 'old']])],
])('%s: the Expected block', (action, body) => {
  const spellings = [
    ['Expected.Name', (k: string) => `Expected.${k}`],
    ['Expected.1.Name', (k: string) => `Expected.1.${k}`],
  ] as const;
  const req = (expected: Record<string, string>, item = 'i') => ({ Action: action, DomainName: 'dom', ItemName: item, ...body, ...expected });

  beforeEach(async () => {
    await ok(emu, {
      Action: 'PutAttributes',
      DomainName: 'dom',
      ItemName: 'i',
      ...pairs([['w', 'old'], ['single', '5'], ['multi', 'x'], ['multi', 'y']]),
    });
  });

  describe.each(spellings)('spelled %s', (_label, k) => {
    const cond = (parts: Record<string, string>) => Object.fromEntries(Object.entries(parts).map(([p, v]) => [k(p), v]));

    it('Name+Value equal to the single value: the write proceeds (Exists=true optional)', async () => {
      await ok(emu, req(cond({ Name: 'single', Value: '5' })));
      await ok(emu, { Action: 'PutAttributes', DomainName: 'dom', ItemName: 'i', ...pairs([['w', 'old']]) });
      await ok(emu, req(cond({ Name: 'single', Value: '5', Exists: 'true' })));
    });

    it('Name+Value, attribute or item absent: AttributeDoesNotExist 404, nothing written', async () => {
      await fails(req(cond({ Name: 'nothere', Value: '1' })), 404, 'AttributeDoesNotExist', 'Attribute (nothere) does not exist');
      await fails(req(cond({ Name: 'single', Value: '5' }), 'ghost'), 404, 'AttributeDoesNotExist', 'Attribute (single) does not exist');
      expect(await getPairs(emu, 'dom', 'ghost')).toEqual([]);
    });

    it('Name+Value on a multi-valued attribute: MultiValuedAttribute 409', async () => {
      await fails(
        req(cond({ Name: 'multi', Value: 'x' })),
        409,
        'MultiValuedAttribute',
        'Attribute (multi) is multi-valued. Conditional check can only be performed on a single-valued attribute',
      );
    });

    it('Name+Value, different single value: ConditionalCheckFailed 409 with no final period, nothing written', async () => {
      const before = await getPairs(emu, 'dom', 'i');
      await fails(req(cond({ Name: 'single', Value: '6' })), 409, 'ConditionalCheckFailed', VALUE_IS('single', '5', '6'), '0.0000219907');
      expect(await getPairs(emu, 'dom', 'i')).toEqual(before);
    });

    it('Exists=false: proceeds when absent (item absent too), fails with "value exists" when present', async () => {
      await ok(emu, req(cond({ Name: 'nothere', Exists: 'false' })));
      await ok(emu, req(cond({ Name: 'single', Exists: 'false' }), 'fresh-item'));
      await ok(emu, { Action: 'PutAttributes', DomainName: 'dom', ItemName: 'i', ...pairs([['w', 'old']]) });
      const before = await getPairs(emu, 'dom', 'i');
      await fails(req(cond({ Name: 'single', Exists: 'false' })), 409, 'ConditionalCheckFailed', VALUE_EXISTS('single'));
      await fails(req(cond({ Name: 'multi', Exists: 'false' })), 409, 'ConditionalCheckFailed', VALUE_EXISTS('multi'));
      expect(await getPairs(emu, 'dom', 'i')).toEqual(before);
    });

    it('Name alone, or Exists=true without Value (what boto 2 sends): IncompleteExpectedExpression', async () => {
      await fails(req(cond({ Name: 'single' })), 400, 'IncompleteExpectedExpression', INCOMPLETE);
      await fails(req(cond({ Name: 'single', Exists: 'true' })), 400, 'IncompleteExpectedExpression', INCOMPLETE);
    });

    it('Exists=false with a Value: ExistsAndExpectedValue', async () => {
      await fails(
        req(cond({ Name: 'single', Value: '5', Exists: 'false' })),
        400,
        'ExistsAndExpectedValue',
        'Expected.Exists=false and Expected.Value cannot be specified together',
      );
    });

    it('Exists not a boolean; Value or Exists without Name; over-long Name or Value; empty Name', async () => {
      await fails(
        req(cond({ Name: 'single', Value: '5', Exists: 'maybe' })),
        400,
        ...invalid('Expected.Exists', 'maybe', 'Expected.Exists should be either true or false.'),
      );
      await fails(req(cond({ Value: '5' })), 400, ...missing('Name'));
      await fails(req(cond({ Exists: 'false' })), 400, ...missing('Name'));
      await fails(req(cond({ Name: L1025, Value: '5' })), 400, ...invalid('Name', L1025, TOO_LONG));
      await fails(req(cond({ Name: 'single', Value: L1025 })), 400, ...invalid('Value', L1025, TOO_LONG));
      await fails(req(cond({ Name: '', Value: '5' })), 400, ...EMPTY_NAME);
    });

    it('order inside the block: Exists boolean, Name present, Exists/Value conflict, completeness, lengths', async () => {
      await fails(
        req(cond({ Exists: 'maybe', Value: '1' })),
        400,
        ...invalid('Expected.Exists', 'maybe', 'Expected.Exists should be either true or false.'),
      );
      await fails(req(cond({ Exists: 'false', Value: '1' })), 400, ...missing('Name'));
      await fails(req(cond({ Name: L1025, Exists: 'false', Value: '1' })), 400, 'ExistsAndExpectedValue', 'Expected.Exists=false and Expected.Value cannot be specified together');
      await fails(req(cond({ Name: L1025 })), 400, 'IncompleteExpectedExpression', INCOMPLETE);
    });

    it('the block is checked before NoSuchDomain, and NoSuchDomain before the condition', async () => {
      await fails({ ...req(cond({ Name: 'single' })), DomainName: 'absent' }, 400, 'IncompleteExpectedExpression', INCOMPLETE);
      await fails({ ...req(cond({ Name: 'nothere', Value: '1' })), DomainName: 'absent' }, 400, 'NoSuchDomain', 'The specified domain does not exist.');
    });
  });

  it('two conditions: MultipleExpectedNames, then MultipleExpectedValues, then MultipleExistsConditions', async () => {
    await fails(
      req({ 'Expected.Name': 'a', 'Expected.1.Name': 'b', 'Expected.Value': '1', 'Expected.1.Value': '2', 'Expected.Exists': 'x', 'Expected.1.Exists': 'y' }),
      400,
      'MultipleExpectedNames',
      'Only one Expected.Name can be specified',
    );
    await fails(
      req({ 'Expected.1.Name': 'a', 'Expected.Value': '1', 'Expected.2.Value': '2', 'Expected.Exists': 'x', 'Expected.2.Exists': 'y' }),
      400,
      'MultipleExpectedValues',
      'Only one Expected.Value can be specified',
    );
    await fails(
      req({ 'Expected.1.Name': 'a', 'Expected.Exists': 'maybe', 'Expected.2.Exists': 'false' }),
      400,
      'MultipleExistsConditions',
      'Only one Exists condition can be specified',
    );
    await fails(req({ 'Expected.1.Name': 'a', 'Expected.2.Name': 'b' }), 400, 'MultipleExpectedNames', 'Only one Expected.Name can be specified');
  });
});

describe('DeleteAttributes: parameters', () => {
  const del = (extra: Record<string, string>) => ({ Action: 'DeleteAttributes', DomainName: 'dom', ItemName: 'i', ...extra });
  const NAME_FOR_VALUE = 'The request must contain the attribute Name, if an attribute Value is specified.';

  it('each error in the order the service checks', async () => {
    await fails({ Action: 'DeleteAttributes', ItemName: 'i', 'Attribute.1.Value': 'v' }, 400, ...missing('DomainName'), '0.0000219907');
    await fails(del({ DomainName: 'no spaces' }), 400, ...invalid('DomainName', 'no spaces'));
    await fails({ Action: 'DeleteAttributes', DomainName: 'dom', 'Attribute.1.Value': 'v' }, 400, ...missing('ItemName'));
    await fails(del({ ItemName: '' }), 400, ...invalid('ItemName', ''));
    await fails(del({ ItemName: L1025 }), 400, ...invalid('Item', L1025, 'Value exceeds max length of 1024.'));
    await fails(del({ 'Attribute.1.Value': 'v' }), 400, 'MissingParameter', NAME_FOR_VALUE);
    await fails(del({ 'Attribute.1.Name': '' }), 400, ...EMPTY_NAME);
    await fails(del({ 'Attribute.1.Name': L1025 }), 400, ...invalid('Name', L1025, TOO_LONG));
    await fails(del({ 'Attribute.1.Name': 'n', 'Attribute.1.Value': L1025 }), 400, ...invalid('Value', L1025, TOO_LONG));
    await fails(del({ DomainName: 'absent' }), 400, 'NoSuchDomain', 'The specified domain does not exist.', '0.0000219907');
    // Earlier wins.
    await fails(del({ 'Attribute.1.Value': 'v', 'Expected.Name': 'x', DomainName: 'absent' }), 400, 'MissingParameter', NAME_FOR_VALUE);
    await fails(del({ 'Attribute.1.Name': '', 'Attribute.2.Value': 'v' }), 400, ...EMPTY_NAME);
  });

  it('a Replace flag on a delete (the npm simpledb package sends one) is ignored', async () => {
    await ok(emu, del({ 'Attribute.1.Name': 'n', 'Attribute.1.Replace': 'whatever' }));
  });
});

describe('BatchPutAttributes', () => {
  const batch = (extra: Record<string, string>) => ({ Action: 'BatchPutAttributes', DomainName: 'dom', ...extra });
  const item = (n: number, name: string, p: Pairs = [['a', '1']]) => ({
    [`Item.${n}.ItemName`]: name,
    ...Object.fromEntries(attrs(p, false, `Item.${n}.Attribute`)),
  });
  const items = (count: number) => Object.assign({}, ...Array.from({ length: count }, (_, i) => item(i + 1, `it${i}`)));

  it('each error in the order the service checks', async () => {
    await fails({ Action: 'BatchPutAttributes', ...item(1, 'a') }, 400, ...missing('DomainName'), '0.0000219907');
    await fails(batch({ DomainName: '', ...item(1, 'a') }), 400, ...invalid('DomainName', ''));
    await fails(batch({}), 400, ...missing('Item'));
    await fails(
      batch(items(26)),
      409,
      'NumberSubmittedItemsExceeded',
      'Too many items in a single call. Up to 25 items per call allowed.',
    );
    await fails(batch({ 'Item.1.Attribute.1.Name': 'a', 'Item.1.Attribute.1.Value': '1' }), 400, ...missing('ItemName'));
    await fails(batch(item(1, '')), 400, ...invalid('ItemName', ''));
    await fails(batch(item(1, L1025)), 400, ...invalid('Item', L1025, 'Value exceeds max length of 1024.'));
    await fails(batch({ ...item(1, 'same'), ...item(2, 'same') }), 400, 'DuplicateItemName', 'Item same was specified more than once.');
    await fails(batch({ 'Item.1.ItemName': 'bare' }), 400, 'MissingParameter', "No attributes for item ='bare'.");
    await fails(batch({ ...item(1, 'a'), 'Item.1.Attribute.2.Value': 'v' }), 400, 'MissingParameter', "Attribute.Name missing for Attribute.Value='v'.");
    await fails(batch({ ...item(1, 'a'), 'Item.1.Attribute.2.Name': 'n' }), 400, 'MissingParameter', "Attribute.Value missing for Attribute.Name='n'.");
    await fails(batch(item(1, 'a', [['', 'v']])), 400, ...EMPTY_NAME);
    await fails(batch(item(1, 'a', [[L1025, 'v']])), 400, ...invalid('Name', L1025, TOO_LONG));
    await fails(batch(item(1, 'a', [['n', L1025]])), 400, ...invalid('Value', L1025, TOO_LONG));
    await fails(
      batch({ ...item(1, 'a'), 'Item.1.Attribute.1.Replace': 'nope' }),
      400,
      ...invalid('Replace', 'nope', 'The Replace flag should be either true or false.'),
    );
    await fails(
      batch(item(1, 'big', Array.from({ length: 257 }, (_, i): [string, string] => [`n${i}`, 'v']))),
      409,
      'NumberSubmittedAttributesExceeded',
      'Too many attributes for item big in a single call. Up to 256 attributes per call allowed.',
    );
    await fails(batch({ ...item(1, 'a'), 'Item.1.Replace': 'true' }), 400, 'FeatureDeprecated', 'The replace flag must be specified per attribute, not per item.');
    await fails(batch({ ...item(1, 'a'), DomainName: 'absent' }), 400, 'NoSuchDomain', 'The specified domain does not exist.');
  });

  it('validation order across items: count before items, items in ascending index, domain last', async () => {
    await fails(batch({ ...items(26), 'Item.1.ItemName': '' }), 409, 'NumberSubmittedItemsExceeded', 'Too many items in a single call. Up to 25 items per call allowed.');
    await fails(batch({ ...item(1, 'a', [['', 'v']]), 'Item.2.ItemName': '' }), 400, ...EMPTY_NAME);
    await fails(batch({ ...item(2, 'a', [['', 'v']]), ...item(10, '') }), 400, ...EMPTY_NAME);
    await fails(batch({ ...item(1, 'same'), ...item(2, 'same', [['', 'v']]) }), 400, 'DuplicateItemName', 'Item same was specified more than once.');
    await fails(batch({ ...item(1, 'a', [['', 'v']]), DomainName: 'absent' }), 400, ...EMPTY_NAME);
    await ok(emu, batch(items(25)));
  });

  it('Item.N.Replace is refused before that item\'s name is looked at', async () => {
    await fails(batch({ ...item(1, 'a'), 'Item.2.ItemName': '', 'Item.2.Replace': 'true' }), 400, 'FeatureDeprecated', 'The replace flag must be specified per attribute, not per item.');
  });
});

describe('BatchDeleteAttributes', () => {
  const batch = (extra: Record<string, string>) => ({ Action: 'BatchDeleteAttributes', DomainName: 'dom', ...extra });

  it('each error in the order the service checks', async () => {
    await fails({ Action: 'BatchDeleteAttributes', 'Item.1.ItemName': 'a' }, 400, ...missing('DomainName'), '0.0000219907');
    await fails(batch({ DomainName: 'x' }), 400, ...invalid('DomainName', 'x'));
    await fails(batch({}), 400, ...missing('Item'));
    const many = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`Item.${i}.ItemName`, `i${i}`]));
    await fails(batch(many), 409, 'NumberSubmittedItemsExceeded', 'Too many items in a single call. Up to 25 items per call allowed.');
    await fails(batch({ 'Item.1.Attribute.1.Name': 'a' }), 400, ...missing('ItemName'));
    await fails(batch({ 'Item.1.ItemName': '' }), 400, ...invalid('ItemName', ''));
    await fails(batch({ 'Item.1.ItemName': 'a', 'Item.2.ItemName': 'a' }), 400, 'DuplicateItemName', 'Item a was specified more than once.');
    await fails(
      batch({ 'Item.1.ItemName': 'a', 'Item.1.Attribute.1.Value': 'v' }),
      400,
      'MissingParameter',
      'The request must contain the attribute Name, if an attribute Value is specified.',
    );
    await fails(batch({ 'Item.1.ItemName': 'a', 'Item.1.Attribute.1.Name': '' }), 400, ...EMPTY_NAME);
    const wide = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`Item.1.Attribute.${i}.Name`, `n${i}`]));
    await fails(
      batch({ 'Item.1.ItemName': 'w', ...wide }),
      409,
      'NumberSubmittedAttributesExceeded',
      'Too many attributes for item w in a single call. Up to 256 attributes per call allowed.',
    );
    await fails(batch({ 'Item.1.ItemName': 'a', DomainName: 'absent' }), 400, 'NoSuchDomain', 'The specified domain does not exist.');
    await ok(emu, batch(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`Item.${i}.ItemName`, `i${i}`]))));
  });
});

describe('limits reached by the stored data', () => {
  const put = (item: string, p: Pairs, replace = false) => ({ Action: 'PutAttributes', DomainName: 'dom', ItemName: item, ...pairs(p, replace) });
  const range = (from: number, to: number, prefix = 'n'): Pairs =>
    Array.from({ length: to - from }, (_, i): [string, string] => [`${prefix}${from + i}`, 'v']);

  it('NumberItemAttributesExceeded when an item would hold 257 pairs, writing nothing', async () => {
    await ok(emu, put('full', range(0, 200)));
    await ok(emu, put('full', range(200, 256)));
    await fails(put('full', [['extra', 'v']]), 409, 'NumberItemAttributesExceeded', 'Too many attributes in this item.');
    // A pair already stored is not a new one; replacing keeps the count.
    await ok(emu, put('full', [['n0', 'v']]));
    await ok(emu, put('full', [['n1', 'other']], true));
    expect((await getPairs(emu, 'dom', 'full')).length).toBe(256);
    // One legal put of 256 pairs onto an item holding one: over by one, and the item is unchanged.
    await ok(emu, put('fresh', [['x', '1']]));
    await fails(put('fresh', range(0, 256)), 409, 'NumberItemAttributesExceeded', 'Too many attributes in this item.');
    expect(await getPairs(emu, 'dom', 'fresh')).toEqual([['x', '1']]);
  });

  it('NumberItemAttributesExceeded from a batch item', async () => {
    await ok(emu, put('full', range(0, 256)));
    const res = await call(emu, {
      Action: 'BatchPutAttributes',
      DomainName: 'dom',
      'Item.1.ItemName': 'other',
      'Item.1.Attribute.1.Name': 'a',
      'Item.1.Attribute.1.Value': '1',
      'Item.2.ItemName': 'full',
      'Item.2.Attribute.1.Name': 'extra',
      'Item.2.Attribute.1.Value': '1',
    });
    expectError(res, 409, 'NumberItemAttributesExceeded', 'Too many attributes in this item.');
    expect(await getPairs(emu, 'dom', 'other')).toEqual([]);
  });

  it('NumberDomainAttributesExceeded and NumberDomainBytesExceeded with small configured limits', async () => {
    await using small = await emulator({ limits: { maxDomainPairs: 4, maxDomainBytes: 40 } });
    await ok(small, { Action: 'CreateDomain', DomainName: 'dom' });
    const on = (params: Record<string, string>) => call(small, params);
    await ok(small, put('a', [['k', '1'], ['k', '2'], ['k', '3'], ['k', '4']]));
    expectError(await on(put('b', [['k', '5']])), 409, 'NumberDomainAttributesExceeded', 'Too many attributes in this domain.');
    // Replacing within the limit is fine: the count after the write is what matters.
    await ok(small, put('a', [['k', 'x']], true));
    // 'k'+'x' = 2 bytes stored; 38 more reach the cap exactly, 39 break it.
    await ok(small, put('b', [['k', long(37)]]));
    expectError(await on(put('c', [['z', 'y']])), 409, 'NumberDomainBytesExceeded', 'Too many bytes in this domain.');
    // A replace that keeps the pair count but lengthens a value grows the domain's bytes too.
    expectError(await on(put('a', [['k', long(2)]], true)), 409, 'NumberDomainBytesExceeded', 'Too many bytes in this domain.');
    const metaRes = await ok(small, { Action: 'DomainMetadata', DomainName: 'dom' });
    expect(metaRes.text).toContain('<AttributeValueCount>2</AttributeValueCount>');
    expect(metaRes.text).toContain('<AttributeValuesSizeBytes>38</AttributeValuesSizeBytes>');
  });

  it('the item limit is reported before the domain limits, the pair limit before the byte limit', async () => {
    await using small = await emulator({ limits: { maxDomainPairs: 3, maxDomainBytes: 3 } });
    await ok(small, { Action: 'CreateDomain', DomainName: 'dom' });
    expectError(await call(small, put('a', range(0, 256))), 409, 'NumberDomainAttributesExceeded', 'Too many attributes in this domain.');
    expectError(await call(small, put('a', [['a', 'b'], ['c', 'd']])), 409, 'NumberDomainBytesExceeded', 'Too many bytes in this domain.');
    await ok(small, put('a', [['a', 'b']]));
    expectError(await call(small, put('a', range(0, 256))), 409, 'NumberItemAttributesExceeded', 'Too many attributes in this item.');
  });

  it('a conditional failure is reported before the item limit', async () => {
    await ok(emu, put('full', range(0, 256)));
    await fails(
      { ...put('full', [['extra', 'v']]), 'Expected.Name': 'n0', 'Expected.Value': 'other' },
      409,
      'ConditionalCheckFailed',
      VALUE_IS('n0', 'v', 'other'),
    );
  });
});

describe('error documents', () => {
  it("carry the action's BoxUsage and a fresh RequestID each time", async () => {
    const a: HttpResult = await call(emu, { Action: 'DomainMetadata', DomainName: 'absent' });
    const b: HttpResult = await call(emu, { Action: 'DomainMetadata', DomainName: 'absent' });
    expect(errorOf(a).requestId).not.toBe(errorOf(b).requestId);
    expect(errorOf(a).boxUsage).toBe('0.0000071759');
  });

  it('escape user text quoted in a message', async () => {
    const res = await call(emu, { Action: 'CreateDomain', DomainName: '<a&b>' });
    expect(res.text).toContain('<Message>Value (&lt;a&amp;b&gt;) for parameter DomainName is invalid. </Message>');
    expectError(res, 400, ...invalid('DomainName', '<a&b>'));
  });
});
