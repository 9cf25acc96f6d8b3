/**
 * The ten actions and both paginators, written once and run against whichever target
 * test/support/target.ts picks: the in-process emulator by default, SIMPLEDB_ENDPOINT, or AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttributeDoesNotExist,
  BatchDeleteAttributesCommand,
  BatchPutAttributesCommand,
  ConditionalCheckFailed,
  CreateDomainCommand,
  DeleteAttributesCommand,
  DeleteDomainCommand,
  DomainMetadataCommand,
  GetAttributesCommand,
  InvalidParameterValue,
  InvalidQueryExpression,
  ListDomainsCommand,
  MultiValuedAttribute,
  NoSuchDomain,
  PutAttributesCommand,
  SelectCommand,
  SimpleDBParameterError,
  SimpleDBServiceError,
  paginateListDomains,
  paginateSelect,
  type Attribute,
  type SimpleDBClient,
} from '../../client/index.js';
import { AWS_SUITE_TITLE, LOCAL_SUITE_TITLE, TEST_TIMEOUT_MS, onAws, openTarget, type Target } from '../support/target.js';

/** Values that a parser converting types or trimming would change. */
const TRICKY_VALUES: Record<string, string> = {
  zero: '0',
  padded: '007',
  spaces: ' x ',
  bool: 'true',
  exponent: '1e3',
  empty: '',
  markup: 'a&<>\r\nb',
  lone_cr: 'x\ry',
  encoded: 'a b*c~d/e+f&g=h%i é 日本',
  astral: '🦆 &amp; &#13;',
};

const sortAttributes = (attributes: readonly Attribute[] = []) =>
  [...attributes].sort((a, b) => (a.Name === b.Name ? (a.Value < b.Value ? -1 : 1) : a.Name < b.Name ? -1 : 1));

async function expectRejection<T extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => T): Promise<T> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

function clientSuite(): void {
  let target: Target;
  let client: SimpleDBClient;
  let domain: string;

  beforeAll(async () => {
    target = await openTarget();
    client = target.client();
    domain = await target.createDomain('client');
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await target?.close();
  }, TEST_TIMEOUT_MS);

  it('CreateDomain is idempotent and reports metadata and BoxUsage', async () => {
    const out = await client.send(new CreateDomainCommand({ DomainName: domain }));
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 });
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.BoxUsage).toBeGreaterThan(0);
  });

  it('ListDomains and paginateListDomains find the suite domains', async () => {
    const second = await target.createDomain('list2');
    const third = await target.createDomain('list3');
    const first = await client.send(new ListDomainsCommand({ MaxNumberOfDomains: 1 }));
    expect(first.DomainNames).toHaveLength(1);
    expect(first.NextToken).toEqual(expect.any(String));

    const pages = [];
    for await (const page of paginateListDomains({ client, pageSize: 1 })) pages.push(page);
    const names = pages.flatMap((p) => p.DomainNames ?? []);
    expect(names).toEqual(expect.arrayContaining([domain, second, third]));
    expect(pages.every((p) => (p.DomainNames?.length ?? 0) <= 1)).toBe(true);
    expect(pages.at(-1)?.NextToken).toBeUndefined();
    expect(names).toEqual([...names].sort());
  });

  it('PutAttributes/GetAttributes round-trip values exactly, as strings', async () => {
    const Attributes = Object.entries(TRICKY_VALUES).map(([Name, Value]) => ({ Name, Value }));
    await client.send(new PutAttributesCommand({ DomainName: domain, ItemName: 'tricky', Attributes }));
    const out = await client.send(new GetAttributesCommand({ DomainName: domain, ItemName: 'tricky', ConsistentRead: true }));
    expect(sortAttributes(out.Attributes)).toEqual(sortAttributes(Attributes));
    expect(out.BoxUsage).toBeGreaterThan(0);
  });

  it('names and values XML cannot carry come back decoded and flagged base64', async () => {
    await client.send(
      new PutAttributesCommand({ DomainName: domain, ItemName: 'ctl', Attributes: [{ Name: 'bell\u0007', Value: 'soh\u0001x' }] }),
    );
    const out = await client.send(new GetAttributesCommand({ DomainName: domain, ItemName: 'ctl', ConsistentRead: true }));
    expect(out.Attributes).toEqual([
      { Name: 'bell\u0007', Value: 'soh\u0001x', AlternateNameEncoding: 'base64', AlternateValueEncoding: 'base64' },
    ]);
  });

  it("what a JavaScript caller may pass by mistake: left out or refused, never stored as 'null' or '[object Object]'", async () => {
    // The types refuse all of these; untyped callers and casts get past them.
    const untyped = <T>(value: unknown) => value as T;
    const item = 'js-mistakes';
    const stored = async () => (await client.send(new GetAttributesCommand({ DomainName: domain, ItemName: item, ConsistentRead: true }))).Attributes;

    // null and undefined are left out, as SDK v3 does: the service names what is missing.
    const missing = await expectRejection(
      client.send(new PutAttributesCommand({ DomainName: domain, ItemName: untyped<string>(null), Attributes: [{ Name: 'a', Value: 'x' }] })),
      SimpleDBServiceError,
    );
    expect(missing.name).toBe('MissingParameter');
    const noValue = await expectRejection(
      client.send(new PutAttributesCommand({ DomainName: domain, ItemName: item, Attributes: [{ Name: 'a', Value: untyped<string>(null) }] })),
      SimpleDBServiceError,
    );
    expect(noValue.name).toBe('MissingParameter');
    for (const name of ['null', 'undefined']) {
      expect((await client.send(new GetAttributesCommand({ DomainName: domain, ItemName: name, ConsistentRead: true }))).Attributes ?? []).toEqual([]);
    }

    // Text the service cannot be sent: refused before signing, naming the parameter.
    const cases: [value: unknown, parameter: string, says: string][] = [
      [{ id: 1 }, 'Attribute.1.Value', 'Attribute.1.Value is an object, not a string'],
      [['x', 'y'], 'Attribute.1.Value', 'Attribute.1.Value is an array, not a string'],
      ['a\uD800b', 'Attribute.1.Value', 'lone surrogate (U+D800 at index 1)'],
      ['\uDC00', 'Attribute.1.Value', 'lone surrogate (U+DC00 at index 0)'],
    ];
    for (const [value, parameter, says] of cases) {
      const err = await expectRejection(
        client.send(new PutAttributesCommand({ DomainName: domain, ItemName: item, Attributes: [{ Name: 'a', Value: untyped<string>(value) }] })),
        SimpleDBParameterError,
      );
      expect(err).toMatchObject({ name: 'ParameterError', action: 'PutAttributes', parameter, $metadata: { attempts: 0 } });
      expect(err.message).toContain(says);
      expect(err.message).toContain('nothing was sent');
    }
    const select = await expectRejection(client.send(new SelectCommand({ SelectExpression: `select * from \`${domain}\` where a = '\uD83D'` })), SimpleDBParameterError);
    expect(select.parameter).toBe('SelectExpression');
    expect((await stored()) ?? []).toEqual([]);

    // A surrogate pair is one character, numbers and booleans go as their text.
    await client.send(new PutAttributesCommand({ DomainName: domain, ItemName: item, Attributes: [{ Name: 'a', Value: '🦆' }, { Name: 'n', Value: untyped<string>(7) }, { Name: 'b', Value: untyped<string>(false) }] }));
    expect(sortAttributes(await stored())).toEqual([
      { Name: 'a', Value: '🦆' },
      { Name: 'b', Value: 'false' },
      { Name: 'n', Value: '7' },
    ]);
  });

  it('Replace, multi-valued attributes and AttributeNames', async () => {
    const item = { DomainName: domain, ItemName: 'colors' };
    await client.send(
      new PutAttributesCommand({
        ...item,
        Attributes: [
          { Name: 'color', Value: 'red' },
          { Name: 'color', Value: 'blue' },
          { Name: 'size', Value: 'small' },
        ],
      }),
    );
    await client.send(new PutAttributesCommand({ ...item, Attributes: [{ Name: 'size', Value: 'large', Replace: true }] }));
    const all = await client.send(new GetAttributesCommand({ ...item, ConsistentRead: true }));
    expect(sortAttributes(all.Attributes)).toEqual([
      { Name: 'color', Value: 'blue' },
      { Name: 'color', Value: 'red' },
      { Name: 'size', Value: 'large' },
    ]);
    const named = await client.send(new GetAttributesCommand({ ...item, AttributeNames: ['size'], ConsistentRead: true }));
    expect(named.Attributes).toEqual([{ Name: 'size', Value: 'large' }]);
    const missing = await client.send(new GetAttributesCommand({ DomainName: domain, ItemName: 'nothing', ConsistentRead: true }));
    expect(missing.Attributes).toEqual([]);
  });

  it('conditional PutAttributes: an expected value of "0" is a value test, not Exists=false', async () => {
    const item = { DomainName: domain, ItemName: 'counter' };
    await client.send(
      new PutAttributesCommand({ ...item, Attributes: [{ Name: 'n', Value: '0', Replace: true }], Expected: { Name: 'n', Exists: false } }),
    );
    await client.send(
      new PutAttributesCommand({ ...item, Attributes: [{ Name: 'n', Value: '1', Replace: true }], Expected: { Name: 'n', Value: '0' } }),
    );
    await client.send(
      new PutAttributesCommand({
        ...item,
        Attributes: [{ Name: 'n', Value: '2', Replace: true }],
        Expected: { Name: 'n', Value: '1', Exists: true },
      }),
    );
    const out = await client.send(new GetAttributesCommand({ ...item, ConsistentRead: true }));
    expect(out.Attributes).toEqual([{ Name: 'n', Value: '2' }]);
  });

  it('failed conditions surface as typed errors with status, request id and BoxUsage', async () => {
    const item = { DomainName: domain, ItemName: 'guarded' };
    const put = (Expected: ConstructorParameters<typeof PutAttributesCommand>[0]['Expected']) =>
      client.send(new PutAttributesCommand({ ...item, Attributes: [{ Name: 'v', Value: 'new', Replace: true }], Expected }));
    await client.send(new PutAttributesCommand({ ...item, Attributes: [{ Name: 'v', Value: 'old' }, { Name: 'm', Value: '1' }, { Name: 'm', Value: '2' }] }));

    const exists = await expectRejection(put({ Name: 'v', Exists: false }), ConditionalCheckFailed);
    expect(exists).toBeInstanceOf(SimpleDBServiceError);
    expect(exists.name).toBe('ConditionalCheckFailed');
    expect(exists.$fault).toBe('client');
    expect(exists.$metadata).toMatchObject({ httpStatusCode: 409, attempts: 1 });
    expect(exists.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(exists.BoxUsage).toBeGreaterThan(0);
    expect(exists.$writeMayHaveBeenApplied).toBeUndefined();
    expect(exists.message).toContain('Attribute (v) value exists');

    const differs = await expectRejection(put({ Name: 'v', Value: 'other' }), ConditionalCheckFailed);
    expect(differs.message).toContain('but was expected (other)');
    const absent = await expectRejection(put({ Name: 'nope', Value: 'x' }), AttributeDoesNotExist);
    expect(absent.$metadata.httpStatusCode).toBe(404);
    await expectRejection(put({ Name: 'm', Value: '1' }), MultiValuedAttribute);

    const out = await client.send(new GetAttributesCommand({ ...item, AttributeNames: ['v'], ConsistentRead: true }));
    expect(out.Attributes).toEqual([{ Name: 'v', Value: 'old' }]);
  });

  it('DeleteAttributes: one value, every value of a name, conditional, whole item', async () => {
    const item = { DomainName: domain, ItemName: 'deletable' };
    await client.send(
      new PutAttributesCommand({
        ...item,
        Attributes: [
          { Name: 'a', Value: '1' },
          { Name: 'a', Value: '2' },
          { Name: 'b', Value: '1' },
          { Name: 'c', Value: '0' },
        ],
      }),
    );
    const read = async () => sortAttributes((await client.send(new GetAttributesCommand({ ...item, ConsistentRead: true }))).Attributes);
    await client.send(new DeleteAttributesCommand({ ...item, Attributes: [{ Name: 'a', Value: '1' }] }));
    await client.send(new DeleteAttributesCommand({ ...item, Attributes: [{ Name: 'b' }] }));
    expect(await read()).toEqual([
      { Name: 'a', Value: '2' },
      { Name: 'c', Value: '0' },
    ]);
    await expectRejection(
      client.send(new DeleteAttributesCommand({ ...item, Attributes: [{ Name: 'a' }], Expected: { Name: 'c', Value: '1' } })),
      ConditionalCheckFailed,
    );
    await client.send(new DeleteAttributesCommand({ ...item, Attributes: [{ Name: 'a' }], Expected: { Name: 'c', Value: '0' } }));
    expect(await read()).toEqual([{ Name: 'c', Value: '0' }]);
    await client.send(new DeleteAttributesCommand(item));
    expect(await read()).toEqual([]);
  });

  it('BatchPutAttributes and BatchDeleteAttributes', async () => {
    const batch = await target.createDomain('batch');
    await client.send(
      new BatchPutAttributesCommand({
        DomainName: batch,
        Items: [
          { Name: 'b1', Attributes: [{ Name: 'color', Value: 'red' }, { Name: 'size', Value: 's' }] },
          { Name: 'b2', Attributes: [{ Name: 'color', Value: '0' }] },
          { Name: 'b3', Attributes: [{ Name: 'color', Value: 'blue' }] },
        ],
      }),
    );
    const get = async (ItemName: string) =>
      sortAttributes((await client.send(new GetAttributesCommand({ DomainName: batch, ItemName, ConsistentRead: true }))).Attributes);
    expect(await get('b1')).toEqual([
      { Name: 'color', Value: 'red' },
      { Name: 'size', Value: 's' },
    ]);
    expect(await get('b2')).toEqual([{ Name: 'color', Value: '0' }]);

    await client.send(
      new BatchDeleteAttributesCommand({
        DomainName: batch,
        Items: [{ Name: 'b1', Attributes: [{ Name: 'size', Value: 's' }] }, { Name: 'b2' }],
      }),
    );
    expect(await get('b1')).toEqual([{ Name: 'color', Value: 'red' }]);
    expect(await get('b2')).toEqual([]);
    expect(await get('b3')).toEqual([{ Name: 'color', Value: 'blue' }]);
  });

  it('DomainMetadata returns numbers', async () => {
    const meta = await target.createDomain('meta');
    await client.send(
      new PutAttributesCommand({ DomainName: meta, ItemName: 'i1', Attributes: [{ Name: 'ab', Value: 'xyz' }, { Name: 'c', Value: '0' }] }),
    );
    await client.send(new PutAttributesCommand({ DomainName: meta, ItemName: 'item2', Attributes: [{ Name: 'ab', Value: '' }] }));
    const out = await client.send(new DomainMetadataCommand({ DomainName: meta }));
    for (const key of [
      'ItemCount',
      'ItemNamesSizeBytes',
      'AttributeNameCount',
      'AttributeNamesSizeBytes',
      'AttributeValueCount',
      'AttributeValuesSizeBytes',
      'Timestamp',
    ] as const) {
      expect(out[key], key).toEqual(expect.any(Number));
    }
    expect(Math.abs((out.Timestamp ?? 0) - Date.now() / 1000)).toBeLessThan(onAws ? 86_400 : 60);
    if (target.exactMetadata) {
      expect(out).toMatchObject({
        ItemCount: 2,
        ItemNamesSizeBytes: 7,
        AttributeNameCount: 2,
        AttributeNamesSizeBytes: 3,
        AttributeValueCount: 3,
        AttributeValuesSizeBytes: 4,
      });
    }
  });

  it('service errors map to their classes', async () => {
    const missing = target.uniqueName('missing');
    const noDomain = await expectRejection(client.send(new DomainMetadataCommand({ DomainName: missing })), NoSuchDomain);
    expect(noDomain.$metadata.httpStatusCode).toBe(400);
    await expectRejection(client.send(new GetAttributesCommand({ DomainName: missing, ItemName: 'x' })), NoSuchDomain);
    const invalid = await expectRejection(client.send(new CreateDomainCommand({ DomainName: 'a' })), InvalidParameterValue);
    expect(invalid.message).toBe('Value (a) for parameter DomainName is invalid. ');
    await expectRejection(client.send(new SelectCommand({ SelectExpression: `select * from \`${missing}\`` })), NoSuchDomain);
    await expectRejection(client.send(new SelectCommand({ SelectExpression: 'select * from' })), InvalidQueryExpression);
  });

  it('Select returns items with every attribute as strings', async () => {
    const sel = await target.createDomain('select');
    await client.send(
      new BatchPutAttributesCommand({
        DomainName: sel,
        Items: [
          { Name: 'i1', Attributes: [{ Name: 'n', Value: '007' }, { Name: 'tag', Value: 'a&<>\r\nb' }] },
          { Name: 'i2', Attributes: [{ Name: 'n', Value: '1e3' }] },
          { Name: 'i3', Attributes: [{ Name: 'other', Value: 'x' }] },
        ],
      }),
    );
    const out = await client.send(
      new SelectCommand({ SelectExpression: `select * from \`${sel}\` where n is not null order by n`, ConsistentRead: true }),
    );
    expect(out.Items?.map((i) => ({ ...i, Attributes: sortAttributes(i.Attributes) }))).toEqual([
      { Name: 'i1', Attributes: [{ Name: 'n', Value: '007' }, { Name: 'tag', Value: 'a&<>\r\nb' }] },
      { Name: 'i2', Attributes: [{ Name: 'n', Value: '1e3' }] },
    ]);
    expect(out.NextToken).toBeUndefined();
    const count = await client.send(new SelectCommand({ SelectExpression: `select count(*) from \`${sel}\``, ConsistentRead: true }));
    expect(count.Items).toEqual([{ Name: 'Domain', Attributes: [{ Name: 'Count', Value: '3' }] }]);
  });

  it('paginateSelect follows NextToken to the last page', async () => {
    const sel = await target.createDomain('paged');
    const names = Array.from({ length: 7 }, (_, i) => `item${i}`);
    await client.send(
      new BatchPutAttributesCommand({ DomainName: sel, Items: names.map((Name) => ({ Name, Attributes: [{ Name: 'k', Value: Name }] })) }),
    );
    const pages = [];
    for await (const page of paginateSelect({ client }, { SelectExpression: `select * from \`${sel}\` limit 3`, ConsistentRead: true })) {
      pages.push(page);
    }
    expect(pages.map((p) => p.Items?.length)).toEqual([3, 3, 1]);
    expect(pages.flatMap((p) => p.Items ?? []).map((i) => i.Name).sort()).toEqual(names);
  });

  it('DeleteDomain removes the domain and is idempotent', async () => {
    const doomed = await target.createDomain('doomed');
    await client.send(new DeleteDomainCommand({ DomainName: doomed }));
    await client.send(new DeleteDomainCommand({ DomainName: doomed }));
    if (!onAws) await expectRejection(client.send(new DomainMetadataCommand({ DomainName: doomed })), NoSuchDomain);
  });
}

describe.skipIf(onAws)(LOCAL_SUITE_TITLE, { timeout: TEST_TIMEOUT_MS }, clientSuite);
describe.skipIf(!onAws)(AWS_SUITE_TITLE, { timeout: TEST_TIMEOUT_MS }, clientSuite);
