import { analyze, parseAnalyzeOptions, type Analysis, type AnalyzeOptions } from './analyze/index.js';
import {
  CONSISTENCY_MODES,
  type Consistency,
  type ConsistencyMode,
  type ConsistencySettings,
  type ConsistencyState,
} from './consistency.js';
import { parseFaultRule, type FaultRule, type FaultRuleInput, type Faults } from './faults.js';
import { integer, integerText, optionalString, record, settingError } from '../core/input.js';
import { JOURNAL_MAX_BYTES, type Journal, type JournalEntry, type JournalFilter } from './journal.js';

/** The control surface from code: `emu.control`. The HTTP routes (http/routes/sync.ts) call the same methods. */
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

const CONSISTENCY_KEYS = new Set(['mode', 'maxStalenessMs', 'maxStalenessWrites', 'seed']);
const MAX_STALENESS_MS = 24 * 60 * 60 * 1000;

export function parseConsistency(value: unknown): ConsistencySettings {
  const o = record(value, 'consistency settings', CONSISTENCY_KEYS);
  const settings: ConsistencySettings = {};
  const mode = optionalString(o, 'mode');
  if (mode !== undefined) settings.mode = consistencyMode(mode);
  const max = integer(o, 'maxStalenessMs', 0, MAX_STALENESS_MS);
  if (max !== undefined) settings.maxStalenessMs = max;
  if (o.maxStalenessWrites === null) settings.maxStalenessWrites = null;
  else {
    const writes = integer(o, 'maxStalenessWrites', 0, 1_000_000);
    if (writes !== undefined) settings.maxStalenessWrites = writes;
  }
  const seed = integer(o, 'seed', 0, 2 ** 32 - 1);
  if (seed !== undefined) settings.seed = seed;
  return settings;
}

/** --max-staleness and --seed, from the command line or the environment. */
export const parseMaxStaleness = (text: string): number => integerText('max-staleness', text, 0, MAX_STALENESS_MS);
export const parseSeed = (text: string): number => integerText('seed', text, 0, 2 ** 32 - 1);

export function consistencyMode(text: string): ConsistencyMode {
  const mode = CONSISTENCY_MODES.find((m) => m === text);
  if (!mode) throw settingError('mode', `one of ${CONSISTENCY_MODES.join(', ')}`);
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
    analyze: ({ account, ...thresholds } = {}) => {
      const analysis = analyze(journal.query(), { ...parseAnalyzeOptions(thresholds), account });
      const gone = journal.evictedOf(account);
      if (gone > 0) {
        analysis.notes.push(
          `The journal's ring no longer holds the ${gone} oldest request(s): it keeps --journal-size entries and ${JOURNAL_MAX_BYTES / 2 ** 20} MB of parameters, and they were not analysed. A --journal file keeps every request: simpledb-local analyze FILE reads it all.`,
        );
      }
      return analysis;
    },
  };
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
    if (!Array.isArray(o.faults)) throw settingError('faults', 'a list of fault rules');
    out.faults = o.faults.map(parseFaultRule);
  }
  return out;
}
