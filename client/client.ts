import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import type { ServiceOutput, SimpleDBCommand } from './commands.js';
import { PLACEHOLDER_CREDENTIALS, toProvider, type CredentialProvider, type SimpleDBCredentials } from './credentials.js';
import {
  SimpleDBAbortError,
  SimpleDBCredentialsError,
  SimpleDBError,
  SimpleDBNetworkError,
  SimpleDBServiceError,
  SimpleDBTimeoutError,
  createServiceError,
  errorFromStatus,
} from './errors.js';
import { backoffDelay, defaultSleep, isRetryable, mayHaveBeenApplied, type RetryBackoff } from './retry.js';
import { checkedParams } from './params.js';
import { signedQueryV2, timestampV2, type QueryParam } from './signer.js';
import { parseError, parseSuccess } from './xml.js';

const API_VERSION = '2009-04-15';
/** undici sends none; the service's logs and support cases identify callers by it. */
const USER_AGENT = 'simpledb-local-client';

/** SDK v3's logger shape; the client logs per attempt (action, status, timing), never keys, signatures or data. */
export interface Logger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

export interface SimpleDBClientConfig {
  /** Default: AWS_REGION, else us-east-1. */
  region?: string;
  /** Default from the region: https://sdb.amazonaws.com (us-east-1) or https://sdb.<region>.amazonaws.com. */
  endpoint?: string | URL;
  /**
   * Keys, or a provider called lazily and kept until near expiry. Default: the standard AWS chain;
   * when it finds nothing and `endpoint` is a loopback address, PLACEHOLDER_CREDENTIALS.
   */
  credentials?: SimpleDBCredentials | CredentialProvider;
  /**
   * Sign with PLACEHOLDER_CREDENTIALS when the standard chain finds nothing and an `endpoint` is
   * given. Default: only for loopback endpoints (127.0.0.0/8, ::1, localhost); true also for
   * others (an emulator in another container); false never.
   */
  allowPlaceholderCredentials?: boolean;
  /** Attempts per call, first included. Default 3; 1 disables retries. */
  maxAttempts?: number;
  /** Milliseconds one attempt may take, connection to last byte of the answer. Default: none. */
  requestTimeout?: number;
  retryBackoff?: RetryBackoff;
  logger?: Logger;
  /** Keep-alive connections to the endpoint. Default 50, SDK v3's maxSockets. */
  maxConnections?: number;
  /**
   * Names this client to simpledb-local's sync-bug detector (`X-SimpleDB-Client` header, docs/analyze.md).
   * Default: `auto-` and 8 random hex digits (the emulator knows the prefix as generated), fixed for the instance, so that its
   * requests count as one client whichever pooled connection carries them. Other services ignore the header.
   */
  clientId?: string;
}

export interface SendOptions {
  abortSignal?: AbortSignal;
  /**
   * The logical operation this request is part of, sent as `X-SimpleDB-Operation` (docs/analyze.md).
   * Default: the one `client.operation()` is running, if any.
   */
  operation?: string;
}

export interface ResolvedConfig {
  readonly region: string;
  readonly endpoint: URL;
  readonly maxAttempts: number;
  readonly requestTimeout: number | undefined;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Failures that happen before any byte of the request can have left this host. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const UNDICI_TIMEOUTS: Record<string, boolean> = {
  UND_ERR_CONNECT_TIMEOUT: false,
  UND_ERR_HEADERS_TIMEOUT: true,
  UND_ERR_BODY_TIMEOUT: true,
};

function defaultEndpoint(region: string): URL {
  return new URL(region === 'us-east-1' ? 'https://sdb.amazonaws.com' : `https://sdb.${region}.amazonaws.com`);
}

interface Exchange {
  status: number;
  body: string;
}

export class SimpleDBClient {
  readonly config: ResolvedConfig;
  /** Sent with every request as `X-SimpleDB-Client`. */
  readonly clientId: string;
  private readonly credentials: CredentialProvider;
  private readonly backoff: RetryBackoff;
  private readonly logger: Logger;
  /** Client-owned, so two clients never share sockets and destroy() closes exactly ours. */
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private destroyed = false;
  private readonly operations = new AsyncLocalStorage<string>();
  private operationCount = 0;

  constructor(config: SimpleDBClientConfig = {}) {
    const region = config.region ?? process.env.AWS_REGION ?? 'us-east-1';
    const endpoint = config.endpoint === undefined ? defaultEndpoint(region) : new URL(config.endpoint);
    const maxAttempts = config.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, not ${maxAttempts}`);
    }
    this.config = { region, endpoint, maxAttempts, requestTimeout: config.requestTimeout };
    this.backoff = config.retryBackoff ?? {};
    this.logger = config.logger ?? silent;
    this.credentials = toProvider(config.credentials, {
      endpoint: config.endpoint === undefined ? undefined : endpoint,
      allow: config.allowPlaceholderCredentials,
      onPlaceholder: (reason) =>
        this.logger.debug(
          'SimpleDB',
          `no AWS credentials found (${reason instanceof Error ? reason.message : String(reason)}); ` +
            `signing with the placeholder key pair "${PLACEHOLDER_CREDENTIALS.accessKeyId}" for ${endpoint.origin}`,
        ),
    });
    this.pool = new Pool(endpoint.origin, { connections: config.maxConnections ?? 50 });
    this.headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'user-agent': USER_AGENT };
    this.clientId = config.clientId ?? `auto-${randomBytes(4).toString('hex')}`;
    this.headers['x-simpledb-client'] = this.clientId;
  }

  /**
   * Runs `fn` as one logical operation: every request it sends through this client carries the
   * same `X-SimpleDB-Operation` id (`name`, `#` and a number fixed for the call), which tells
   * simpledb-local's sync-bug detector which reads a write was built on. Other services ignore it.
   */
  operation<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.operations.run(`${name}#${++this.operationCount}`, fn);
  }

  async send<Input extends object, Output extends ServiceOutput>(
    command: SimpleDBCommand<Input, Output>,
    options: SendOptions = {},
  ): Promise<Output> {
    if (this.destroyed) throw new Error('SimpleDBClient.send() called after destroy()');
    const signal = options.abortSignal;
    const actionParams = checkedParams(command.action, command.serialize());
    const sleep = this.backoff.sleep ?? defaultSleep;
    let totalRetryDelay = 0;
    for (let attempt = 1; ; attempt++) {
      const body = this.sign(actionParams, command.action, await this.resolveCredentials(attempt, totalRetryDelay));
      // Checked after the credentials arrive and before the request starts, in the same tick.
      if (signal?.aborted) throw withMetadata(new SimpleDBAbortError(signal.reason), attempt - 1, totalRetryDelay);
      const started = performance.now();
      let error: SimpleDBError;
      try {
        const response = await this.exchange(body, signal, options.operation ?? this.operations.getStore());
        const ms = Math.round(performance.now() - started);
        this.logger.debug('SimpleDB', command.action, { attempt, status: response.status, ms });
        const document = response.status < 300 ? parseSuccess(command.action, response.body) : undefined;
        if (document !== undefined) {
          const $metadata = { httpStatusCode: response.status, requestId: document.requestId, attempts: attempt, totalRetryDelay };
          return command.deserialize(document.result, { $metadata, BoxUsage: document.boxUsage });
        }
        error = responseError(command.action, response);
      } catch (thrown) {
        if (!(thrown instanceof SimpleDBError)) throw thrown;
        error = thrown;
      }
      withMetadata(error, attempt, totalRetryDelay);
      if (command.isConditionalWrite && mayHaveBeenApplied(error)) {
        error.$writeMayHaveBeenApplied = true;
        throw error;
      }
      if (error instanceof SimpleDBAbortError || attempt >= this.config.maxAttempts || !isRetryable(error)) throw error;
      const wait = backoffDelay(attempt, this.backoff);
      const status = error.$metadata.httpStatusCode;
      this.logger.warn('SimpleDB', command.action, { attempt, retryInMs: wait, error: error.name, status });
      try {
        await sleep(wait, signal);
      } catch (reason) {
        throw withMetadata(new SimpleDBAbortError(signal?.reason ?? reason), attempt, totalRetryDelay);
      }
      totalRetryDelay += wait;
    }
  }

  private async resolveCredentials(attempt: number, totalRetryDelay: number): Promise<SimpleDBCredentials> {
    try {
      return await this.credentials();
    } catch (cause) {
      if (cause instanceof SimpleDBError) throw cause;
      const reason = cause instanceof Error ? cause.message : String(cause);
      const host = this.config.endpoint.hostname;
      const hint =
        'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or pass `credentials` to SimpleDBClient' +
        (this.config.endpoint.origin === defaultEndpoint(this.config.region).origin
          ? '.'
          : `; for an emulator at ${host}, \`allowPlaceholderCredentials: true\` signs with a placeholder key.`);
      throw withMetadata(new SimpleDBCredentialsError(`No credentials to sign with: ${reason}. ${hint}`, cause), attempt - 1, totalRetryDelay);
    }
  }

  /** Closes the client's connections; requests in flight fail. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.pool.destroy();
  }

  /** Signed fresh for every attempt: the Timestamp must be recent and credentials may have rotated. */
  private sign(actionParams: readonly QueryParam[], action: string, credentials: SimpleDBCredentials): string {
    const params: QueryParam[] = [
      ...actionParams,
      ['Action', action],
      ['Version', API_VERSION],
      ['AWSAccessKeyId', credentials.accessKeyId],
      ['SignatureMethod', 'HmacSHA256'],
      ['SignatureVersion', '2'],
      ['Timestamp', timestampV2(new Date())],
    ];
    if (credentials.sessionToken) params.push(['SecurityToken', credentials.sessionToken]);
    const { host, pathname } = this.config.endpoint;
    return signedQueryV2({ method: 'POST', host, path: pathname, params, secretAccessKey: credentials.secretAccessKey });
  }

  /** One HTTP round trip; every failure comes out as a SimpleDBError. */
  private async exchange(body: string, signal: AbortSignal | undefined, operation: string | undefined): Promise<Exchange> {
    const controller = new AbortController();
    let timedOut = false;
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const timeout = this.config.requestTimeout;
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeout);
    try {
      const response = await this.pool.request({
        method: 'POST',
        path: this.config.endpoint.pathname,
        headers: operation === undefined ? this.headers : { ...this.headers, 'x-simpledb-operation': operation },
        body,
        signal: controller.signal,
      });
      return { status: response.statusCode, body: await response.body.text() };
    } catch (cause) {
      if (signal?.aborted) throw new SimpleDBAbortError(signal.reason);
      if (timedOut) {
        throw new SimpleDBTimeoutError(`No answer within requestTimeout (${timeout} ms)`, { cause, requestMayHaveBeenSent: true });
      }
      throw transportError(cause);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }
  }
}

function withMetadata<E extends SimpleDBError>(error: E, attempts: number, totalRetryDelay: number): E {
  error.$metadata = { ...error.$metadata, attempts, totalRetryDelay };
  return error;
}

function responseError(action: string, response: Exchange): SimpleDBServiceError {
  if (response.status < 300) {
    return new SimpleDBServiceError('UnparseableResponse', {
      message: `Expected a <${action}Response> document: ${response.body.slice(0, 200)}`,
      httpStatusCode: response.status,
    });
  }
  const document = parseError(response.body);
  if (document === undefined) return errorFromStatus(response.status, response.body);
  return createServiceError(document.code, {
    message: document.message,
    httpStatusCode: response.status,
    requestId: document.requestId,
    BoxUsage: document.boxUsage,
  });
}

function transportError(cause: unknown): SimpleDBError {
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (code !== undefined && code in UNDICI_TIMEOUTS) {
    return new SimpleDBTimeoutError(message, { cause, requestMayHaveBeenSent: UNDICI_TIMEOUTS[code] === true });
  }
  return new SimpleDBNetworkError(message, { cause, code, requestMayHaveBeenSent: code === undefined || !NOT_SENT_CODES.has(code) });
}
