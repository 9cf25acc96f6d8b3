/**
 * What the counter sends, and what it does when a response is lost: observed on the wire with a
 * recording proxy and the emulator's journal, faults injected with the emulator's fault rules or
 * by the proxy. Needs the emulator (in process or at SIMPLEDB_ENDPOINT), so it is skipped on AWS.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Counter,
  CounterOutOfSyncError,
  CounterRetriesExhaustedError,
  CounterWriteUnknownError,
  GetAttributesCommand,
  PutAttributesCommand,
  SimpleDBAbortError,
  type SimpleDBClient,
} from '../../client/index.js';
import { LOCAL_SUITE_TITLE, TEST_TIMEOUT_MS, onAws, openTarget, type Target } from '../support/target.js';
import { EmulatorControl, startProxy, type ProxyExchange, type RecordingProxy } from './support.js';

const isConditionalPut = ({ params }: ProxyExchange) => params.get('Action') === 'PutAttributes' && params.has('Expected.Value');

function wireSuite(): void {
  let target: Target;
  let client: SimpleDBClient;
  let domain: string;
  let control: EmulatorControl;
  let serial = 0;
  const proxies: RecordingProxy[] = [];
  const itemName = (label: string) => `${label}-${++serial}`;

  async function currentValue(item: string): Promise<string | undefined> {
    const out = await client.send(new GetAttributesCommand({ DomainName: domain, ItemName: item, AttributeNames: ['current_value'], ConsistentRead: true }));
    return out.Attributes?.[0]?.Value;
  }

  /** A client whose requests go through a proxy in front of the target. */
  async function proxiedClient(decide?: (exchange: ProxyExchange) => 'deliver' | 'lose' | Promise<'deliver' | 'lose'>) {
    const proxy = await startProxy(target.endpoint ?? '', decide);
    proxies.push(proxy);
    return { proxy, client: target.client({ endpoint: proxy.url }) };
  }

  beforeAll(async () => {
    target = await openTarget();
    client = target.client();
    domain = await target.createDomain('counter-wire');
    control = new EmulatorControl(target.endpoint ?? '');
  }, TEST_TIMEOUT_MS);

  afterEach(async () => {
    await control.clearFaults();
    await control.thaw();
  });

  afterAll(async () => {
    await target?.close();
    await Promise.all(proxies.map((p) => p.close()));
  }, TEST_TIMEOUT_MS);

  it('from 0 and from 1, increment sends Expected.Value=0 / =1 and never Exists', async () => {
    const name = itemName('wire');
    const { proxy, client: observed } = await proxiedClient();
    const c = await Counter.create({ client: observed, domain, name, initial: 0 });
    await c.increment();
    await c.increment();
    const puts = proxy.bodies.filter((body) => new URLSearchParams(body).get('Action') === 'PutAttributes');
    expect(puts).toHaveLength(3);
    const [create, from0, from1] = puts.map((body) => new URLSearchParams(body));
    expect(create?.get('Expected.Name')).toBe('current_value');
    expect(create?.get('Expected.Exists')).toBe('false');
    expect(create?.has('Expected.Value')).toBe(false);
    for (const [params, body, value] of [
      [from0, puts[1], '0'],
      [from1, puts[2], '1'],
    ] as const) {
      expect(body).toContain(`Expected.Name=current_value`);
      expect(body).toContain(`Expected.Value=${value}&`);
      expect(body).not.toContain('Exists');
      expect(params?.get('Attribute.1.Name')).toBe('current_value');
      expect(params?.get('Attribute.1.Value')).toBe(String(Number(value) + 1));
      // Replace=true on every attribute, or current_value would become multi-valued.
      const replaces = [...(params ?? [])].filter(([k]) => /^Attribute\.\d+\.Replace$/.test(k)).map(([, v]) => v);
      expect(replaces).toEqual(['true', 'true', 'true', 'true', 'true']);
    }
    // The emulator's journal saw the same conditions.
    const journal = await control.journal(name, 'PutAttributes');
    expect(journal.map((e) => [e.params['Expected.Value'], e.params['Expected.Exists']])).toEqual([
      [undefined, 'false'],
      ['0', undefined],
      ['1', undefined],
    ]);
  });

  describe('a lost response after the write committed', () => {
    /** Read, write conditionally, and on any failure do it all again: the pattern without write ids. */
    async function naiveIncrement(naive: SimpleDBClient, item: string): Promise<void> {
      for (let attempt = 1; ; attempt++) {
        try {
          const value = await currentValue(item);
          await naive.send(
            new PutAttributesCommand({
              DomainName: domain,
              ItemName: item,
              Attributes: [{ Name: 'current_value', Value: String(Number(value) + 1), Replace: true }],
              Expected: { Name: 'current_value', Value: value ?? '' },
            }),
          );
          return;
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
    }

    for (const loseResponse of ['reset', '503'] as const) {
      it(`(${loseResponse}) applies a naive retry twice, and the counter's increment once`, async () => {
        const naiveItem = itemName(`naive-${loseResponse}`);
        await client.send(new PutAttributesCommand({ DomainName: domain, ItemName: naiveItem, Attributes: [{ Name: 'current_value', Value: '0' }] }));
        await control.addFault({ action: 'PutAttributes', domain, item: naiveItem, loseResponse, count: 1 });
        await naiveIncrement(client, naiveItem);
        expect(await currentValue(naiveItem)).toBe('2');

        const name = itemName(`lost-${loseResponse}`);
        const c = await Counter.create({ client, domain, name, initial: 0 });
        await control.addFault({ action: 'PutAttributes', domain, item: name, loseResponse, count: 1 });
        expect(await c.increment()).toBe(1);
        expect(c.value).toBe(1);
        expect(await currentValue(name)).toBe('1');
        const puts = await control.journal(name, 'PutAttributes');
        expect(puts.map((e) => e.code)).toEqual(['Success', loseResponse === 'reset' ? 'ConnectionReset' : 'ServiceUnavailable']);
        expect(await c.increment()).toBe(2);
      });
    }

    it('a failure before the write (503) is re-sent once, with the same write id', async () => {
      const name = itemName('resend');
      const c = await Counter.create({ client, domain, name, initial: 7 });
      await control.addFault({ action: 'PutAttributes', domain, item: name, error: 'ServiceUnavailable', count: 1 });
      expect(await c.increment()).toBe(8);
      expect(await currentValue(name)).toBe('8');
      const [, failed, resent] = await control.journal(name, 'PutAttributes');
      expect(failed?.code).toBe('ServiceUnavailable');
      expect(resent?.code).toBe('Success');
      expect(resent?.params['Attribute.4.Value']).toBe(failed?.params['Attribute.4.Value']);
      expect(resent?.params['Attribute.4.Name']).toBe('write_id');
    });

    it('another writer landing before the deciding read does not make the write count twice', async () => {
      const name = itemName('interleaved');
      await Counter.create({ client, domain, name, initial: 0 });
      const other = await Counter.open({ client, domain, name });
      let armed = true;
      const { proxy, client: lossy } = await proxiedClient(async (exchange) => {
        if (!armed || !isConditionalPut(exchange)) return 'deliver';
        armed = false;
        // Committed: the other writer sees our value and builds on it, then our answer is lost.
        await other.incrementWithRetry(1);
        return 'lose';
      });
      const c = await Counter.open({ client: lossy, domain, name });
      // A plain conflict would be retried; the write-id history shows the write was applied.
      expect(await c.incrementWithRetry(1)).toBe(1);
      expect(await currentValue(name)).toBe('2');
      expect(c.value).toBe(2);
      expect(proxy.bodies.filter((body) => body.includes('Expected.Value'))).toHaveLength(1);
    });

    it('too many other writes before the deciding read: CounterWriteUnknownError, nothing re-sent', async () => {
      const name = itemName('unknown');
      await Counter.create({ client, domain, name, initial: 0 });
      const other = await Counter.open({ client, domain, name });
      let armed = true;
      const { proxy, client: lossy } = await proxiedClient(async (exchange) => {
        if (!armed || !isConditionalPut(exchange)) return 'deliver';
        armed = false;
        for (let i = 0; i < 17; i++) await other.incrementWithRetry(1);
        return 'lose';
      });
      const c = await Counter.open({ client: lossy, domain, name });
      const error = await c.incrementWithRetry(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CounterWriteUnknownError);
      expect(await currentValue(name)).toBe('18');
      expect(proxy.bodies.filter((body) => body.includes('Expected.Value'))).toHaveLength(1);
      expect(await c.refresh()).toBe(18);
    });
  });

  it('consistentRead: false reproduces the stale-read bug: a conflict that retrying cannot resolve', async () => {
    const name = itemName('stale');
    await Counter.create({ client, domain, name, initial: 0 });
    await control.freeze();
    await (await Counter.open({ client, domain, name })).increment();
    const stale = await Counter.open({ client, domain, name, consistentRead: false });
    expect(stale.value).toBe(0);
    const error = await stale.incrementWithRetry(1, { maxAttempts: 3, baseDelayMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CounterRetriesExhaustedError);
    expect((error as Error).cause).toMatchObject({ expected: 0, actual: 0 });
    // The default, consistent reads, sees the latest value in spite of the frozen view.
    expect(await (await Counter.open({ client, domain, name })).incrementWithRetry(1)).toBe(2);
  });

  describe('incrementWithRetry', () => {
    it('gives up after maxAttempts conditional writes', async () => {
      const name = itemName('bounded');
      const c = await Counter.create({ client, domain, name });
      await control.addFault({ action: 'PutAttributes', domain, item: name, error: 'ConditionalCheckFailed' });
      const delays: number[] = [];
      const error = await c
        .incrementWithRetry(1, { maxAttempts: 4, baseDelayMs: 1, onConflict: (_e, _attempt, ms) => delays.push(ms) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CounterRetriesExhaustedError);
      expect(error).toMatchObject({ attempts: 4 });
      expect(delays).toHaveLength(3);
      expect(await control.journal(name, 'PutAttributes')).toHaveLength(1 + 4);
    });

    it('gives up when the time budget is spent: maxElapsedMs 0 allows one attempt', async () => {
      const name = itemName('no-time');
      const c = await Counter.create({ client, domain, name });
      await control.addFault({ action: 'PutAttributes', domain, item: name, error: 'ConditionalCheckFailed' });
      const error = await c.incrementWithRetry(1, { maxElapsedMs: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CounterRetriesExhaustedError);
      expect(error).toMatchObject({ attempts: 1, message: expect.stringMatching(/still out of sync after 1 attempts in \d+ ms \(maxElapsedMs is 0\)$/) });
      expect((error as Error).cause).toBeInstanceOf(CounterOutOfSyncError);
      expect(await control.journal(name, 'PutAttributes')).toHaveLength(1 + 1);
    });

    it('with a small time budget, shortens the last wait and stops: no count limit by default', async () => {
      const name = itemName('small-time');
      const c = await Counter.create({ client, domain, name });
      await control.addFault({ action: 'PutAttributes', domain, item: name, error: 'ConditionalCheckFailed' });
      const delays: number[] = [];
      // Waits of 50, 100, then what is left of the 300 ms: the attempt after that one is past the budget.
      const error = await c
        .incrementWithRetry(1, { maxElapsedMs: 300, baseDelayMs: 50, random: () => 1, onConflict: (_e, _attempt, ms) => delays.push(ms) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CounterRetriesExhaustedError);
      const { attempts, elapsedMs, message } = error as CounterRetriesExhaustedError;
      expect(message).toMatch(/\(maxElapsedMs is 300\)$/);
      expect(elapsedMs).toBeGreaterThanOrEqual(300);
      expect(attempts).toBeLessThanOrEqual(5);
      expect(delays).toHaveLength(attempts - 1);
      // Each wait is the backoff or, once the budget runs short, what is left of it.
      delays.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(50 * 2 ** i));
      expect(delays.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(300);
      expect(await control.journal(name, 'PutAttributes')).toHaveLength(1 + attempts);
    });

    it('reads again after the wait, so that the next write builds on what others wrote meanwhile', async () => {
      const name = itemName('reread');
      const c = await Counter.create({ client, domain, name });
      await (await Counter.open({ client, domain, name })).increment();
      expect(await c.incrementWithRetry(1, { baseDelayMs: 1, random: () => 1 })).toBe(2);
      const requests = (await control.journal(name)).map((r) => [r.action, r.params['Expected.Value']]);
      // Created; the other object's increment; then: refused, the read that tells why, the
      // wait, the read after it, and the write conditional on what that read found.
      expect(requests).toEqual([
        ['PutAttributes', undefined],
        ['GetAttributes', undefined],
        ['PutAttributes', '0'],
        ['PutAttributes', '0'],
        ['GetAttributes', undefined],
        ['GetAttributes', undefined],
        ['PutAttributes', '1'],
      ]);
    });

    it('stops waiting when the signal aborts during the backoff', async () => {
      const name = itemName('abort');
      const c = await Counter.create({ client, domain, name });
      await control.addFault({ action: 'PutAttributes', domain, item: name, error: 'ConditionalCheckFailed' });
      const controller = new AbortController();
      const started = performance.now();
      const error = await c
        .incrementWithRetry(1, { baseDelayMs: 60_000, random: () => 0.99, signal: controller.signal, onConflict: () => controller.abort() })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SimpleDBAbortError);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(await control.journal(name, 'PutAttributes')).toHaveLength(1 + 1);
    });
  });
}

describe.skipIf(onAws)(LOCAL_SUITE_TITLE, { timeout: TEST_TIMEOUT_MS }, wireSuite);
