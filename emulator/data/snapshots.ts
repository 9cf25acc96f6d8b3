import express, { type NextFunction, type Request, type Response } from 'express';
import { ControlRouteError } from '../control/errors.js';
import { controlAccount } from '../control/guard.js';
import { SnapshotTables } from '../store/snapshots.js';
import type { Store } from '../store/store.js';

export interface SnapshotInfo {
  name: string;
  /** ISO-8601 time of capture. */
  createdAt: string;
  domains: number;
  items: number;
  pairs: number;
  /** Milliseconds the last capture or restore of it took. */
  tookMs: number;
}

/** `emu.control`'s snapshot methods (docs/data.md). */
export interface SnapshotControl {
  /** Captures the whole store; a name already taken is captured anew. Default name: the first free snapshot-N. */
  snapshot(name?: string): SnapshotInfo;
  /** Makes the store exactly as it was at `snapshot(name)`. */
  restore(name: string): SnapshotInfo;
  snapshots(): SnapshotInfo[];
  /** False when there was no such snapshot. */
  dropSnapshot(name: string): boolean;
}

/** A caller's mistake with its HTTP status on the control routes. */
export class SnapshotError extends ControlRouteError {
  override readonly name = 'SnapshotError';
}

/** Names travel in URL paths, so they keep to characters that need no escaping there. */
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function createSnapshots(store: Store, now: () => number = Date.now): SnapshotControl {
  const tables = new SnapshotTables(store);
  const taken = new Map<string, { snap: number; info: SnapshotInfo }>();
  let lastSnap = 0;
  const find = (name: string) => {
    const found = taken.get(name);
    if (!found) throw new SnapshotError('NoSuchSnapshot', 404, `no snapshot named ${name}`);
    return found;
  };
  return {
    snapshot(name) {
      let chosen = name;
      for (let k = 1; chosen === undefined; k++) if (!taken.has(`snapshot-${k}`)) chosen = `snapshot-${k}`;
      if (typeof chosen !== 'string' || !NAME.test(chosen)) {
        throw new SnapshotError('InvalidSnapshotName', 400, 'a snapshot name is 1 to 128 characters of A-Z a-z 0-9 _ . -');
      }
      const snap = ++lastSnap;
      const t = performance.now();
      const counts = tables.capture(snap);
      const tookMs = performance.now() - t;
      const old = taken.get(chosen);
      if (old) tables.drop(old.snap);
      const info = { name: chosen, createdAt: new Date(now()).toISOString(), ...counts, tookMs };
      taken.set(chosen, { snap, info });
      return { ...info };
    },
    restore(name) {
      const found = find(name);
      const t = performance.now();
      tables.restore(found.snap);
      return { ...found.info, tookMs: performance.now() - t };
    },
    snapshots: () => [...taken.values()].map((s) => ({ ...s.info })),
    dropSnapshot(name) {
      const found = taken.get(name);
      if (!found) return false;
      tables.drop(found.snap);
      taken.delete(name);
      return true;
    },
  };
}

/**
 * GET/POST /snapshots, POST /snapshots/:name/restore, DELETE /snapshots/:name under /_simpledb.
 * Behind the control guard (docs/security.md). A snapshot holds every account's domains, so with
 * account isolation on, when the guard names the caller's account, one account may not take or
 * restore them.
 */
export function snapshotRoutes(control: SnapshotControl): express.Router {
  const r = express.Router();
  const json = express.json({ type: () => true, limit: '64kb' });
  const shared = (_req: Request, res: Response, next: NextFunction) => {
    if (controlAccount(res) !== '') {
      throw new SnapshotError('AccessDenied', 403, 'snapshots hold every account: not available with isolated accounts');
    }
    next();
  };
  r.use('/snapshots', shared);
  r.get('/snapshots', (_req, res) => {
    res.json({ snapshots: control.snapshots() });
  });
  r.post('/snapshots', json, (req, res) => {
    const body: unknown = req.body ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new SnapshotError('InvalidRequest', 400, 'the body is a JSON object: {"name"?: "..."}');
    }
    const { name, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new SnapshotError('InvalidRequest', 400, `unknown field ${unknown[0]} (known: name)`);
    if (name !== undefined && typeof name !== 'string') throw new SnapshotError('InvalidSnapshotName', 400, 'name must be a string');
    res.status(201).json(control.snapshot(name));
  });
  r.post('/snapshots/:name/restore', (req, res) => {
    res.json(control.restore(req.params.name ?? ''));
  });
  r.delete('/snapshots/:name', (req, res) => {
    const name = req.params.name ?? '';
    if (!control.dropSnapshot(name)) throw new SnapshotError('NoSuchSnapshot', 404, `no snapshot named ${name}`);
    res.json({ snapshots: control.snapshots() });
  });
  // Errors, a body the JSON parser refused included, go on to the app's handler (answerControlFailure).
  return r;
}
