import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { parseSeed } from '../sync/index.js';
import {
  describeSchedule,
  explore,
  FAULT_KINDS,
  type ExploreOptions,
  type ExploreResult,
  type FaultKind,
  type FaultMix,
  type ReplayFile,
  type RunResult,
  type Schedule,
  type ScheduleSpace,
} from '../testing/explore.js';
import { exploreReport } from '../testing/exploreReport.js';
import { cliCheck, runCommand } from './common.js';
import { integerText } from '../core/input.js';

interface ExploreFlags {
  runs: number;
  budget?: number;
  consistency: 'eventual' | 'consistent';
  staleness: ScheduleSpace['staleness'];
  faults: FaultMix[];
  seed?: number;
  stopAtFirst?: boolean;
  dir: string;
  keep?: boolean;
  timeout: number;
  shrinkRuns: number;
  replay?: string;
  strict?: boolean;
  json?: boolean;
  report?: string;
}

const wholeNumber = (key: string, min: number, max: number): ((v: string) => number) => cliCheck((v) => integerText(key, v, min, max));

/** `lost:0.1,throttle:0.05`: fault kinds, each with the chance a request gets it. */
export function parseFaultMix(text: string): FaultMix[] {
  if (text === '' || text === 'none') return [];
  return text.split(',').map((part) => {
    const [kind = '', rateText = '0.1'] = part.split(':');
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new InvalidArgumentError(`fault kind ${JSON.stringify(kind)}: one of ${FAULT_KINDS.join(', ')}`);
    }
    const rate = Number(rateText);
    if (!/^\d*\.?\d+$/.test(rateText) || !(rate >= 0 && rate <= 1)) throw new InvalidArgumentError(`${kind}: a rate from 0 to 1, not ${rateText}`);
    return { kind: kind as FaultKind, rate };
  });
}

/** `1-10w` (writes behind, the default unit), `0-1000ms`, or one number for 0 up to it. */
export function parseStaleness(text: string): ScheduleSpace['staleness'] {
  const m = /^(\d{1,8})(?:-(\d{1,8}))?(w|ms)?$/.exec(text);
  const first = Number(m?.[1]);
  const [min, max] = m?.[2] === undefined ? [0, first] : [first, Number(m[2])];
  if (!m || min > max) throw new InvalidArgumentError('a range such as 1-10w (writes behind) or 0-1000ms');
  return { unit: m[3] === 'ms' ? 'ms' : 'writes', min, max };
}

function parseConsistency(text: string): 'eventual' | 'consistent' {
  if (text !== 'eventual' && text !== 'consistent') throw new InvalidArgumentError('eventual or consistent');
  return text;
}

/** `simpledb-local explore [options] -- COMMAND [ARGS...]` (docs/explore.md). */
export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description("run a test command under many consistency and fault schedules, each on a fresh emulator, and report the ones that break it")
    .argument('<command...>', 'the test command and its arguments, after --')
    .passThroughOptions()
    .option('--runs <n>', 'runs to make (with --replay: times to replay)', wholeNumber('runs', 1, 100_000), 20)
    .option('--budget <seconds>', 'start no run after this long', wholeNumber('budget', 1, 10_000_000))
    .option('--consistency <mode>', 'eventual (stale reads) or consistent', parseConsistency, 'eventual' as const)
    // Their defaults shown as they are written on the command line, not as the parsed values' JSON.
    .addOption(
      new Option('--staleness <range>', 'eventual: each run draws how stale a read may be from MIN-MAX writes behind (1-10w) or ms (0-1000ms)')
        .argParser(parseStaleness)
        .default(parseStaleness('1-10w'), '1-10w'),
    )
    .addOption(
      new Option('--faults <mix>', `fault kinds with rates, e.g. lost:0.1,throttle:0.05 (kinds: ${FAULT_KINDS.join(', ')})`)
        .argParser(parseFaultMix)
        .default([] as FaultMix[], 'none'),
    )
    .option('--seed <n>', "the first run's seed (later runs derive theirs); default random", cliCheck(parseSeed))
    .option('--stop-at-first', 'stop at the first failing run (it is still shrunk)')
    .option('--dir <dir>', "where failing runs' replay files and journals are written", 'simpledb-explore')
    .option('--keep', "also keep each failing run's database file")
    .option('--timeout <seconds>', 'kill a run of the command (and all it started) after this long', wholeNumber('timeout', 1, 86_400), 120)
    .option('--shrink-runs <n>', 'runs spent looking for a smaller failing schedule, per failure (0: none)', wholeNumber('shrink-runs', 0, 1000), 12)
    .option('--replay <file>', 'run the schedule of a replay file written by an earlier explore')
    .option('--strict', 'possible findings fail a run too, not only definite ones')
    .option('--json', 'print the result as JSON')
    .option('--report <file>', 'write a self-contained HTML report of the failing runs')
    .addHelpText(
      'after',
      '\nThe command gets SIMPLEDB_ENDPOINT (and SIMPLEDB_LOCAL_EXPLORE=1, so the test kit uses that emulator).' +
        '\nExit status: 0 no run failed, 1 a run failed (its replay command is printed), 2 bad usage or a command' +
        '\nthat cannot be started.',
    )
    // 1 means a run failed, which scripts test for (`|| test $? = 1`): a command that cannot be
    // started, or an unreadable replay file, must not look like one.
    .action((command: string[], flags: ExploreFlags) => runCommand('explore', () => run(command, flags), 2));
}

async function run(command: string[], flags: ExploreFlags): Promise<number> {
  const replay = flags.replay === undefined ? undefined : readReplay(flags.replay);
  const progress = new Progress(flags.json === true, flags.runs);
  const options: ExploreOptions = {
    command,
    runs: flags.runs,
    budgetMs: flags.budget === undefined ? undefined : flags.budget * 1000,
    space: { consistency: flags.consistency, staleness: flags.staleness, faults: flags.faults },
    seed: flags.seed,
    stopAtFirst: flags.stopAtFirst,
    dir: flags.dir,
    keep: flags.keep,
    timeoutMs: flags.timeout * 1000,
    shrinkRuns: flags.shrinkRuns,
    replay,
    strict: flags.strict,
    onRun: (r, phase) => progress.run(r, phase, command),
  };
  // Ctrl-C: exit through 'exit', where each run's process group is killed.
  process.once('SIGINT', () => process.exit(130));
  let result: ExploreResult;
  try {
    result = await explore(options);
  } finally {
    progress.stop();
  }
  if (flags.report !== undefined) writeFileSync(flags.report, exploreReport(result, command));
  const text = flags.json ? JSON.stringify(result, null, 2) + '\n' : summary(result, command, replay !== undefined);
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  return result.failed > 0 ? 1 : 0;
}

function readReplay(file: string): Schedule {
  let parsed: ReplayFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as ReplayFile;
  } catch (err) {
    throw new Error(`--replay ${file}: ${(err as Error).message}`);
  }
  if (parsed.format !== 1 || typeof parsed.schedule?.seed !== 'number' || typeof parsed.schedule.staleness?.max !== 'number') throw new Error(`--replay ${file}: not a replay file of simpledb-local explore`);
  return parsed.schedule;
}

export const replayCommand = (file: string, command: readonly string[]): string =>
  `simpledb-local explore --replay ${quote(file)} -- ${command.map(quote).join(' ')}`;

const quote = (s: string): string => (/^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function summary(result: ExploreResult, command: readonly string[], replaying: boolean): string {
  const lines: string[] = [];
  if (replaying) {
    lines.push(`replayed ${result.runs.length} times: failed ${result.failed} of ${result.runs.length}`);
  } else {
    lines.push(`explore: ${result.runs.length} runs, ${result.failed} failed (${result.totalRuns} runs in all, shrinking included)`);
  }
  const failing = result.runs.filter((r) => r.failed);
  for (const r of failing.slice(0, 20)) {
    lines.push(`  run ${r.index} failed: ${r.symptoms.join('; ')}`);
    if (r.files) lines.push(`    replay: ${replayCommand(r.files.replay, command)}`);
  }
  if (failing.length > 20) lines.push(`  and ${failing.length - 20} more failing runs (--json lists them all)`);
  const first = failing.find((r) => r.files);
  if (first?.files) {
    lines.push(`browse a run in the console: simpledb-local --port 0 --open-journal ${quote(first.files.journal)}`);
    const own = first.files.emulatorJournals;
    if (own.length > 0) lines.push(`  the emulators its own set-ups started (one per worker or file) journalled to: ${own.map(quote).join(' ')}`);
  }
  if (result.groups.length > 0) lines.push('by symptom:');
  for (const g of result.groups) {
    lines.push(`  ${g.symptom}: runs ${g.runs.join(', ')}`);
    lines.push(`    smallest schedule: ${describeSchedule(g.smallest)}`);
    if (g.smallest.consistency === 'consistent' && g.smallest.faults.length === 0) {
      lines.push('    it fails with every read consistent and no fault injected: the cause is not a stale read or a fault');
    }
    if (g.replay) lines.push(`    replay: ${replayCommand(g.replay, command)}`);
    const first = result.runs.find((r) => r.index === g.runs[0]);
    if (first) lines.push(...outputTail(first));
  }
  return lines.join('\n') + '\n';
}

const OUTPUT_LINES = 12;
const LINE_CHARS = 200;

/**
 * The last lines a failing run's command printed: a test that fails for a reason of its own (a
 * typo, a refused parameter) says so here, without a replay to find out.
 */
function outputTail(run: RunResult): string[] {
  const printed = run.output.replace(/\s+$/, '');
  if (printed === '') return [`    run ${run.index} printed nothing`];
  const all = printed.split(/\r?\n/);
  const shown = all.slice(-OUTPUT_LINES).map((line) => `      | ${line.length > LINE_CHARS ? line.slice(0, LINE_CHARS) + '…' : line}`);
  const where = run.files ? `; its last 4 kB: ${quote(run.files.output)}` : '';
  return [`    the last ${shown.length === all.length ? '' : `${shown.length} `}lines run ${run.index} printed${where}:`, ...shown];
}

/** A bar on a terminal; otherwise one line per run on stderr, so logs of CI jobs read well. */
class Progress {
  private readonly bar: SingleBar | undefined;
  private done = 0;

  constructor(
    private readonly quiet: boolean,
    total: number,
  ) {
    if (!quiet && process.stderr.isTTY) {
      this.bar = new SingleBar({ stream: process.stderr, format: 'explore [{bar}] {value}/{total} runs, {failed} failed', hideCursor: true });
      this.bar.start(total, 0, { failed: 0 });
    }
  }

  private failed = 0;

  run(r: RunResult, phase: 'explore' | 'shrink' | 'replay', command: readonly string[]): void {
    if (phase !== 'shrink') {
      this.done++;
      if (r.failed) this.failed++;
    }
    if (this.bar) {
      if (phase !== 'shrink') this.bar.update(this.done, { failed: this.failed });
      return;
    }
    if (this.quiet) return;
    const verdict = r.failed ? `FAIL: ${r.symptoms.join('; ')}` : 'pass';
    const lines = [`${phase} run ${r.index}: ${describeSchedule(r.schedule)} → ${verdict} (${r.requests} requests, ${r.durationMs} ms)`];
    if (r.files) lines.push(`  replay: ${replayCommand(r.files.replay, command)}`);
    process.stderr.write(lines.join('\n') + '\n');
  }

  stop(): void {
    this.bar?.stop();
  }
}
