/**
 * Explore: run a test command many times, each against a fresh emulator under another
 * consistency and fault schedule, judge each run by the command's exit status and the sync-bug
 * detector's findings on that run's journal, and hand back the failing schedules, smallest first,
 * as files that replay them (docs/explore.md).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { FaultRuleInput } from '../core/wire.js';
import type { Emulator, EmulatorOptions } from '../index.js';
import { analyzeJournalFile } from '../sync/analyze/index.js';
import type { Analysis, Finding } from '../sync/analyze/types.js';
import { deriveSeed, randomSeed, seededRandom } from '../sync/random.js';

export const FAULT_KINDS = ['lost', 'reset', 'throttle', 'latency'] as const;
/**
 * lost: a write is applied, then answered 503 (a client that retries may apply it twice);
 * reset: any request is applied, then its connection reset; throttle: 503 before the action
 * runs (nothing applied); latency: a delay before the action.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultMix {
  kind: FaultKind;
  /** The chance each request (each write, for `lost`) gets it: 0..1. */
  rate: number;
}

/**
 * How stale an eventually consistent read may be: in writes behind the latest (the default: a
 * replay then does not depend on how fast the test ran) or in milliseconds.
 */
export type StalenessUnit = 'writes' | 'ms';

/** What explore chooses schedules from. */
export interface ScheduleSpace {
  consistency: 'eventual' | 'consistent';
  /** eventual: each run's maximum staleness is drawn from min..max of this unit. */
  staleness: { readonly unit: StalenessUnit; readonly min: number; readonly max: number };
  faults: readonly FaultMix[];
}

/** One run's conditions: everything the emulator decides follows from them (docs/explore.md, "Replay"). */
export interface Schedule {
  seed: number;
  consistency: 'eventual' | 'consistent';
  /** eventual: the most a read may be behind. */
  staleness: { unit: StalenessUnit; max: number };
  faults: readonly ScheduledFault[];
}

export interface ScheduledFault extends FaultMix {
  /** latency: the delay, in ms. */
  delayMs?: number;
}

export interface ExploreOptions {
  /** The command and its arguments, run without a shell. */
  command: readonly string[];
  /** Runs to make (default 20); with `replay`, how many times to replay it. */
  runs?: number;
  /** Stop starting runs after this long, in ms. */
  budgetMs?: number;
  space?: Partial<ScheduleSpace>;
  /** The first run's seed (later runs derive theirs from it); default random. */
  seed?: number;
  stopAtFirst?: boolean;
  /** Where failing runs' replay files and journals go; default ./simpledb-explore. */
  dir?: string;
  /** Also keep each failing run's database file in `dir`. */
  keep?: boolean;
  /** A run's command is killed (its whole process group) after this long; default 120,000 ms. */
  timeoutMs?: number;
  /** Runs spent shrinking each failure group's schedule (default 12; 0: no shrinking). */
  shrinkRuns?: number;
  /** Run exactly this schedule, `runs` times, to see how often it fails. */
  replay?: Schedule;
  /** Possible findings (not only definite ones) fail a run. */
  strict?: boolean;
  cwd?: string;
  /** Added to the command's environment (which is this process's, plus the endpoint). */
  env?: Readonly<Record<string, string>>;
  /** Called as each run ends, shrinking runs included. */
  onRun?: (run: RunResult, phase: 'explore' | 'shrink' | 'replay') => void;
}

export interface RunResult {
  /** 1, 2, ... in the order runs were made. */
  index: number;
  schedule: Schedule;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The detector's anomalies that fail the run (definite ones, or all with `strict`). */
  findings: Finding[];
  failed: boolean;
  /** Why it failed, one line each: `exit 1`, `lost-update on counters/c1 (x)`. */
  symptoms: string[];
  requests: number;
  durationMs: number;
  /** The last 4 kB of what the command printed (stdout and stderr interleaved). */
  output: string;
  /**
   * For failing runs: the replay file, the journal, that output, the journals of the emulators the
   * command's own set-ups started (an emulator per worker or per file) and (with `keep`) the database.
   */
  files?: { replay: string; journal: string; output: string; emulatorJournals: string[]; db?: string };
}

export interface FailureGroup {
  /** The symptom the runs share: the test's failure, or a finding's kind and item. */
  symptom: string;
  runs: number[];
  /** The smallest schedule that still showed the symptom, after shrinking. */
  smallest: Schedule;
  /** Its replay file. */
  replay: string;
}

export interface ExploreResult {
  runs: RunResult[];
  failed: number;
  groups: FailureGroup[];
  /** Every run made, shrinking and replays included. */
  totalRuns: number;
}

/** The format of a replay file (RUN.json). */
export interface ReplayFile {
  format: 1;
  schedule: Schedule;
  command: readonly string[];
  symptoms: string[];
}

const DEFAULT_SPACE: ScheduleSpace = { consistency: 'eventual', staleness: { unit: 'writes', min: 1, max: 10 }, faults: [] };
const WRITES = ['PutAttributes', 'DeleteAttributes', 'BatchPutAttributes', 'BatchDeleteAttributes'] as const;
const OUTPUT_TAIL = 4096;

/** The schedule of run `i` (0-based): a pure function of the space, the first seed and `i`. */
export function scheduleOf(space: ScheduleSpace, firstSeed: number, i: number): Schedule {
  const seed = i === 0 ? firstSeed : deriveSeed(firstSeed, i);
  const random = seededRandom(seed);
  const { unit, min, max } = space.staleness;
  const drawn = min + Math.floor(random() * (max - min + 1));
  const faults = space.faults.map((f): ScheduledFault => (f.kind === 'latency' ? { ...f, delayMs: 1 + Math.floor(random() * 200) } : { ...f }));
  return { seed, consistency: space.consistency, staleness: { unit, max: space.consistency === 'eventual' ? drawn : 0 }, faults };
}

/** The fault rules a schedule installs: each with its rate as probability, seeded from the run's seed. */
export function faultRules(schedule: Schedule): FaultRuleInput[] {
  return schedule.faults.flatMap((f, k): FaultRuleInput[] => {
    const base = { probability: f.rate, seed: deriveSeed(schedule.seed, 1000 + k) };
    switch (f.kind) {
      case 'lost':
        return WRITES.map((action) => ({ ...base, action, loseResponse: '503' }));
      case 'reset':
        return [{ ...base, loseResponse: 'reset' }];
      case 'throttle':
        return [{ ...base, error: 'ServiceUnavailable' }];
      case 'latency':
        return [{ ...base, delayMs: f.delayMs ?? 50 }];
    }
  });
}

/** A short description: `eventual ≤412 ms, lost 10%, throttle 5%`. */
export function describeSchedule(s: Schedule): string {
  const parts = [s.consistency === 'eventual' ? `eventual, ≤${s.staleness.max} ${s.staleness.unit === 'ms' ? 'ms' : 'writes'} behind` : 'consistent'];
  for (const f of s.faults) parts.push(`${f.kind} ${+(f.rate * 100).toFixed(2)}%${f.delayMs === undefined ? '' : ` (${f.delayMs} ms)`}`);
  return `${parts.join(', ')}; seed ${s.seed}`;
}

/** How big a schedule is, for choosing the smallest: faults weigh most, then their rates, then staleness. */
export function scheduleSize(s: Schedule): number {
  return s.faults.length * 1e6 + s.faults.reduce((n, f) => n + f.rate * 1e5, 0) + (s.consistency === 'eventual' ? 1 + s.staleness.max : 0);
}

/** Smaller schedules to try after a failure, most promising first; the seed stays, so the draws stay alike. */
export function shrinkCandidates(s: Schedule): Schedule[] {
  const out: Schedule[] = [];
  for (let k = 0; k < s.faults.length; k++) out.push({ ...s, faults: s.faults.filter((_, j) => j !== k) });
  if (s.consistency === 'eventual') {
    const { unit, max } = s.staleness;
    if (max > 1) out.push({ ...s, staleness: { unit, max: Math.floor(max / 2) } });
    if (max > 1) out.push({ ...s, staleness: { unit, max: max - 1 } });
    out.push({ ...s, consistency: 'consistent', staleness: { unit, max: 0 } });
  }
  for (let k = 0; k < s.faults.length; k++) {
    const f = s.faults[k] as ScheduledFault;
    if (f.rate > 0.01) out.push({ ...s, faults: s.faults.map((g, j) => (j === k ? { ...g, rate: +(g.rate / 2).toFixed(4) } : g)) });
  }
  return out;
}

function definiteAnomalies(analysis: Analysis, strict: boolean): Finding[] {
  return analysis.findings.filter((f) => f.severity === 'anomaly' && (strict || f.confidence === 'definite'));
}

function symptomsOf(run: Pick<RunResult, 'exitCode' | 'signal' | 'timedOut' | 'findings'>): string[] {
  const out: string[] = [];
  if (run.timedOut) out.push('timed out');
  else if (run.signal) out.push(`killed by ${run.signal}`);
  else if (run.exitCode !== 0) out.push(`exit ${run.exitCode}`);
  const counts = new Map<string, number>();
  for (const f of run.findings) {
    const key = `${f.kind} on ${f.domain}/${f.item}${f.attributes.length ? ` (${f.attributes.join(', ')})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, n] of counts) out.push(n > 1 ? `${key} ×${n}` : key);
  return out;
}

/** The group key of a symptom: counts dropped, so `×3` and `×5` of one finding group together. */
const groupKey = (symptom: string): string => symptom.replace(/ ×\d+$/, '').replace(/^exit \d+$/, 'test failed');

interface Runner {
  next: number;
  total: number;
}

/** One run: a fresh emulator with the schedule, the command against it, the analysis of its journal. */
async function runOnce(o: ExploreOptions, schedule: Schedule, runner: Runner): Promise<RawRun> {
  const index = ++runner.next;
  runner.total++;
  const dir = resolve(o.cwd ?? '.', o.dir ?? 'simpledb-explore');
  const dbFile = o.keep ? join(dir, `${o.replay ? 'replay' : 'run'}-${index}.db`) : undefined;
  if (dbFile) mkdirSync(dir, { recursive: true });
  // The run's journal goes to a file, read back as a stream: an in-memory ring would keep only its
  // newest entries (16 MB of parameters), and a suite that writes more would pass unanalysed.
  const work = mkdtempSync(join(tmpdir(), 'simpledb-explore-'));
  const journal = join(work, 'run.ndjson');
  // Where emulators the command starts itself (the kit's per-worker and per-file set-ups) journal.
  const journals = join(work, 'own');
  mkdirSync(journals);
  const started = performance.now();
  let failed = false;
  let emu: Emulator | undefined;
  try {
    emu = await scheduledEmulator(schedule, schedule.seed, {
      db: dbFile ?? ':memory:',
      journal,
      // The ring stays for the command's own tests (the journal route, `testControl()`); the analysis reads the file.
      journalSize: 100_000,
      console: false,
    });
    const outcome = await runCommand(o, emu, { schedule, journals });
    await emu.close();
    emu = undefined;
    const strict = o.strict ?? false;
    const run = await analyseJournal(journal, strict);
    const own = await analyseJournals(journals, strict);
    const findings = [...run.findings, ...own.findings];
    const symptoms = [...symptomsOf({ ...outcome, findings }), ...run.errors, ...own.errors];
    failed = symptoms.length > 0;
    return {
      index,
      schedule,
      ...outcome,
      findings,
      failed,
      symptoms,
      requests: run.requests + own.requests,
      durationMs: Math.round(performance.now() - started),
      journal,
      emulatorJournals: own.files,
      work,
    };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  } finally {
    await emu?.close();
    // Only a failing run's database is worth keeping.
    if (dbFile && !failed) for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  }
}

/**
 * An emulator on a free port under `schedule` (its consistency, staleness and faults, drawn from
 * `seed`), journalling to `options.journal` without rotation: a run's analysis reads the whole file.
 */
async function scheduledEmulator(schedule: Schedule, seed: number, options: EmulatorOptions): Promise<Emulator> {
  // Loaded when a run starts one: the CLI registers explore's flags on every start, and its other
  // commands need no server.
  const { startEmulator } = await import('../index.js');
  const emu = await startEmulator({
    port: 0,
    ...options,
    consistency: schedule.consistency === 'eventual' ? 'eventual' : 'consistent',
    ...(schedule.staleness.unit === 'ms' ? { maxStalenessMs: schedule.staleness.max } : { maxStalenessWrites: schedule.staleness.max }),
    seed,
    journalMaxBytes: 0,
  });
  for (const rule of faultRules(schedule)) emu.control.faults.add(rule);
  return emu;
}

/** One journal file's definite anomalies (all, with `strict`), or why it could not be read. */
async function analyseJournal(file: string, strict: boolean): Promise<{ findings: Finding[]; requests: number; errors: string[] }> {
  try {
    const { analysis, entries } = await analyzeJournalFile(file);
    return { findings: definiteAnomalies(analysis, strict), requests: entries, errors: [] };
  } catch (err) {
    return { findings: [], requests: 0, errors: [`journal unreadable: ${(err as Error).message}`] };
  }
}

/**
 * The journals of the emulators the command started itself, each analysed on its own: they are
 * separate stores, so a read in one was never the basis of a write in another.
 */
async function analyseJournals(dir: string, strict: boolean): Promise<{ findings: Finding[]; requests: number; files: string[]; errors: string[] }> {
  const out = { findings: [] as Finding[], requests: 0, files: [] as string[], errors: [] as string[] };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ndjson')).sort()) {
    const file = join(dir, name);
    const one = await analyseJournal(file, strict);
    out.requests += one.requests;
    out.findings.push(...one.findings);
    out.errors.push(...one.errors.map((e) => `an emulator the command started: ${e}`));
    if (one.errors.length === 0) out.files.push(file);
  }
  return out;
}

/** What `runCommand` tells the command about the run beyond its endpoint. */
interface RunEnv {
  schedule: Schedule;
  journals: string;
}

/** The variable that tells the kit's set-ups under explore the run's schedule and where to journal. */
export const EXPLORE_RUN_ENV = 'SIMPLEDB_LOCAL_EXPLORE_RUN';

let ownEmulators = 0;

/**
 * Under an explore run, an emulator of the caller's own (the kit's per-worker and per-file
 * set-ups: suites whose files reset in parallel need one each) with the run's consistency,
 * staleness and faults, journalling where the run reads it, so its requests are counted and
 * analysed with the run's. Undefined outside explore. Seeds are the run's, derived per emulator:
 * how workers interleave is not replayed anyway.
 */
export async function startExploredEmulator(options: EmulatorOptions = {}): Promise<Emulator | undefined> {
  const text = process.env[EXPLORE_RUN_ENV];
  if (process.env[EXPLORE_ENV] !== '1' || text === undefined || text === '') return undefined;
  let run: RunEnv;
  try {
    run = JSON.parse(text) as RunEnv;
  } catch {
    throw new Error(`${EXPLORE_RUN_ENV} is not the JSON simpledb-local explore sets`);
  }
  const n = ++ownEmulators;
  return scheduledEmulator(run.schedule, deriveSeed(run.schedule.seed, 5000 + n), {
    ...options,
    db: ':memory:',
    journal: join(run.journals, `${process.pid}-${n}.ndjson`),
  });
}

/** The last `OUTPUT_TAIL` characters, not beginning with the second half of a surrogate pair. */
function tail(text: string): string {
  if (text.length <= OUTPUT_TAIL) return text;
  const cut = text.length - OUTPUT_TAIL;
  const code = text.charCodeAt(cut);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? cut + 1 : cut);
}

/** Runs the command in a process group of its own, so a timeout ends everything it started. */
function runCommand(o: ExploreOptions, emu: Emulator, run: RunEnv): Promise<Pick<RunResult, 'exitCode' | 'signal' | 'timedOut' | 'output'>> {
  const [file, ...args] = o.command;
  if (file === undefined) return Promise.reject(new Error('no command to run: give it after --'));
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      cwd: o.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...o.env, ...endpointEnv(emu.url), [EXPLORE_RUN_ENV]: JSON.stringify(run) },
    });
    let output = '';
    // One decoder per stream: a character split between two chunks stays whole.
    const keeper = () => {
      const decoder = new StringDecoder('utf8');
      return (chunk: Buffer) => {
        output = tail(output + decoder.write(chunk));
      };
    };
    child.stdout.on('data', keeper());
    child.stderr.on('data', keeper());
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, o.timeoutMs ?? 120_000);
    // Ctrl-C on explore ends the run's command too.
    process.once('exit', killGroup);
    child.once('error', (err) => {
      clearTimeout(timer);
      process.off('exit', killGroup);
      fail(new Error(`cannot run ${file}: ${err.message}`));
    });
    // The run ends when the command exits, not when its output closes: a process it left behind
    // (a server started with `&`) holds the pipes open, and the run was reported as timed out.
    child.once('exit', (exitCode, signal) => {
      clearTimeout(timer);
      process.off('exit', killGroup);
      // Whatever the command left running in its group goes with it.
      killGroup();
      const finish = () => {
        clearTimeout(grace);
        done({ exitCode, signal, timedOut, output });
      };
      // What is still in the pipes is read first; a process that left the group (setsid) may
      // hold them open for good, so the wait is bounded.
      const grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, OUTPUT_GRACE_MS);
      child.once('close', finish);
    });
  });
}

/** After the command exits, how long its output may take to drain (see `runCommand`). */
const OUTPUT_GRACE_MS = 2000;

/**
 * What a run's command is told: the endpoint, under every name the kit and the documented recipes
 * read, and that an explore run is on (the kit's set-ups then use this emulator instead of
 * starting their own).
 */
export function endpointEnv(url: string): Record<string, string> {
  return { [ENDPOINT_ENV]: url, [EXPLORE_ENV]: '1' };
}

/** Where a started emulator's URL is published for the test workers (they inherit the environment). */
export const ENDPOINT_ENV = 'SIMPLEDB_ENDPOINT';

/** Set by `simpledb-local explore` for the command it runs, beside SIMPLEDB_ENDPOINT. */
export const EXPLORE_ENV = 'SIMPLEDB_LOCAL_EXPLORE';

/** What `runOnce` hands on beyond the result: the journal files, and the directory that holds them. */
type RawRun = RunResult & { journal: string; emulatorJournals: string[]; work: string };

function writeFailure(o: ExploreOptions, run: RawRun): RunResult {
  const dir = resolve(o.cwd ?? '.', o.dir ?? 'simpledb-explore');
  mkdirSync(dir, { recursive: true });
  // A replay's own files never overwrite the runs of the explore it replays.
  const name = `${o.replay ? 'replay' : 'run'}-${run.index}`;
  const replay = join(dir, `${name}.json`);
  const journal = join(dir, `${name}.journal.ndjson`);
  const output = join(dir, `${name}.output.txt`);
  const file: ReplayFile = { format: 1, schedule: run.schedule, command: o.command, symptoms: run.symptoms };
  writeFileSync(replay, JSON.stringify(file, null, 2) + '\n');
  copyFileSync(run.journal, journal);
  writeFileSync(output, run.output);
  const emulatorJournals = run.emulatorJournals.map((from, k) => {
    const to = join(dir, `${name}.emulator-${k + 1}.journal.ndjson`);
    copyFileSync(from, to);
    return to;
  });
  return { ...strip(run), files: { replay, journal, output, emulatorJournals, ...(o.keep ? { db: join(dir, `${name}.db`) } : {}) } };
}

function strip(run: RawRun): RunResult {
  const { journal: _, emulatorJournals: __, work, ...rest } = run;
  rmSync(work, { recursive: true, force: true });
  return rest;
}

/** Explores, or with `replay` replays one schedule; see ExploreOptions. */
export async function explore(o: ExploreOptions): Promise<ExploreResult> {
  const space: ScheduleSpace = { ...DEFAULT_SPACE, ...o.space };
  const firstSeed = o.seed ?? randomSeed();
  const runsWanted = o.runs ?? 20;
  const deadline = o.budgetMs === undefined ? Infinity : performance.now() + o.budgetMs;
  const runner: Runner = { next: 0, total: 0 };
  const runs: RunResult[] = [];
  const phase = o.replay ? 'replay' : 'explore';
  for (let i = 0; i < runsWanted && performance.now() < deadline; i++) {
    const schedule = o.replay ?? scheduleOf(space, firstSeed, i);
    const raw = await runOnce(o, schedule, runner);
    const run = raw.failed ? writeFailure(o, raw) : strip(raw);
    runs.push(run);
    o.onRun?.(run, phase);
    if (run.failed && o.stopAtFirst) break;
  }
  const groups = o.replay ? groupFailures(runs) : await shrinkGroups(o, groupFailures(runs), runner);
  return { runs, failed: runs.filter((r) => r.failed).length, groups, totalRuns: runner.total };
}

interface Group {
  symptom: string;
  runs: RunResult[];
}

function groupFailures(runs: readonly RunResult[]): FailureGroup[] {
  const groups = new Map<string, Group>();
  for (const run of runs) {
    for (const s of run.symptoms) {
      const key = groupKey(s);
      const g = groups.get(key) ?? { symptom: key, runs: [] };
      g.runs.push(run);
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => {
    const first = [...g.runs].sort((a, b) => scheduleSize(a.schedule) - scheduleSize(b.schedule))[0] as RunResult;
    return { symptom: g.symptom, runs: g.runs.map((r) => r.index), smallest: first.schedule, replay: first.files?.replay ?? '' };
  });
}

/**
 * For each group, tries smaller schedules (fewer faults, lower rates, less staleness) while one
 * still shows the group's symptom, within `shrinkRuns` runs per group.
 */
async function shrinkGroups(o: ExploreOptions, groups: FailureGroup[], runner: Runner): Promise<FailureGroup[]> {
  const budget = o.shrinkRuns ?? 12;
  if (budget <= 0) return groups;
  const out: FailureGroup[] = [];
  // Groups often share their failing runs: a schedule tried for one is not run again for the next.
  const tried = new Map<string, RunResult>();
  // The first three groups: each costs up to `budget` runs of the command.
  for (const [n, g] of groups.entries()) {
    if (n >= 3) {
      out.push(g);
      continue;
    }
    let best = g;
    let spent = 0;
    let improved = true;
    while (improved && spent < budget) {
      improved = false;
      for (const candidate of shrinkCandidates(best.smallest)) {
        if (spent >= budget) break;
        const key = JSON.stringify(candidate);
        let run = tried.get(key);
        if (!run) {
          spent++;
          const raw = await runOnce(o, candidate, runner);
          run = raw.failed ? writeFailure(o, raw) : strip(raw);
          tried.set(key, run);
          o.onRun?.(run, 'shrink');
        }
        const shows = run.symptoms.some((s) => groupKey(s) === g.symptom);
        if (shows && run.files) {
          best = { ...best, smallest: candidate, replay: run.files.replay };
          improved = true;
          break;
        }
      }
    }
    out.push(best);
  }
  return out;
}
