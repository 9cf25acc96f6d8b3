import type { Command } from 'commander';
import { analyzeJournalFile, parseAnalyzeOptions } from '../sync/analyze/index.js';
import { JournalFileError } from '../sync/analyze/file.js';
import { analysisJson, analysisText } from '../sync/analyze/report.js';
import { ControlInputError } from '../core/input.js';
import { writeLines } from '../data/writeText.js';

/** Exit statuses a CI job can act on. */
const CLEAN = 0;
const ANOMALIES = 1;
const BAD_INPUT = 2;

/** `simpledb-local analyze JOURNAL_FILE [--json]`: the sync-bug detector over a journal file (docs/analyze.md). */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('find lost updates, stale-read writes, double-applied retries and conflict storms in a journal file')
    .argument('<journal>', 'a --journal file (JSON lines), or a saved GET /_simpledb/journal(.ndjson)')
    .option('--json', 'print the analysis as JSON')
    .option('--strict', 'exit 1 on possible anomalies too, not only on definite ones')
    .option('--storm-rate <rate>', 'conflict storm: share of conditional writes that fail, 0 to 1', '0.5')
    .option('--storm-min-writes <n>', 'conflict storm: at least this many conditional writes to the item', '10')
    .addHelpText(
      'after',
      '\nExit status: 0 no definite anomalies (possible ones and hot spots are shown), 1 definite anomalies found (with --strict: or possible ones), 2 bad input.',
    )
    .action(async (file: string, opts: Flags) => {
      process.exit(await run(file, opts));
    });
}

/** The thresholds' flags, as a bad value's message names them. */
const FLAGS = { stormRate: '--storm-rate', stormMinWrites: '--storm-min-writes' } as const;

interface Flags {
  json?: boolean;
  strict?: boolean;
  stormRate: string;
  stormMinWrites: string;
}

async function run(file: string, opts: Flags): Promise<number> {
  try {
    const thresholds = parseAnalyzeOptions({ stormRate: opts.stormRate, stormMinWrites: opts.stormMinWrites }, (key) => FLAGS[key]);
    const { analysis } = await analyzeJournalFile(file, thresholds);
    const failing = analysis.summary.anomalies + (opts.strict ? analysis.summary.possible : 0);
    try {
      await writeLines(opts.json ? analysisJson(analysis) : analysisText(analysis), process.stdout);
    } catch (err) {
      // A reader that stopped early (`| head`) wanted no more: the status still says what was found.
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') {
        process.stderr.write(`simpledb-local analyze: cannot write the report: ${(err as Error).message}\n`);
        return BAD_INPUT;
      }
    }
    return failing > 0 ? ANOMALIES : CLEAN;
  } catch (err) {
    if (!(err instanceof JournalFileError || err instanceof ControlInputError)) throw err;
    process.stderr.write(`simpledb-local analyze: ${err.message}\n`);
    return BAD_INPUT;
  }
}
