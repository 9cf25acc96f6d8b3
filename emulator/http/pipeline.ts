import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseUrl } from 'node:url';
import type { Logger } from 'pino';
import { actions } from '../actions/index.js';
import type { Action, ActionContext, ActionFacts, ActionOutput, Limits, SlicedAction } from '../actions/types.js';
import { BASE_BOX_USAGE, formatBoxUsage, type ActionName } from '../core/boxUsage.js';
import { errors, SdbError } from '../core/errors.js';
import { collectParams, parseFormInSlices, type Params } from '../core/params.js';
import { Slices } from '../core/slices.js';
import { newRequestId } from '../core/requestId.js';
import type { Store } from '../store/store.js';
import type { ProtocolHooks, RawRequest, RequestHooks } from '../sync/index.js';
import { bodyBytes, bodyText, LARGE_BODY_BYTES, readBodyChunks } from './body.js';
import type { WriteGate } from './gate.js';
import type { HostPolicy } from './hosts.js';
import type { OriginPolicy } from './origin.js';
import { errorDocument, successResponse } from './render.js';
import type { ConsoleRequest } from './routes/action.js';
import type { Authenticate } from './signature.js';

export const API_VERSIONS: ReadonlySet<string> = new Set(['2009-04-15', '2007-11-07']);

export interface PipelineConfig {
  store: Store;
  limits: Limits;
  now: () => number;
  tokenKey: Buffer;
  logger: Logger;
  /**
   * Checks the request's credentials (throwing the service's auth errors) and returns the
   * account namespace its domains live in. Without authentication every caller shares ''.
   */
  authenticate: Authenticate;
  origins: OriginPolicy;
  hosts: HostPolicy;
  /** Consistency simulation, fault injection and the journal (emulator/sync). */
  sync?: ProtocolHooks;
  /** Keeps requests away from a large write while it applies in slices (gate.ts). */
  gate: WriteGate;
}

/**
 * From this many parameters an action that can (`Action.sliced`) runs in slices: a batch of 25
 * items of 13 attributes, about 1,000 pairs, takes about 10 ms in one piece.
 */
export const LARGE_PARAMS = 1000;

/** One protocol request as the steps below fill it in. */
interface RequestContext {
  readonly requestId: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Set when the request came through the console's JSON route instead of the protocol's. */
  readonly console: ConsoleRequest | undefined;
  readonly hooks: RequestHooks | undefined;
  path: string;
  raw?: RawRequest;
  params?: Params;
  /** The action the request names, when it is one of ours. */
  handler?: Action;
  facts?: ActionFacts;
  account?: string;
  action?: ActionName;
  version?: string;
  output?: ActionOutput;
  /** Set for a large request: its work runs in slices of this. */
  slices?: Slices;
  status: number;
  code?: string;
}

/**
 * Every protocol request, from the protocol route or (with `input`) the console's JSON route,
 * goes through these steps in order: read → identify → authenticate → admit → shape → act →
 * answer, and is recorded however it ended. The console's requests carry their parameters and
 * the guard's account, are not signed, and draw no injected faults: the page that shapes the
 * traffic must keep working.
 */
export async function runProtocol(config: PipelineConfig, req: IncomingMessage, res: ServerResponse, input?: ConsoleRequest): Promise<void> {
  const debug = config.logger.isLevelEnabled('debug');
  const started = debug ? performance.now() : 0;
  const ctx: RequestContext = {
    requestId: newRequestId(),
    req,
    res,
    console: input,
    hooks: config.sync?.open(
      {
        method: methodOf(req),
        path: pathOf(req),
        userAgent: req.headers['user-agent'],
        clientId: header(req, 'x-simpledb-client'),
        operation: header(req, 'x-simpledb-operation'),
        connection: req.socket,
        dropConnection: () => res.destroy(),
      },
      { faults: input === undefined },
    ),
    path: '/',
    status: 200,
  };
  try {
    // A step returns a promise only when it has something to wait for: the usual request takes
    // no extra turn of the event loop.
    const body = read(config, ctx);
    if (body) await body;
    const params = ctx.params as Params;
    const known = identify(config, ctx, params);
    if (known) await known;
    authenticate(config, ctx, params);
    const handler = admit(ctx, params);
    const waiting = shape(ctx, handler, params);
    if (waiting) await waiting;
    if (ctx.slices && handler.sliced) {
      await actInSlices(config, ctx, handler.sliced, params, ctx.slices);
    } else {
      const held = config.gate.admit(handler.name, ctx.facts);
      if (held) await waited(ctx, held);
      act(config, ctx, handler, params);
    }
    const delayed = settle(ctx);
    if (delayed) await delayed;
    answer(ctx);
  } catch (err) {
    fail(config, ctx, err);
  } finally {
    record(config, ctx, debug, started);
  }
}

/** The target, the method and the parameters, from the URL and a form body (or the console's JSON). */
function read(config: PipelineConfig, ctx: RequestContext): Promise<void> | undefined {
  if (ctx.console) {
    // The guard in front of /_simpledb has checked the origin and resolves the account.
    ctx.raw = ctx.console.raw;
    ctx.params = ctx.console.params;
    return undefined;
  }
  const { req } = ctx;
  const [path = '/', query = ''] = splitUrl(targetOf(req));
  ctx.path = path;
  // A GET changes data here, so a browser's request must show where it comes from (docs/security.md).
  if (!config.hosts.allows(req.headers.host) || config.origins.refuses(req) || config.origins.unsignalledBrowser(req)) {
    throw errors.accessFailure(path);
  }
  if (req.method !== 'GET' && req.method !== 'POST') throw errors.unsupportedHttpVerb(methodOf(req));
  if (path !== '/') throw errors.invalidUri(path);
  const parse = (chunks: Buffer[] | null): Promise<void> | undefined => {
    if (chunks !== null && bodyBytes(chunks) >= LARGE_BODY_BYTES) return parseInSlices(config, ctx, query, chunks);
    const body = chunks === null ? null : bodyText(chunks);
    ctx.raw = { query, body };
    ctx.params = collectParams(query, body);
    return undefined;
  };
  if (req.method === 'POST') return readBodyChunks(req, undefined, config.gate.turn).then(parse);
  parse(null);
  return undefined;
}

/** A large body: decoded and parsed in slices, and the rest of the request in slices too. */
async function parseInSlices(config: PipelineConfig, ctx: RequestContext, query: string, chunks: Buffer[]): Promise<void> {
  const slices = slicesFor(config);
  ctx.slices = slices;
  const parsed = await parseFormInSlices(chunks, slices);
  ctx.raw = { query, body: parsed.text };
  ctx.params = collectParams(query, parsed.text, parsed);
}

function slicesFor(config: PipelineConfig): Slices {
  const gate = config.gate;
  return new Slices(undefined, () => gate.between(), gate.turn);
}

/**
 * Which action, and what it names: read before authentication, so the journal names a refused
 * request's domain too. A promise only for a large request of an action that works in slices.
 */
function identify(config: PipelineConfig, ctx: RequestContext, params: Params): Promise<void> | undefined {
  const name = params.get('Action');
  const handler = name === undefined ? undefined : actions.get(name);
  if (!handler) return undefined;
  ctx.handler = handler;
  if (handler.sliced && (ctx.slices || params.entries.length > LARGE_PARAMS)) {
    const slices = (ctx.slices ??= slicesFor(config));
    return handler.sliced.facts(params, slices).then((facts) => {
      ctx.facts = facts;
    });
  }
  ctx.facts = handler.facts(params);
  return undefined;
}

function authenticate(config: PipelineConfig, ctx: RequestContext, params: Params): void {
  const { req } = ctx;
  ctx.account = ctx.console
    ? ctx.console.account
    : config.authenticate({ method: methodOf(req), host: req.headers.host ?? '', path: ctx.path, params });
}

/** An action and an API version we serve, refused in the service's order after authentication. */
function admit(ctx: RequestContext, params: Params): Action {
  const name = params.get('Action');
  if (name === undefined || name === '') throw errors.missingAction();
  if (!ctx.handler) throw errors.invalidAction(name);
  ctx.action = ctx.handler.name;
  const version = params.get('Version') ?? '2009-04-15';
  if (!API_VERSIONS.has(version)) throw errors.noSuchVersion(version);
  ctx.version = version;
  return ctx.handler;
}

/** Injected faults and delays before the action (a promise only when there is something to wait for). */
function shape(ctx: RequestContext, handler: Action, params: Params): Promise<void> | undefined {
  return ctx.hooks?.before(handler.name, params, ctx.facts as ActionFacts);
}

/** After waiting at the gate: the request acts now, and the sync hooks count from here. */
async function waited(ctx: RequestContext, held: Promise<void>): Promise<void> {
  await held;
  ctx.hooks?.waited();
}

function act(config: PipelineConfig, ctx: RequestContext, handler: Action, params: Params): void {
  ctx.output = handler.handle(params, actionContext(config, ctx));
}

/** A large request: it holds the gate from its validation to its commit, its work in slices. */
async function actInSlices(config: PipelineConfig, ctx: RequestContext, sliced: SlicedAction, params: Params, slices: Slices): Promise<void> {
  const held = config.gate.acquire(ctx.facts);
  if (held) await waited(ctx, held);
  try {
    ctx.output = await sliced.handle(params, actionContext(config, ctx), slices);
  } finally {
    config.gate.release();
  }
  await config.gate.afterWrite();
}

function actionContext(config: PipelineConfig, ctx: RequestContext): ActionContext {
  return {
    store: config.store,
    account: ctx.account as string,
    now: config.now,
    version: ctx.version as string,
    limits: config.limits,
    tokenKey: config.tokenKey,
    eventualRead: ctx.hooks?.eventualRead,
  };
}

/** After a successful action: a delay-after, or a lost response (reset, or 503 for a write that landed). */
function settle(ctx: RequestContext): Promise<void> | undefined {
  return ctx.hooks?.after();
}

function answer(ctx: RequestContext): void {
  const out = ctx.output as ActionOutput;
  send(ctx.res, 200, successResponse(out.result, ctx.requestId, formatBoxUsage(out.boxUsage)));
}

function fail(config: PipelineConfig, ctx: RequestContext, err: unknown): void {
  if (ctx.req.readableAborted) {
    // The client went away mid-request: nobody to answer, and not the emulator's fault.
    config.logger.debug({ requestId: ctx.requestId, err: String(err) }, 'client aborted the request');
    ctx.status = 0;
    ctx.code = 'ClientAborted';
    return;
  }
  const known = err instanceof SdbError ? err : undefined;
  if (!known) config.logger.error({ err, requestId: ctx.requestId }, 'unexpected error; answered InternalError');
  const e = known ?? errors.internalError();
  ctx.status = e.status;
  ctx.code = e.code;
  const usage = e.withBoxUsage ? formatBoxUsage(ctx.action ? BASE_BOX_USAGE[ctx.action] : 0) : null;
  // Only the console is told where a Select expression went wrong: the service never says.
  const at = ctx.console && e.position !== undefined ? ['X-SimpleDB-Error-Position', String(e.position)] : undefined;
  send(ctx.res, e.status, errorDocument(e.code, e.message, ctx.requestId, usage), at);
}

/** The journal entry, however the request ended; the debug log line when asked for. */
function record(config: PipelineConfig, ctx: RequestContext, debug: boolean, started: number): void {
  const { requestId, action, account, facts, raw, status, code } = ctx;
  if (!ctx.slices) config.gate.served();
  ctx.hooks?.close({ requestId, action, account, facts, raw, status, code, result: ctx.output?.result });
  if (debug) {
    config.logger.debug(
      { requestId, method: ctx.req.method, action, status, code, ms: +(performance.now() - started).toFixed(2) },
      'request',
    );
  }
}

/**
 * The request target as it arrived. A protocol request reaches the pipeline without Express (app.ts),
 * the console's through an Express route, which has rewritten `url` and kept the original.
 */
function targetOf(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}

/**
 * The target's path as Express's `req.path` gives it (its `parseurl`): up to the `?` of a target
 * that begins with `/` and holds none of the characters that make it parse the URL in full; else
 * what Node's URL parser finds. The fault rules match on it.
 */
function pathOf(req: IncomingMessage): string {
  const console = (req as IncomingMessage & { path?: string }).path;
  if (console !== undefined) return console;
  const url = req.url ?? '';
  if (url.startsWith('/') && !/[\t\n\f\r #\u00a0\ufeff]/.test(url)) return splitUrl(url)[0];
  try {
    return parseUrl(url).pathname ?? '';
  } catch {
    return '';
  }
}

/** A server's request always has one; the type allows none. */
function methodOf(req: IncomingMessage): string {
  return req.method ?? '';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

/** Headers as a flat list: Node then skips normalising a header object on every response. */
export function send(res: ServerResponse, status: number, xml: string, extra?: readonly string[]): void {
  if (res.headersSent) return;
  const headers = [
    'Content-Type',
    'text/xml',
    'Content-Length',
    String(Buffer.byteLength(xml)),
    'Server',
    'Amazon SimpleDB',
    'X-Content-Type-Options',
    'nosniff',
  ];
  if (extra) headers.push(...extra);
  res.writeHead(status, headers);
  res.end(xml);
}
