import express, { type Request, type Response } from 'express';
import { ControlError, ControlInputError, integerText, settingError } from '../../core/input.js';
import { parseAnalyzeOptions } from '../../sync/analyze/index.js';
import { parseConsistency, type Control } from '../../sync/control.js';
import { parseFaultRule } from '../../sync/faults.js';
import type { Journal, JournalFilter } from '../../sync/journal.js';
import { controlAccount } from '../guard.js';

const JOURNAL_QUERY_KEYS = new Set(['action', 'domain', 'item', 'code', 'client', 'account', 'from', 'to', 'since', 'before', 'limit', 'format']);

/** A time from the query: ISO 8601, or ms since the epoch. */
function timeText(key: string, text: string): number {
  const ms = /^\d{1,16}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new ControlInputError(`${key}: a time, ISO 8601 (2026-01-02T03:04:05Z) or ms since the epoch`);
  return ms;
}

function journalQuery(req: Request, capacity: number): { filter: JournalFilter; ndjson: boolean } {
  const query = new URL(req.originalUrl, 'http://localhost').searchParams;
  const filter: JournalFilter = {};
  let ndjson = req.path === '/journal.ndjson';
  for (const [key, value] of query) {
    if (!JOURNAL_QUERY_KEYS.has(key)) {
      throw new ControlInputError(`unknown query parameter ${key} (known: ${[...JOURNAL_QUERY_KEYS].join(', ')})`);
    }
    if (key === 'since' || key === 'before') filter[key] = integerText(key, value, 0, Number.MAX_SAFE_INTEGER);
    else if (key === 'from' || key === 'to') filter[key] = timeText(key, value);
    else if (key === 'limit') filter.limit = integerText(key, value, 1, Math.max(1, capacity));
    else if (key === 'format') {
      if (value !== 'json' && value !== 'ndjson') throw settingError('format', 'json or ndjson');
      ndjson = value === 'ndjson';
    } else if (key === 'action' || key === 'domain' || key === 'item' || key === 'code' || key === 'client' || key === 'account') filter[key] = value;
  }
  return { filter, ndjson };
}

/**
 * JSON routes under /_simpledb/ (mounted there by the app, behind the control guard, which lets
 * only `application/json` bodies through): consistency, faults, journal.
 */
export function syncRoutes(control: Control, journal: Journal): express.Router {
  const r = express.Router();
  const json = express.json({ type: 'application/json', limit: '1mb' });
  const body = (req: Request): unknown => req.body ?? {};

  const setConsistency = (req: Request, res: Response) => {
    res.json(control.consistency(parseConsistency(body(req))));
  };
  r.route('/consistency')
    .get((_req, res) => {
      res.json(control.consistency());
    })
    .put(json, setConsistency)
    .post(json, setConsistency);
  r.post('/consistency/freeze', (_req, res) => {
    res.json(control.freeze());
  });
  r.post('/consistency/thaw', (_req, res) => {
    res.json(control.thaw());
  });

  r.get('/faults', (_req, res) => {
    res.json({ faults: control.faults.list() });
  });
  r.post('/faults', json, (req, res) => {
    const input = body(req);
    // Checked whole before any is added, so a bad rule in a list adds none.
    const rules = (Array.isArray(input) ? input : [input]).map(parseFaultRule);
    res.status(201).json({ faults: rules.map((rule) => control.faults.add(rule)) });
  });
  r.delete('/faults', (_req, res) => {
    control.faults.clear();
    res.json({ faults: [] });
  });
  r.delete('/faults/:id', (req, res) => {
    const id = req.params.id ?? '';
    if (!control.faults.remove(id)) {
      throw new ControlError('NoSuchFaultRule', 404, `no fault rule ${id}`);
    }
    res.json({ faults: control.faults.list() });
  });

  const readJournal = (req: Request, res: Response) => {
    const { filter, ndjson } = journalQuery(req, journal.capacity);
    const account = controlAccount(res);
    if (account !== '') filter.account = account;
    const entries = control.journal(filter);
    if (!ndjson) {
      res.json({ latestSeq: account === '' ? journal.latestSeq : journal.latestSeqOf(account), entries });
      return;
    }
    res.type('application/x-ndjson').send(entries.map((e) => JSON.stringify(e) + '\n').join(''));
  };
  r.get('/journal', readJournal);
  r.get('/journal.ndjson', readJournal);
  r.delete('/journal', (_req, res) => {
    const account = controlAccount(res);
    control.clearJournal(account === '' ? undefined : account);
    res.json({ latestSeq: account === '' ? journal.latestSeq : journal.latestSeqOf(account), entries: [] });
  });

  r.get('/analysis', (req, res) => {
    const query = Object.fromEntries(new URL(req.originalUrl, 'http://localhost').searchParams);
    // With isolated accounts the guard names the caller's account: it sees only its own requests.
    const account = controlAccount(res);
    res.json(control.analyze({ ...parseAnalyzeOptions(query), ...(account === '' ? {} : { account }) }));
  });

  // Errors, a body the JSON parser refused included, go on to the app's handler (answerControlFailure).
  return r;
}
