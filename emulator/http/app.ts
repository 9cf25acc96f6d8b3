import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatBoxUsage } from '../core/boxUsage.js';
import { errors, type SdbError } from '../core/errors.js';
import { newRequestId } from '../core/requestId.js';
import { answerControlFailure, controlError, isCallersMistake } from './controlErrors.js';
import { framingError } from './framing.js';
import { CONTROL_PREFIXES, controlGuard, isControlTarget, type GuardConfig } from './guard.js';
import { runProtocol, send, type PipelineConfig } from './pipeline.js';
import type { WriteGate } from './gate.js';
import { errorDocument } from './render.js';
import { actionRoute } from './routes/action.js';
import { adminRoutes } from './routes/admin.js';

export interface AppConfig extends Omit<PipelineConfig, 'origins' | 'hosts'> {
  /** The control surface's JSON routes (sync, snapshots), mounted under /_simpledb/. */
  controlRoutes?: express.Router;
  /** Who may use the control routes, and which browser origins may call the emulator at all. */
  guard: GuardConfig;
  /** The web console's pages, mounted at /_simpledb/console/ (with its data route /_simpledb/action). */
  consoleRoutes?: express.Router;
}

/** The server's request listener: every answer is SimpleDB XML, or JSON under the control prefixes. */
export function createApp(config: AppConfig): (req: IncomingMessage, res: ServerResponse) => void {
  const pipeline: PipelineConfig = { ...config, origins: config.guard.origins, hosts: config.guard.hosts };
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  // Protocol targets are answered before Express (the function returned below): this first layer
  // sees control targets only.
  app.use((req, res, next) => {
    if (answeredAtTheDoor(req, res, true)) return;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  // Every route below under these prefixes, whoever mounts it, is behind the guard (docs/security.md).
  app.use([...CONTROL_PREFIXES], controlGuard(config.guard));
  app.use([...CONTROL_PREFIXES], controlGate(config.gate));
  app.use(adminRoutes(config.store));
  if (config.controlRoutes) app.use('/_simpledb', config.controlRoutes);
  if (config.consoleRoutes) {
    app.use('/_simpledb/console', config.consoleRoutes);
    app.use('/_simpledb', actionRoute((req, res, input) => void runProtocol(pipeline, req, res, input)));
  }
  // Control routes mount above this line: below it the control prefixes end in a JSON 404.
  app.use([...CONTROL_PREFIXES], (req, res) => {
    controlError(res, 404, 'NotFound', `no control route ${req.method} ${req.originalUrl}`);
  });

  // Four parameters: Express recognises an error handler by its arity.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    answerError(config, err, req, res);
  });
  return (req, res) => {
    // The protocol's requests, the hot path, never enter Express: its handler gives every request
    // and response a new prototype, after which V8's young-generation scavenges found nearly every
    // request's objects alive and promoted them (3 MB a scavenge under a stream of small
    // GetAttributes, pauses of 5–25 ms: docs/performance.md, "One large request beside small
    // ones"). Targets Express's router could not parse (`//?@a#`) are the protocol's too.
    if (!isControlTarget(req.url ?? '')) {
      protocol(req, res);
      return;
    }
    // The router gives up before any route on a target whose path it cannot parse, and would
    // answer Express's HTML 404: the protocol answers it. Express has made them its Request and
    // Response by the time it calls back.
    const request = req as Request;
    const response = res as Response;
    app(request, response, (err?: unknown) => {
      if (err === undefined || err === null) void runProtocol(pipeline, request, response);
      else answerError(config, err, request, response);
    });
  };

  /**
   * What both spaces check first: a request framed wrongly is refused in its space's shape, and a
   * CORS preflight is answered. True when the request has had its answer.
   */
  function answeredAtTheDoor(req: IncomingMessage, res: ServerResponse, control: boolean): boolean {
    const framing = framingError(req);
    if (framing) {
      refuseFraming(framing, control, res);
      return true;
    }
    return config.guard.hosts.allows(req.headers.host) && config.guard.origins.answerCors(req, res);
  }

  /** The door's checks for a protocol target, then the pipeline (which answers its own errors). */
  function protocol(req: IncomingMessage, res: ServerResponse): void {
    try {
      if (answeredAtTheDoor(req, res, false)) return;
    } catch (err) {
      // What Express's error handler did for this layer: a thrown check is the emulator's fault.
      config.logger.error({ err, url: req.url }, 'route failed');
      const e = errors.internalError();
      if (res.headersSent) res.destroy();
      else send(res, e.status, errorDocument(e.code, e.message, newRequestId(), formatBoxUsage(0)));
      return;
    }
    void runProtocol(pipeline, req, res);
  }
}

/**
 * Control requests wait while a large write applies in slices (gate.ts), and none starts while
 * one of them runs; the console's action route is a protocol request, which the pipeline gates.
 */
function controlGate(gate: WriteGate): express.RequestHandler {
  return (req, res, next) => {
    if (req.baseUrl.toLowerCase() === '/_simpledb' && /^\/action\/?$/i.test(req.path)) {
      next();
      return;
    }
    const { ready, done } = gate.control();
    // 'close' comes however the request ends: answered, failed, or the client gone.
    res.once('close', done);
    if (ready) ready.then(() => next(), next);
    else next();
  };
}

/** A request whose length or size is wrong is answered in its route's shape, and its connection closed. */
function refuseFraming(e: SdbError, control: boolean, res: ServerResponse): void {
  if (control) {
    // Only a control target's response has been through Express.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Connection', 'close');
    controlError(res as Response, e.status, e.code, e.message);
  } else {
    send(res, e.status, errorDocument(e.code, e.message, newRequestId(), formatBoxUsage(0)), ['Connection', 'close']);
  }
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
