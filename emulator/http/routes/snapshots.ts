import express, { type NextFunction, type Request, type Response } from 'express';
import { SnapshotError, type SnapshotControl } from '../../data/snapshots.js';
import { controlAccount } from '../guard.js';

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
  // The state now, or ?name=NAME: a snapshot file to keep or share (docs/data.md). Served rather
  // than written by the emulator, so the control routes never write to a path a caller chooses.
  r.get('/snapshots/file', (req, res) => {
    // The app parses no query strings (app.ts); this route reads its one parameter itself.
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    if (query.getAll('name').length > 1) throw new SnapshotError('InvalidSnapshotName', 400, 'name must be one string');
    const name = query.get('name') ?? undefined;
    const text = control.snapshotFile(name);
    const file = `${name ?? 'state'}.snapshot.ndjson`;
    res.attachment(file).type('application/x-ndjson').send(text);
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
