import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConditionalCheckFailed,
  GetAttributesCommand,
  ListDomainsCommand,
  PutAttributesCommand,
  ServiceUnavailable,
  SimpleDBAbortError,
  SimpleDBClient,
  SimpleDBNetworkError,
  SimpleDBServiceError,
  SimpleDBTimeoutError,
  type SimpleDBClientConfig,
  type SimpleDBCredentials,
} from '../../client/index.js';
import { DUMMY_CREDENTIALS } from '../support/target.js';
import { fail, ok, signatureValid, startScriptedServer, type Reply, type ScriptedServer } from './scriptedServer.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** Records every backoff wait instead of sleeping. */
function recordingSleep(): { sleeps: number[]; sleep: (ms: number) => Promise<void> } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => void sleeps.push(ms) };
}

async function setup(
  script: (n: number) => Reply,
  config: SimpleDBClientConfig = {},
): Promise<{ server: ScriptedServer; client: SimpleDBClient; sleeps: number[] }> {
  const server = await startScriptedServer(script);
  const { sleeps, sleep } = recordingSleep();
  const client = new SimpleDBClient({
    endpoint: server.url,
    credentials: DUMMY_CREDENTIALS,
    retryBackoff: { sleep, random: () => 1 },
    ...config,
  });
  cleanups.push(async () => {
    await client.destroy();
    await server.close();
  });
  return { server, client, sleeps };
}

const put = new PutAttributesCommand({ DomainName: 'd', ItemName: 'i', Attributes: [{ Name: 'n', Value: '1', Replace: true }] });
const conditionalPut = new PutAttributesCommand({
  DomainName: 'd',
  ItemName: 'i',
  Attributes: [{ Name: 'n', Value: '1', Replace: true }],
  Expected: { Name: 'n', Value: '0' },
});
const get = new GetAttributesCommand({ DomainName: 'd', ItemName: 'i' });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('retries (AWS standard mode)', () => {
  it('retries a 503 and reports attempts and the time waited', async () => {
    const { server, client, sleeps } = await setup((n) => (n === 1 ? fail(503, 'ServiceUnavailable') : ok('PutAttributes')));
    const out = await client.send(put);
    expect(server.received).toHaveLength(2);
    expect(sleeps).toEqual([100]);
    expect(out.$metadata).toEqual({ httpStatusCode: 200, requestId: '11111111-2222-3333-4444-555555555555', attempts: 2, totalRetryDelay: 100 });
    expect(out.BoxUsage).toBe(0.0000219907);
    for (const request of server.received) expect(signatureValid(request, DUMMY_CREDENTIALS.secretAccessKey)).toBe(true);
  });

  it('gives up after maxAttempts with the last error, full-jitter exponential waits', async () => {
    const { server, client, sleeps } = await setup(() => fail(500, 'InternalError'));
    const error = await rejection(client.send(get));
    expect(error).toBeInstanceOf(SimpleDBServiceError);
    expect(error).toMatchObject({ name: 'InternalError', $fault: 'server' });
    expect((error as SimpleDBServiceError).$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3, totalRetryDelay: 300 });
    expect(server.received).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('caps the wait and scales it by the random factor', async () => {
    const capped = await setup(() => fail(503, 'ServiceUnavailable'), {
      maxAttempts: 5,
      retryBackoff: { baseDelayMs: 100, maxDelayMs: 300, random: () => 1, sleep: async () => undefined },
    });
    const error = await rejection(capped.client.send(get));
    expect((error as SimpleDBServiceError).$metadata.totalRetryDelay).toBe(100 + 200 + 300 + 300);

    const jitter = await setup(() => fail(503, 'ServiceUnavailable'), { maxAttempts: 3 });
    const { sleeps, sleep } = recordingSleep();
    const halfClient = new SimpleDBClient({ endpoint: jitter.server.url, credentials: DUMMY_CREDENTIALS, retryBackoff: { sleep, random: () => 0.5 } });
    cleanups.push(() => halfClient.destroy());
    await rejection(halfClient.send(get));
    expect(sleeps).toEqual([50, 100]);
  });

  it('waits for real with the default sleep', async () => {
    const { client } = await setup((n) => (n < 3 ? fail(503, 'ServiceUnavailable') : ok('GetAttributes')), {
      retryBackoff: { baseDelayMs: 20, random: () => 1 },
    });
    const started = performance.now();
    const out = await client.send(get);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(out.$metadata).toMatchObject({ attempts: 3, totalRetryDelay: 60 });
  });

  it('retries throttling, 408 and bare 502s; not other 4xx', async () => {
    for (const reply of [fail(400, 'Throttling'), fail(503, 'RequestLimitExceeded'), fail(408, 'RequestTimeout'), { status: 502, body: 'Bad Gateway' }]) {
      const { server, client } = await setup((n) => (n === 1 ? reply : ok('GetAttributes')));
      await client.send(get);
      expect(server.received).toHaveLength(2);
    }
    for (const reply of [fail(409, 'ConditionalCheckFailed'), fail(400, 'NoSuchDomain'), fail(403, 'SignatureDoesNotMatch')]) {
      const { server, client } = await setup(() => reply);
      const error = await rejection(client.send(get));
      expect((error as SimpleDBServiceError).$metadata.attempts).toBe(1);
      expect(server.received).toHaveLength(1);
    }
  });

  it('maxAttempts 1 disables retries', async () => {
    const { server, client } = await setup(() => fail(503, 'ServiceUnavailable'), { maxAttempts: 1 });
    await rejection(client.send(get));
    expect(server.received).toHaveLength(1);
    expect(() => new SimpleDBClient({ maxAttempts: 0 })).toThrow(RangeError);
  });

  it('retries a dropped connection for a plain write', async () => {
    const { server, client } = await setup((n) => (n < 3 ? 'drop' : ok('PutAttributes')));
    const out = await client.send(put);
    expect(out.$metadata.attempts).toBe(3);
    expect(server.received).toHaveLength(3);
  });
});

describe('conditional writes are never re-sent after an ambiguous failure', () => {
  it('a 503 fails at once, flagged', async () => {
    const { server, client } = await setup((n) => (n === 1 ? fail(503, 'ServiceUnavailable') : ok('PutAttributes')));
    const error = await rejection(client.send(conditionalPut));
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect(error).toMatchObject({ $writeMayHaveBeenApplied: true, $metadata: { attempts: 1, httpStatusCode: 503 } });
    expect(server.received).toHaveLength(1);
  });

  it('a connection dropped after the request was sent fails at once, flagged', async () => {
    const { server, client } = await setup((n) => (n === 1 ? 'drop' : ok('PutAttributes')));
    const error = await rejection(client.send(conditionalPut));
    expect(error).toBeInstanceOf(SimpleDBNetworkError);
    expect(error).toMatchObject({ $writeMayHaveBeenApplied: true, requestMayHaveBeenSent: true, $metadata: { attempts: 1 } });
    expect(server.received).toHaveLength(1);
  });

  it('a timeout fails at once, flagged', async () => {
    // Long enough for the request to reach the server on a loaded machine: it counts it then.
    const { server, client } = await setup(() => 'hang', { requestTimeout: 500 });
    const error = await rejection(client.send(conditionalPut));
    expect(error).toBeInstanceOf(SimpleDBTimeoutError);
    expect(error).toMatchObject({ $writeMayHaveBeenApplied: true, $metadata: { attempts: 1 } });
    expect(server.received).toHaveLength(1);
  });

  it('a 2xx whose body cannot be read is flagged, not retried', async () => {
    const { server, client } = await setup(() => ({ status: 200, body: 'garbage' }));
    const error = await rejection(client.send(conditionalPut));
    expect(error).toMatchObject({ name: 'UnparseableResponse', $writeMayHaveBeenApplied: true });
    expect(server.received).toHaveLength(1);
  });

  it('refusals are not ambiguous: throttling is retried, ConditionalCheckFailed is not flagged', async () => {
    const throttled = await setup((n) => (n === 1 ? fail(400, 'Throttling') : ok('PutAttributes')));
    const out = await throttled.client.send(conditionalPut);
    expect(out.$metadata.attempts).toBe(2);

    const checked = await setup(() => fail(409, 'ConditionalCheckFailed'));
    const error = await rejection(checked.client.send(conditionalPut));
    expect(error).toBeInstanceOf(ConditionalCheckFailed);
    expect((error as ConditionalCheckFailed).$writeMayHaveBeenApplied).toBeUndefined();
  });

  it('a refused connection (nothing sent) is retried and not flagged', async () => {
    const port = await freePort();
    const { sleeps, sleep } = recordingSleep();
    const client = new SimpleDBClient({ endpoint: `http://127.0.0.1:${port}`, credentials: DUMMY_CREDENTIALS, retryBackoff: { sleep } });
    cleanups.push(() => client.destroy());
    const error = await rejection(client.send(conditionalPut));
    expect(error).toBeInstanceOf(SimpleDBNetworkError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', requestMayHaveBeenSent: false, $metadata: { attempts: 3 } });
    expect((error as SimpleDBNetworkError).$writeMayHaveBeenApplied).toBeUndefined();
    expect(sleeps).toHaveLength(2);
  });
});

describe('timeouts and aborts', () => {
  it('requestTimeout bounds each attempt; reads are retried', async () => {
    // Each attempt long enough to reach the server on a loaded machine (at 50 ms a retry was cut
    // off before the server had read it); the server never answers, so only the timeout ends them.
    const { server, client } = await setup(() => 'hang', { requestTimeout: 500, maxAttempts: 2 });
    const started = performance.now();
    const error = await rejection(client.send(get));
    expect(error).toBeInstanceOf(SimpleDBTimeoutError);
    expect((error as SimpleDBTimeoutError).$metadata.attempts).toBe(2);
    expect(server.received).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('an abort in flight rejects with an AbortError, flagged for a conditional write', async () => {
    const { client } = await setup(() => 'hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(client.send(conditionalPut, { abortSignal: controller.signal }));
    expect(error).toBeInstanceOf(SimpleDBAbortError);
    expect(error).toMatchObject({ name: 'AbortError', $writeMayHaveBeenApplied: true, $metadata: { attempts: 1 } });
  });

  it('an aborted signal sends nothing; an abort during the backoff stops the retries', async () => {
    const { server, client } = await setup(() => fail(503, 'ServiceUnavailable'), { retryBackoff: { baseDelayMs: 60_000, random: () => 1 } });
    const error = await rejection(client.send(get, { abortSignal: AbortSignal.abort() }));
    expect(error).toMatchObject({ name: 'AbortError', $metadata: { attempts: 0 } });
    expect(server.received).toHaveLength(0);

    const controller = new AbortController();
    const pending = rejection(client.send(get, { abortSignal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const during = await pending;
    expect(during).toMatchObject({ name: 'AbortError', $metadata: { attempts: 1 } });
    expect((during as SimpleDBAbortError).$writeMayHaveBeenApplied).toBeUndefined();
    expect(server.received).toHaveLength(1);
  });
});

describe('connections, credentials and logging', () => {
  it('reuses keep-alive connections and closes them on destroy()', async () => {
    const { server, client } = await setup(() => ok('ListDomains', '<ListDomainsResult/>'));
    for (let i = 0; i < 20; i++) await client.send(new ListDomainsCommand());
    // undici's pool may hand the next request to a second socket while the first is being
    // released, so strictly sequential calls use one or two connections, never one per call.
    expect(server.connections).toBeLessThanOrEqual(2);
    expect(server.received).toHaveLength(20);
    await client.destroy();
    await expect.poll(() => server.closed).toBe(server.connections);
    await expect(client.send(new ListDomainsCommand())).rejects.toThrow(/after destroy/);
  });

  it('sends a form body signed for host:port, with the common parameters', async () => {
    const { server, client } = await setup(() => ok('ListDomains', '<ListDomainsResult/>'));
    await client.send(new ListDomainsCommand({ MaxNumberOfDomains: 5 }));
    const [request] = server.received;
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(request?.headers['user-agent']).toBe('simpledb-local-client');
    expect(request?.headers.host).toBe(new URL(server.url).host);
    expect(Object.fromEntries(request?.params ?? [])).toMatchObject({
      Action: 'ListDomains',
      MaxNumberOfDomains: '5',
      Version: '2009-04-15',
      AWSAccessKeyId: 'AKIDEXAMPLE',
      SignatureMethod: 'HmacSHA256',
      SignatureVersion: '2',
      Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(request && signatureValid(request, DUMMY_CREDENTIALS.secretAccessKey)).toBe(true);
  });

  it('resolves a credential provider lazily, once, and signs the SecurityToken', async () => {
    let calls = 0;
    const temporary: SimpleDBCredentials = { accessKeyId: 'ASIATEMP', secretAccessKey: 'temp-secret', sessionToken: 'token/with+chars=' };
    const { server, client } = await setup(() => ok('ListDomains', '<ListDomainsResult/>'), {
      credentials: async () => {
        calls++;
        return temporary;
      },
    });
    expect(calls).toBe(0);
    await Promise.all([client.send(new ListDomainsCommand()), client.send(new ListDomainsCommand())]);
    await client.send(new ListDomainsCommand());
    expect(calls).toBe(1);
    for (const request of server.received) {
      expect(request.params.get('SecurityToken')).toBe('token/with+chars=');
      expect(request.params.get('AWSAccessKeyId')).toBe('ASIATEMP');
      expect(signatureValid(request, 'temp-secret')).toBe(true);
    }
  });

  it('fetches credentials again when they are about to expire, and after a failed fetch', async () => {
    const expirations = [new Date(Date.now() + 60_000), new Date(Date.now() + 3_600_000)];
    let calls = 0;
    const { client } = await setup(() => ok('ListDomains', '<ListDomainsResult/>'), {
      credentials: async () => {
        calls++;
        if (calls === 1) throw new Error('metadata service down');
        return { ...DUMMY_CREDENTIALS, expiration: expirations[calls - 2] };
      },
    });
    await expect(client.send(new ListDomainsCommand())).rejects.toThrow('metadata service down');
    await client.send(new ListDomainsCommand());
    await client.send(new ListDomainsCommand());
    await client.send(new ListDomainsCommand());
    expect(calls).toBe(3);
  });

  it('defaults to the standard AWS credential chain (environment variables here)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-token' });
    try {
      const { server, client } = await setup(() => ok('ListDomains', '<ListDomainsResult/>'), { credentials: undefined });
      await client.send(new ListDomainsCommand());
      const [request] = server.received;
      expect(request?.params.get('AWSAccessKeyId')).toBe('AKIDFROMENV');
      expect(request?.params.get('SecurityToken')).toBe('env-token');
      expect(request && signatureValid(request, 'env-secret')).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  it('region and endpoint defaults', () => {
    const saved = process.env.AWS_REGION;
    try {
      delete process.env.AWS_REGION;
      expect(new SimpleDBClient({ credentials: DUMMY_CREDENTIALS }).config).toMatchObject({ region: 'us-east-1', maxAttempts: 3 });
      expect(new SimpleDBClient({ credentials: DUMMY_CREDENTIALS }).config.endpoint.href).toBe('https://sdb.amazonaws.com/');
      process.env.AWS_REGION = 'eu-west-1';
      expect(new SimpleDBClient({ credentials: DUMMY_CREDENTIALS }).config.endpoint.href).toBe('https://sdb.eu-west-1.amazonaws.com/');
      expect(new SimpleDBClient({ region: 'ap-southeast-2', credentials: DUMMY_CREDENTIALS }).config.endpoint.host).toBe(
        'sdb.ap-southeast-2.amazonaws.com',
      );
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });

  it('logs attempts and retries without keys, tokens or signatures', async () => {
    const lines: unknown[][] = [];
    const record = (...content: unknown[]) => void lines.push(content);
    const { server, client } = await setup((n) => (n === 1 ? fail(503, 'ServiceUnavailable') : ok('ListDomains', '<ListDomainsResult/>')), {
      credentials: { accessKeyId: 'AKIDLOG', secretAccessKey: 'log-secret', sessionToken: 'log-token' },
      logger: { debug: record, info: record, warn: record, error: record },
    });
    await client.send(new ListDomainsCommand());
    const logged = JSON.stringify(lines);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(logged).toContain('ListDomains');
    for (const secret of ['log-secret', 'log-token', ...server.received.map((r) => r.params.get('Signature') ?? '?')]) {
      expect(logged).not.toContain(secret);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
