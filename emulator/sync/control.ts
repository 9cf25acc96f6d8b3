import express, { type Request, type Response } from 'express';
import { analyze, parseAnalyzeOptions, type Analysis, type AnalyzeOptions } from '../analyze/index.js';
import {
  CONSISTENCY_MODES,
  type Consistency,
  type ConsistencyMode,
  type ConsistencySettings,
  type ConsistencyState,
} from './consistency.js';
import { controlAccount } from '../control/guard.js';
import { parseFaultRule, type FaultRule, type FaultRuleInput, type Faults } from './faults.js';
import { ControlInputError, integer, integerText, optionalString, record } from './input.js';
import type { Journal, JournalEntry, JournalFilter } from './journal.js';

/** The control surface from code: `emu.control`. The HTTP routes below call the same methods. */
export interface Control {
  /** Reads the consistency state; with settings, changes it first. */
  consistency(settings?: ConsistencySettings): ConsistencyState;
  /** Eventually consistent reads see the store as it is now, until `thaw`. */
  freeze(): ConsistencyState;
  thaw(): ConsistencyState;
  readonly faults: {
    add(rule: FaultRuleInput): FaultRule;
    list(): FaultRule[];
    remove(id: string): boolean;
    clear(): void;
  };
  journal(filter?: JournalFilter): JournalEntry[];
  /** Every entry, or only one account's. */
  clearJournal(account?: string): void;
  /** The sync-bug detector over the journal's ring (docs/analyze.md). */
  analyze(options?: AnalyzeOptions): Analysis;
}

const CONSISTENCY_KEYS = new Set(['mode', 'maxStalenessMs', 'seed']);
const MAX_STALENESS_MS = 24 * 60 * 60 * 1000;

export function parseConsistency(value: unknown): ConsistencySettings {
  const o = record(value, 'consistency settings', CONSISTENCY_KEYS);
  const settings: ConsistencySettings = {};
  const mode = optionalString(o, 'mode');
  if (mode !== undefined) settings.mode = consistencyMode(mode);
  const max = integer(o, 'maxStalenessMs', 0, MAX_STALENESS_MS);
  if (max !== undefined) settings.maxStalenessMs = max;
  const seed = integer(o, 'seed', 0, 2 ** 32 - 1);
  if (seed !== undefined) settings.seed = seed;
  return settings;
}

/** --max-staleness and --seed, from the command line or the environment. */
export const parseMaxStaleness = (text: string): number => integerText('max-staleness', text, 0, MAX_STALENESS_MS);
export const parseSeed = (text: string): number => integerText('seed', text, 0, 2 ** 32 - 1);

export function consistencyMode(text: string): ConsistencyMode {
  const mode = CONSISTENCY_MODES.find((m) => m === text);
  if (!mode) throw new ControlInputError(`mode: one of ${CONSISTENCY_MODES.join(', ')}`);
  return mode;
}

export function createControl(consistency: Consistency, faults: Faults, journal: Journal): Control {
  return {
    consistency: (settings) => (settings === undefined ? consistency.state() : consistency.set(parseConsistency(settings))),
    freeze: () => consistency.freeze(),
    thaw: () => consistency.thaw(),
    faults: {
      add: (rule) => faults.add(rule),
      list: () => faults.list(),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
    },
    journal: (filter) => journal.query(filter),
    clearJournal: (account) => journal.clear(account),
    analyze: ({ account, ...thresholds } = {}) => analyze(journal.query(), { ...parseAnalyzeOptions(thresholds), account }),
  };
}

const JOURNAL_QUERY_KEYS = new Set(['action', 'domain', 'item', 'code', 'since', 'limit', 'format']);

function journalQuery(req: Request, capacity: number): { filter: JournalFilter; ndjson: boolean } {
  const query = new URL(req.originalUrl, 'http://localhost').searchParams;
  const filter: JournalFilter = {};
  let ndjson = req.path === '/journal.ndjson';
  for (const [key, value] of query) {
    if (!JOURNAL_QUERY_KEYS.has(key)) {
      throw new ControlInputError(`unknown query parameter ${key} (known: ${[...JOURNAL_QUERY_KEYS].join(', ')})`);
    }
    if (key === 'since') filter.since = integerText(key, value, 0, Number.MAX_SAFE_INTEGER);
    else if (key === 'limit') filter.limit = integerText(key, value, 1, Math.max(1, capacity));
    else if (key === 'format') {
      if (value !== 'json' && value !== 'ndjson') throw new ControlInputError('format: json or ndjson');
      ndjson = value === 'ndjson';
    } else if (key === 'action' || key === 'domain' || key === 'item' || key === 'code') filter[key] = value;
  }
  return { filter, ndjson };
}

/**
 * JSON routes under /_simpledb/ (mounted there by the app, behind the control guard, which lets
 * only `application/json` bodies through): consistency, faults, journal.
 */
export function controlRoutes(control: Control, journal: Journal): express.Router {
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
      res.status(404).json({ error: { message: `no fault rule ${id}` } });
      return;
    }
    res.json({ faults: control.faults.list() });
  });

  const readJournal = (req: Request, res: Response) => {
    const { filter, ndjson } = journalQuery(req, journal.capacity);
    const account = controlAccount(res);
    if (account !== '') filter.account = account;
    const entries = control.journal(filter);
    if (!ndjson) {
      res.json({ latestSeq: journal.latestSeq, entries });
      return;
    }
    res.type('application/x-ndjson').send(entries.map((e) => JSON.stringify(e) + '\n').join(''));
  };
  r.get('/journal', readJournal);
  r.get('/journal.ndjson', readJournal);
  r.delete('/journal', (_req, res) => {
    const account = controlAccount(res);
    control.clearJournal(account === '' ? undefined : account);
    res.json({ latestSeq: journal.latestSeq, entries: [] });
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

/** The start-up state of --control-file: `{ "consistency": {...}, "faults": [...] }`. */
export interface ControlFile {
  consistency?: ConsistencySettings;
  faults?: FaultRuleInput[];
}

export function parseControlFile(value: unknown): ControlFile {
  const o = record(value, 'the control file', new Set(['consistency', 'faults']));
  const out: ControlFile = {};
  if (o.consistency !== undefined) out.consistency = parseConsistency(o.consistency);
  if (o.faults !== undefined) {
    if (!Array.isArray(o.faults)) throw new ControlInputError('faults: a list of fault rules');
    out.faults = o.faults.map(parseFaultRule);
  }
  return out;
}
