import express, { type Request, type Response } from 'express';
import { controlAccount } from '../guard.js';
import { MAX_BODY_BYTES } from '../body.js';
import { Params, type Pair } from '../../core/params.js';
import type { RawRequest } from '../../sync/index.js';

/** A protocol request as the console sends it: its parameters, and the account the guard resolved. */
export interface ConsoleRequest {
  params: Params;
  /** Journalled as a form body, exactly as the same request on the protocol route would be. */
  raw: RawRequest;
  account: string;
}

/** The caller's mistake: the app's error handler answers a `status` of 4xx as a JSON 400. */
class ActionInputError extends Error {
  readonly status = 400;
}

/** `{"Action": "Select", ...}`: a flat JSON object of strings, as the protocol's form pairs. */
function parseActionBody(body: unknown): Pair[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ActionInputError('the body must be a JSON object of protocol parameters, e.g. {"Action":"ListDomains"}');
  }
  return Object.entries(body).map(([name, value]): Pair => {
    if (typeof value !== 'string') throw new ActionInputError(`parameter ${name}: a string`);
    return [name, value];
  });
}

/**
 * `POST /_simpledb/action`: the console's way into the actions. The guard in front
 * of /_simpledb has authenticated the browser, so no signature is asked for; the answer is the
 * protocol route's own status and XML document.
 */
export function actionRoute(run: (req: Request, res: Response, input: ConsoleRequest) => void): express.Router {
  const r = express.Router();
  r.post('/action', express.json({ type: () => true, limit: MAX_BODY_BYTES }), (req, res) => {
    const pairs = parseActionBody(req.body ?? {});
    run(req, res, { params: new Params(pairs), raw: { query: '', body: form(pairs) }, account: controlAccount(res) });
  });
  // Errors, a body the JSON parser refused included, go on to the app's handler: JSON under /_simpledb.
  return r;
}

const form = (pairs: readonly Pair[]): string => new URLSearchParams(pairs.map(([n, v]): [string, string] => [n, v])).toString();

