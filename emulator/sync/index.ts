import { readFileSync } from 'node:fs';
import type { Store } from '../store/store.js';
import { Consistency, type ConsistencyMode } from './consistency.js';
import { createControl, parseConsistency, parseControlFile, type Control, type ControlFile } from './control.js';
import { Faults } from './faults.js';
import { ControlInputError } from '../core/input.js';
import { Journal } from './journal.js';
import { JournalFile } from './journalFile.js';
import { randomSeed } from './random.js';
import { ClientKeys, RequestRecord, type ProtocolHooks } from './request.js';

export const DEFAULT_JOURNAL_SIZE = 1000;

export interface SyncOptions {
  store: Store;
  now: () => number;
  consistency?: ConsistencyMode;
  maxStalenessMs?: number;
  maxStalenessWrites?: number;
  /** Default: a random seed, reported by the consistency state so the run can be replayed. */
  seed?: number;
  /** Appends one JSON line per request. */
  journalFile?: string;
  /** The file rotates past this many bytes (0: never). Default JOURNAL_FILE_MAX_BYTES. */
  journalMaxBytes?: number;
  /** Rotated files kept. Default JOURNAL_FILES_KEPT. */
  journalFiles?: number;
  /** Entries kept in memory (0: none). */
  journalSize?: number;
  /** JSON start-up state, applied after the options above. */
  controlFile?: string;
  maxUriBytes: number;
}

/** The sync-bug toolkit of one emulator: its control API and its protocol hooks (its routes are http/routes/sync.ts). */
export interface Sync {
  readonly control: Control;
  readonly hooks: ProtocolHooks;
  readonly journal: Journal;
  close(): void;
}

export function createSync(o: SyncOptions): Sync {
  const consistency = new Consistency(o.store, o.now, o.seed ?? randomSeed());
  const faults = new Faults(() => consistency.state().seed);
  const startup = o.controlFile === undefined ? undefined : readControlFile(o.controlFile);
  consistency.set(
    parseConsistency({ mode: o.consistency, maxStalenessMs: o.maxStalenessMs, maxStalenessWrites: o.maxStalenessWrites, ...startup?.consistency }),
  );
  for (const rule of startup?.faults ?? []) faults.add(rule);
  // Opened last: a bad control file must not leave a file descriptor behind.
  const file = o.journalFile === undefined ? undefined : new JournalFile(o.journalFile, o.journalMaxBytes, o.journalFiles);
  let journal: Journal;
  try {
    journal = new Journal(o.journalSize ?? DEFAULT_JOURNAL_SIZE, file);
  } catch (err) {
    file?.close();
    throw err;
  }
  const control = createControl(consistency, faults, journal);
  const services = { store: o.store, clients: new ClientKeys(), consistency, faults, journal, now: o.now, maxUriBytes: o.maxUriBytes };
  return {
    control,
    hooks: { open: (source, options) => new RequestRecord(services, source, options) },
    journal,
    close: () => journal.close(),
  };
}

function readControlFile(path: string): ControlFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ControlInputError(`cannot read the control file ${path}: ${(err as Error).message}`);
  }
  try {
    return parseControlFile(JSON.parse(text));
  } catch (err) {
    throw new ControlInputError(`control file ${path}: ${(err as Error).message}`);
  }
}

export { consistencyMode, parseMaxStaleness, parseSeed, type Control } from './control.js';
export type { ConsistencyMode, ConsistencySettings, ConsistencyState } from './consistency.js';
export type { FaultRule, FaultRuleInput } from './faults.js';
export type { JournalEntry, JournalFilter, RawRequest, ReadRecord } from './journal.js';
export { JOURNAL_FILE_MAX_BYTES, JOURNAL_FILES_KEPT, parseJournalFiles, parseJournalMaxBytes } from './journalFile.js';
export { MAX_JOURNAL_SIZE, parseJournalSize } from './journal.js';
export type { ProtocolHooks, RequestHooks, RequestSource } from './request.js';
