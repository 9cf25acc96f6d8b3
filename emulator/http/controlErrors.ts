import type { Response } from 'express';
import { ControlError } from '../core/input.js';

/** The JSON error of the control routes. */
export function controlError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * The answer to whatever a control route threw: its own status and code, the caller's mistake
 * (any other 4xx error, such as a body the JSON parser refused) as 400 InvalidRequest, and
 * anything else as 500 InternalError without detail (the caller logs it).
 */
export function answerControlFailure(res: Response, err: unknown): void {
  if (err instanceof ControlError) controlError(res, err.status, err.code, err.message);
  else if (isCallersMistake(err)) controlError(res, 400, 'InvalidRequest', err instanceof Error ? err.message : String(err));
  else controlError(res, 500, 'InternalError', 'internal error');
}

/** An error carrying a 4xx `status` (ours, or one of Express's body parsers'). */
export function isCallersMistake(err: unknown): boolean {
  const status = typeof err === 'object' && err !== null && 'status' in err ? Number(err.status) : 500;
  return status >= 400 && status < 500;
}
