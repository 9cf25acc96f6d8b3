import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { actions } from './actions/index.js';
import type { ActionContext, ActionFacts, Limits } from './actions/types.js';
import { answerControlFailure, controlError, isCallersMistake } from './control/errors.js';
import { CONTROL_PREFIXES, controlAccount, controlGuard, isControlTarget, type GuardConfig } from './control/guard.js';
import { readBody } from './protocol/body.js';
import { BASE_BOX_USAGE, formatBoxUsage, type ActionName } from './protocol/boxUsage.js';
import { errors, SdbError } from './protocol/errors.js';
import type { Authenticate } from './protocol/auth.js';
import { collectParams, type Params } from './protocol/params.js';
import { errorDocument, successResponse } from './protocol/render.js';
import { newRequestId } from './protocol/requestId.js';
import { actionRoute, type ConsoleRequest } from './console/action.js';
import type { Store } from './store/store.js';
import type { ProtocolHooks, RawRequest } from './sync/index.js';
import { VERSION } from './version.js';

export const API_VERSIONS: ReadonlySet<string> = new Set(['2009-04-15', '2007-11-07']);

export interface AppConfig {
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
  /** Consistency simulation, fault injection and the journal (emulator/sync). */
  sync?: ProtocolHooks;
  /** Their JSON control routes, mounted under /_simpledb/. */
  controlRoutes?: express.Router;
  /** Who may use the control routes, and which browser origins may call the emulator at all. */
  guard: GuardConfig;
  /** The web console's pages, mounted at /_simpledb/console/ (with its data route /_simpledb/action). */
  consoleRoutes?: express.Router;
}

/** The server's request listener: every answer is SimpleDB XML, or JSON under the control prefixes. */
export function createApp(config: AppConfig): (req: IncomingMessage, res: ServerResponse) => void {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  // The protocol's space first, as one layer: its requests, the hot path, skip the path matching
  // of every control mount below.
  app.use((req, res, next) => {
    if (config.guard.origins.answerCors(req, res)) return;
    if (isControlTarget(req.url)) next();
    else void handleProtocol(config, req, res);
  });
  // Every route below under these prefixes, whoever mounts it, is behind the guard (docs/security.md).
  app.use([...CONTROL_PREFIXES], controlGuard(config.guard));
  app.get('/_simpledb/health', (_req, res) => {
    res.json({ status: 'ok', version: VERSION });
  });
  // moto's reset route too, so test suites written against moto reset us unchanged.
  app.post(['/_simpledb/reset', '/moto-api/reset'], (_req, res) => {
    const account = controlAccount(res);
    if (account === '') config.store.reset();
    else config.store.resetAccount(account);
    res.json({ status: 'reset' });
  });
  if (config.controlRoutes) app.use('/_simpledb', config.controlRoutes);
  if (config.consoleRoutes) {
    app.use('/_simpledb/console', config.consoleRoutes);
    app.use('/_simpledb', actionRoute((req, res, input) => void handleProtocol(config, req, res, input)));
  }
  // Control routes mount above this line: below it the control prefixes end in a JSON 404.
  app.use([...CONTROL_PREFIXES], (req, res) => {
    controlError(res, 404, 'NotFound', `no control route ${req.method} ${req.originalUrl}`);
  });

  // Four parameters: Express recognises an error handler by its arity.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    answerError(config, err, req, res);
  });
  // The router gives up before any route on a target whose path it cannot parse (`//?@a#`), and
  // would answer Express's HTML 404; such a target is on the protocol's space, which answers it.
  // Express has made them its Request and Response by the time it calls back.
  return (req, res) => {
    const request = req as Request;
    const response = res as Response;
    app(request, response, (err?: unknown) => {
      if (err === undefined || err === null) void handleProtocol(config, request, response);
      else answerError(config, err, request, response);
    });
  };
}

/**
 * What a route threw (or a target no route could parse): JSON under the control prefixes, else
 * the service's own errors.
 */
function answerError(config: AppConfig, err: unknown, req: Request, res: Response): void {
  const client = isCallersMistake(err);
  if (!client) config.logger.error({ err, url: req.originalUrl }, 'route failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (isControlTarget(req.originalUrl)) {
    answerControlFailure(res, err);
    return;
  }
  const e = client ? errors.invalidHttpRequest(err instanceof Error ? err.message : 'bad request') : errors.internalError();
  send(res, e.status, errorDocument(e.code, e.message, newRequestId(), formatBoxUsage(0)));
}

/**
 * Both entries to the actions: the protocol route (signed parameters from the URL and form
 * body) and, with `input`, the console's JSON route (its parameters, the guard's account, no
 * signature, no injected faults: the page that shapes the traffic must keep working).
 */
async function handleProtocol(config: AppConfig, req: Request, res: Response, input?: ConsoleRequest): Promise<void> {
  const debug = config.logger.isLevelEnabled('debug');
  const started = debug ? performance.now() : 0;
  const requestId = newRequestId();
  const sync = config.sync?.open(req, res, { faults: input === undefined });
  let facts: ActionFacts | undefined;
  let raw: RawRequest | undefined;
  let action: ActionName | undefined;
  let account: string | undefined;
  let status = 200;
  let code: string | undefined;
  try {
    let path = '/';
    let params: Params;
    if (input) {
      // The guard in front of /_simpledb has checked the origin and resolves the account.
      ({ raw, params } = input);
    } else {
      let query: string;
      [path = '/', query = ''] = splitUrl(req.originalUrl);
      if (config.guard.origins.refuses(req)) throw errors.accessFailure(path);
      if (req.method !== 'GET' && req.method !== 'POST') throw errors.unsupportedHttpVerb(req.method);
      if (path !== '/') throw errors.invalidUri(path);
      const body = req.method === 'POST' ? await readBody(req) : null;
      raw = { query, body };
      params = collectParams(query, body);
    }
    const name = params.get('Action');
    const handler = name === undefined ? undefined : actions.get(name);
    // Read before authentication, so that the journal names the domain of a refused request too.
    const known = handler && { handler, facts: handler.facts(params) };
    facts = known?.facts;
    account = input ? input.account : config.authenticate({ method: req.method, host: req.headers.host ?? '', path, params });
    if (name === undefined || name === '') throw errors.missingAction();
    if (!known) throw errors.invalidAction(name);
    action = known.handler.name;
    const version = params.get('Version') ?? '2009-04-15';
    if (!API_VERSIONS.has(version)) throw errors.noSuchVersion(version);
    const waiting = sync?.before(action, params, known.facts);
    if (waiting) await waiting;
    const ctx: ActionContext = {
      store: config.store,
      account,
      now: config.now,
      version,
      limits: config.limits,
      tokenKey: config.tokenKey,
      eventualRead: sync?.eventualRead,
    };
    const out = known.handler.handle(params, ctx);
    const delayed = sync?.after();
    if (delayed) await delayed;
    send(res, 200, successResponse(out.result, requestId, formatBoxUsage(out.boxUsage)));
  } catch (err) {
    if (req.readableAborted) {
      // The client went away mid-request: nobody to answer, and not the emulator's fault.
      config.logger.debug({ requestId, err: String(err) }, 'client aborted the request');
      status = 0;
      code = 'ClientAborted';
      return;
    }
    const known = err instanceof SdbError ? err : undefined;
    if (!known) config.logger.error({ err, requestId }, 'unexpected error; answered InternalError');
    const e = known ?? errors.internalError();
    status = e.status;
    code = e.code;
    const usage = e.withBoxUsage ? formatBoxUsage(action ? BASE_BOX_USAGE[action] : 0) : null;
    // Only the console is told where a Select expression went wrong: the service never says.
    const at = input && e.position !== undefined ? ['X-SimpleDB-Error-Position', String(e.position)] : undefined;
    send(res, e.status, errorDocument(e.code, e.message, requestId, usage), at);
  } finally {
    sync?.close({ requestId, action, account, facts, raw, status, code });
    if (debug) {
      config.logger.debug(
        { requestId, method: req.method, action, status, code, ms: +(performance.now() - started).toFixed(2) },
        'request',
      );
    }
  }
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

/** Headers as a flat list: Node then skips normalising a header object on every response. */
function send(res: Response, status: number, xml: string, extra?: readonly string[]): void {
  if (res.headersSent) return;
  const headers = ['Content-Type', 'text/xml', 'Content-Length', String(Buffer.byteLength(xml)), 'Server', 'Amazon SimpleDB'];
  if (extra) headers.push(...extra);
  res.writeHead(status, headers);
  res.end(xml);
}
