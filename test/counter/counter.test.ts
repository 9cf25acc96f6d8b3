/**
 * The reliable counter against whichever target test/support/target.ts picks: the in-process
 * emulator by default, SIMPLEDB_ENDPOINT, or real AWS with SIMPLEDB_TEST_TARGET=aws.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Counter,
  CounterEncodingError,
  CounterExistsError,
  CounterNotFoundError,
  CounterOutOfSyncError,
  GetAttributesCommand,
  PutAttributesCommand,
  SelectCommand,
  SimpleDBAbortError,
  decodeCounterValue,
  encodeCounterValue,
  type SimpleDBClient,
} from '../../client/index.js';
import { AWS_SUITE_TITLE, LOCAL_SUITE_TITLE, TEST_TIMEOUT_MS, onAws, openTarget, type Target } from '../support/target.js';
import { rawPost } from './support.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

function counterSuite(): void {
  let target: Target;
  let client: SimpleDBClient;
  let domain: string;
  let serial = 0;
  /** A fresh item name per test, so the tests share one domain without meeting. */
  const itemName = (label: string) => `${label}-${++serial}`;

  async function storedAttributes(item: string): Promise<Record<string, string[]>> {
    const out = await client.send(new GetAttributesCommand({ DomainName: domain, ItemName: item, ConsistentRead: true }));
    const result: Record<string, string[]> = {};
    for (const { Name, Value } of out.Attributes ?? []) (result[Name] ??= []).push(Value);
    return result;
  }

  beforeAll(async () => {
    target = await openTarget();
    client = target.client();
    domain = await target.createDomain('counter');
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await target?.close();
  }, TEST_TIMEOUT_MS);

  describe('create, open, delete', () => {
    it('creates at the initial value and stores the documented attributes', async () => {
      const name = itemName('create');
      const c = await Counter.create({ client, domain, name, initial: 0 });
      expect(c.value).toBe(0);
      expect(c.lastValue).toBeUndefined();
      expect(c.timestamp).toBeInstanceOf(Date);
      const stored = await storedAttributes(name);
      expect(stored.current_value).toEqual(['0']);
      expect(stored.timestamp?.[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(stored.write_id?.[0]).toMatch(/^[0-9a-f]{16}$/);
      expect(stored.last_value).toBeUndefined();
    });

    it('adopts an existing counter by default, or fails, or overwrites, as ifExists says', async () => {
      const name = itemName('exists');
      const first = await Counter.create({ client, domain, name, initial: 5 });
      await first.increment(2);
      const adopted = await Counter.create({ client, domain, name, initial: 100 });
      expect(adopted.value).toBe(7);
      expect(adopted.lastValue).toBe(5);
      expect(await rejection(Counter.create({ client, domain, name, initial: 100, ifExists: 'fail' }))).toBeInstanceOf(CounterExistsError);
      const overwritten = await Counter.create({ client, domain, name, initial: 100, ifExists: 'overwrite' });
      expect(overwritten.value).toBe(100);
      expect(overwritten.lastValue).toBe(7);
      expect((await storedAttributes(name)).current_value).toEqual(['100']);
    });

    it('overwrite also resets a counter stored in the other encoding', async () => {
      const name = itemName('reencode');
      await Counter.create({ client, domain, name, initial: 3, encoding: 'sortable' });
      const c = await Counter.create({ client, domain, name, initial: 3, ifExists: 'overwrite' });
      expect(c.value).toBe(3);
      expect((await storedAttributes(name)).current_value).toEqual(['3']);
    });

    it('open finds a counter, and throws CounterNotFoundError for a missing one', async () => {
      const name = itemName('open');
      await Counter.create({ client, domain, name, initial: 42 });
      expect((await Counter.open({ client, domain, name })).value).toBe(42);
      const missing = await rejection(Counter.open({ client, domain, name: itemName('never') }));
      expect(missing).toBeInstanceOf(CounterNotFoundError);
      expect((missing as Error).message).toContain('does not exist');
    });

    it('delete removes the item; a stale delete is refused; a deleted counter is not found', async () => {
      const name = itemName('delete');
      const a = await Counter.create({ client, domain, name, initial: 1 });
      const b = await Counter.open({ client, domain, name });
      await b.increment();
      expect(await rejection(a.delete())).toBeInstanceOf(CounterOutOfSyncError);
      expect(a.value).toBe(2);
      await a.delete();
      expect(await storedAttributes(name)).toEqual({});
      expect(await rejection(b.increment())).toBeInstanceOf(CounterNotFoundError);
      expect(await rejection(b.refresh())).toBeInstanceOf(CounterNotFoundError);
      expect(await rejection(Counter.open({ client, domain, name }))).toBeInstanceOf(CounterNotFoundError);
    });
  });

  describe('changes', () => {
    it('increments, decrements and sets, keeping last value and timestamp', async () => {
      const name = itemName('change');
      const c = await Counter.create({ client, domain, name });
      const created = c.timestamp;
      expect(await c.increment()).toBe(1);
      expect(await c.increment(10)).toBe(11);
      expect(await c.decrement()).toBe(10);
      expect(await c.decrement(15)).toBe(-5);
      expect(c.lastValue).toBe(10);
      expect(await c.set(0)).toBe(0);
      expect(c.value).toBe(0);
      expect(c.lastValue).toBe(-5);
      expect(c.timestamp?.getTime()).toBeGreaterThanOrEqual(created?.getTime() ?? Infinity);
      const stored = await storedAttributes(name);
      expect(stored).toMatchObject({ current_value: ['0'], last_value: ['-5'] });
      // Each write records the write ids before it, newest first.
      expect(stored.previous_write_ids?.[0]?.split(' ')).toHaveLength(5);
    });

    it('out of sync: the stale counter throws CounterOutOfSyncError and then holds the fresh value', async () => {
      const name = itemName('sync');
      const c1 = await Counter.create({ client, domain, name, initial: 0 });
      const c2 = await Counter.open({ client, domain, name });
      await c2.increment();
      await c2.increment();
      const error = await rejection(c1.increment());
      expect(error).toBeInstanceOf(CounterOutOfSyncError);
      const outOfSync = error as CounterOutOfSyncError;
      expect(outOfSync.message).toContain('Counter was out of sync');
      expect(outOfSync).toMatchObject({ expected: 0, actual: 2, domain, counterName: name });
      expect(c1.value).toBe(2);
      expect(c1.lastValue).toBe(1);
      // Refreshed, the stale counter writes again.
      expect(await c1.increment()).toBe(3);
      expect((await storedAttributes(name)).current_value).toEqual(['3']);
      expect(await c2.refresh()).toBe(3);
    });

    it('serialises concurrent calls on one instance, in call order', async () => {
      const c = await Counter.create({ client, domain, name: itemName('queue') });
      // Unserialised, all five would be conditional on 0 and four would conflict.
      const results = await Promise.all([c.increment(), c.increment(), c.decrement(), c.set(10), c.increment(5)]);
      expect(results).toEqual([1, 2, 1, 10, 15]);
      expect(c.value).toBe(15);
    });

    it('a failed call does not stop the calls queued after it', async () => {
      const name = itemName('queue-fail');
      const c = await Counter.create({ client, domain, name });
      await (await Counter.open({ client, domain, name })).increment();
      const [first, second] = await Promise.allSettled([c.increment(), c.increment()]);
      expect(first.status === 'rejected' && first.reason instanceof CounterOutOfSyncError).toBe(true);
      expect(second).toEqual({ status: 'fulfilled', value: 2 });
    });

    it('incrementWithRetry refreshes after a conflict and retries', async () => {
      const name = itemName('retry');
      const c1 = await Counter.create({ client, domain, name });
      const c2 = await Counter.open({ client, domain, name });
      await c2.increment(5);
      const conflicts: number[] = [];
      expect(await c1.incrementWithRetry(1, { onConflict: (e) => conflicts.push(e.actual) })).toBe(6);
      expect(conflicts).toEqual([5]);
    });

    it('incrementWithRetry with an aborted signal sends nothing', async () => {
      const c = await Counter.create({ client, domain, name: itemName('abort') });
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      expect(await rejection(c.incrementWithRetry(1, { signal: controller.signal }))).toBeInstanceOf(SimpleDBAbortError);
      expect(await c.refresh()).toBe(0);
    });

    it('refuses values outside the safe-integer range before sending anything', async () => {
      const name = itemName('range');
      await expect(Counter.create({ client, domain, name, initial: 2 ** 53 })).rejects.toThrow(RangeError);
      const c = await Counter.create({ client, domain, name, initial: Number.MAX_SAFE_INTEGER - 1 });
      expect(await c.increment()).toBe(Number.MAX_SAFE_INTEGER);
      await expect(c.increment()).rejects.toThrow(RangeError);
      await expect(c.increment(0.5)).rejects.toThrow(RangeError);
      await expect(c.set(Number.NaN)).rejects.toThrow(RangeError);
      // From untyped JavaScript: a string is shown quoted, so the message does not read as if 5 were refused.
      await expect(c.decrement('5' as unknown as number)).rejects.toThrow('The decrement must be a safe integer, not "5"');
      await expect(c.incrementWithRetry(1, { maxAttempts: 0 })).rejects.toThrow(RangeError);
      await expect(c.incrementWithRetry(1, { maxElapsedMs: -1 })).rejects.toThrow(RangeError);
      await expect(c.incrementWithRetry(1, { maxElapsedMs: Number.NaN })).rejects.toThrow(RangeError);
      expect(await c.refresh()).toBe(Number.MAX_SAFE_INTEGER);
    });
  });

  describe('acts like its number', () => {
    it('valueOf, Symbol.toPrimitive, toString, toJSON and util.inspect', async () => {
      const c = await Counter.create({ client, domain, name: itemName('prim'), initial: 0 });
      expect(Number(c) === 0).toBe(true);
      expect(+c < 1).toBe(true);
      await c.increment(41);
      expect(c.valueOf()).toBe(41);
      expect(+c + 1).toBe(42);
      expect(`${c}`).toBe('41');
      expect(String(c)).toBe('41');
      expect(c.toString()).toBe('41');
      expect(JSON.stringify({ hits: c })).toBe('{"hits":41}');
      expect(inspect(c)).toBe(`Counter(${domain}/${c.name}) 41`);
      expect(inspect({ c }, { colors: true })).toContain('\u001b[33m41\u001b[39m');
      expect([+c, 3, 100].sort((a, b) => a - b)).toEqual([3, 41, 100]);
    });
  });

  describe('the 2010 wire, sent by hand', () => {
    it('Exists=false on an existing current_value is refused with 409; Exists=true without Value with 400', async () => {
      const name = itemName('wire2010');
      await Counter.create({ client, domain, name, initial: 0 });
      const put = [
        ['DomainName', domain],
        ['ItemName', name],
        ['Attribute.1.Name', 'current_value'],
        ['Attribute.1.Value', '1'],
        ['Attribute.1.Replace', 'true'],
      ] as const;
      // What boto sent in 2010 for a counter at 0: it derived Exists from the value's truthiness.
      for (const expected of [
        [['Expected.Name', 'current_value'], ['Expected.Exists', 'false']],
        [['Expected.1.Name', 'current_value'], ['Expected.1.Exists', 'false']],
      ] as const) {
        const response = await rawPost(client, 'PutAttributes', [...put, ...expected]);
        expect(response.status).toBe(409);
        expect(response.body).toContain('<Code>ConditionalCheckFailed</Code>');
        expect(response.body).toContain('<Message>Conditional check failed. Attribute (current_value) value exists</Message>');
      }
      const incomplete = await rawPost(client, 'PutAttributes', [...put, ['Expected.Name', 'current_value'], ['Expected.Exists', 'true']]);
      expect(incomplete.status).toBe(400);
      expect(incomplete.body).toContain('<Code>IncompleteExpectedExpression</Code>');
      expect(incomplete.body).toContain('If Expected.Exists=true or unspecified, then Expected.Value has to be specified');
      expect((await storedAttributes(name)).current_value).toEqual(['0']);
    });
  });

  describe('values are never coerced', () => {
    const TRICKY = ['0', '007', ' 5', 'true'];

    it('"0", "007", " 5" and "true" go through the client exactly', async () => {
      const names = TRICKY.map(() => itemName('tricky'));
      for (const [i, value] of TRICKY.entries()) {
        await client.send(
          new PutAttributesCommand({ DomainName: domain, ItemName: names[i] ?? '', Attributes: [{ Name: 'current_value', Value: value, Replace: true }] }),
        );
      }
      for (const [i, value] of TRICKY.entries()) expect((await storedAttributes(names[i] ?? '')).current_value).toEqual([value]);
    });

    it('a counter holding "0" opens as 0; "007", " 5" and "true" give CounterEncodingError naming the value', async () => {
      for (const value of TRICKY) {
        const name = itemName('tricky-open');
        await client.send(new PutAttributesCommand({ DomainName: domain, ItemName: name, Attributes: [{ Name: 'current_value', Value: value }] }));
        if (value === '0') {
          const c = await Counter.open({ client, domain, name });
          expect(c.value).toBe(0);
          await c.increment();
          expect((await storedAttributes(name)).current_value).toEqual(['1']);
          continue;
        }
        const error = await rejection(Counter.open({ client, domain, name }));
        expect(error).toBeInstanceOf(CounterEncodingError);
        expect((error as CounterEncodingError).stored).toEqual([value]);
        expect((error as Error).message).toContain(JSON.stringify(value));
      }
    });
  });

  describe('encodings', () => {
    it('sortable values sort in Select as numbers, negatives included', async () => {
      const sorted = await target.createDomain('sortable');
      const values = [100, -1, 0, 3, -5, -1000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
      for (const [i, initial] of values.entries()) await Counter.create({ client, domain: sorted, name: `n${i}`, initial, encoding: 'sortable' });
      const out = await client.send(
        new SelectCommand({
          SelectExpression: `select current_value from \`${sorted}\` where current_value is not null order by current_value`,
          ConsistentRead: true,
        }),
      );
      const got = (out.Items ?? []).map((item) => decodeCounterValue(item.Attributes[0]?.Value ?? '', 'sortable'));
      expect(got).toEqual([...values].sort((a, b) => a - b));
    });

    it('a sortable counter increments across zero and stores 17 digits', async () => {
      const name = itemName('sortable');
      const c = await Counter.create({ client, domain, name, initial: -1, encoding: 'sortable' });
      expect(await c.increment()).toBe(0);
      expect((await storedAttributes(name)).current_value).toEqual(['09007199254740992']);
      expect(await (await Counter.open({ client, domain, name, encoding: 'sortable' })).increment()).toBe(1);
    });

    it('a counter stored in the other encoding gives CounterEncodingError, not an endless out-of-sync loop', async () => {
      const sortable = itemName('enc-s');
      const decimal = itemName('enc-d');
      await Counter.create({ client, domain, name: sortable, initial: 5, encoding: 'sortable' });
      await Counter.create({ client, domain, name: decimal, initial: 5 });
      const asDecimal = await rejection(Counter.open({ client, domain, name: sortable }));
      expect(asDecimal).toBeInstanceOf(CounterEncodingError);
      expect((asDecimal as Error).message).toContain("encoding: 'sortable'");
      const asSortable = await rejection(Counter.open({ client, domain, name: decimal, encoding: 'sortable' }));
      expect(asSortable).toBeInstanceOf(CounterEncodingError);
      expect((asSortable as Error).message).toContain("encoding: 'decimal'");
      // A writer switching encodings under a counter: the next conflict reports the encoding.
      const c = await Counter.open({ client, domain, name: decimal });
      await Counter.create({ client, domain, name: decimal, initial: 9, encoding: 'sortable', ifExists: 'overwrite' });
      expect(await rejection(c.incrementWithRetry(1))).toBeInstanceOf(CounterEncodingError);
      expect(c.value).toBe(5);
    });
  });

  describe('boto Sequence interop', () => {
    it('opens and increments an item written the way boto Sequence writes it', async () => {
      const name = itemName('boto');
      await client.send(
        new PutAttributesCommand({
          DomainName: domain,
          ItemName: name,
          Attributes: [
            { Name: 'current_value', Value: '41', Replace: true },
            { Name: 'last_value', Value: '40', Replace: true },
            { Name: 'timestamp', Value: '1290000000.123', Replace: true },
          ],
        }),
      );
      const c = await Counter.open({ client, domain, name });
      expect(c.value).toBe(41);
      expect(c.lastValue).toBe(40);
      expect(c.timestamp?.toISOString()).toBe('2010-11-17T13:20:00.123Z');
      expect(await c.increment()).toBe(42);
      const stored = await storedAttributes(name);
      expect(stored).toMatchObject({ current_value: ['42'], last_value: ['41'] });
      expect(stored.timestamp?.[0]).toMatch(/Z$/);
    });
  });
}

describe('counter value encodings (no I/O)', () => {
  it('round-trip the whole safe-integer range in both encodings', () => {
    for (const v of [0, 1, -1, 42, -42, 2 ** 52, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      expect(decodeCounterValue(encodeCounterValue(v, 'decimal'), 'decimal')).toBe(v);
      expect(decodeCounterValue(encodeCounterValue(v, 'sortable'), 'sortable')).toBe(v);
    }
    expect(encodeCounterValue(-Number.MAX_SAFE_INTEGER, 'sortable')).toBe('00000000000000001');
    expect(encodeCounterValue(Number.MAX_SAFE_INTEGER, 'sortable')).toBe('18014398509481983');
  });

  it('sortable strings compare like the numbers', () => {
    const values = [-Number.MAX_SAFE_INTEGER, -1000, -1, 0, 1, 9, 10, 1000, Number.MAX_SAFE_INTEGER];
    const encoded = values.map((v) => encodeCounterValue(v, 'sortable'));
    expect([...encoded].sort()).toEqual(encoded);
  });

  it('refuses non-canonical text and values outside the safe range', () => {
    for (const text of ['007', ' 5', '5 ', 'true', '', '-0', '+1', '1e3', '1.0', '9007199254740992']) {
      expect(decodeCounterValue(text, 'decimal')).toHaveProperty('reason');
    }
    for (const text of ['5', '0000000000000001', '000000000000000001', '00000000000000000', '18014398509481984']) {
      expect(decodeCounterValue(text, 'sortable')).toHaveProperty('reason');
    }
    expect(() => encodeCounterValue(2 ** 53, 'decimal')).toThrow(RangeError);
    expect(() => encodeCounterValue(1.5, 'sortable')).toThrow(RangeError);
  });
});

describe.skipIf(onAws)(LOCAL_SUITE_TITLE, { timeout: TEST_TIMEOUT_MS }, counterSuite);
describe.skipIf(!onAws)(AWS_SUITE_TITLE, { timeout: TEST_TIMEOUT_MS }, counterSuite);
