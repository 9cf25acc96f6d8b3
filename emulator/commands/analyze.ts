import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { analyzeJournalFile, parseAnalyzeOptions } from '../sync/analyze/index.js';
import { JournalFileError } from '../sync/analyze/file.js';
import { analysisJson, analysisText } from '../sync/analyze/report.js';
import { ControlInputError } from '../core/input.js';

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

interface Flags {
  json?: boolean;
  strict?: boolean;
  stormRate: string;
  stormMinWrites: string;
}

async function run(file: string, opts: Flags): Promise<number> {
  try {
    const { analysis } = await analyzeJournalFile(file, parseAnalyzeOptions({ stormRate: opts.stormRate, stormMinWrites: opts.stormMinWrites }));
    const failing = analysis.summary.anomalies + (opts.strict ? analysis.summary.possible : 0);
    const failure = await writeReport(opts.json ? analysisJson(analysis) : analysisText(analysis), process.stdout);
    // A reader that stopped early (`| head`) wanted no more: the status still says what was found.
    if (failure && (failure as NodeJS.ErrnoException).code !== 'EPIPE') {
      process.stderr.write(`simpledb-local analyze: cannot write the report: ${failure.message}\n`);
      return BAD_INPUT;
    }
    return failing > 0 ? ANOMALIES : CLEAN;
  } catch (err) {
    if (!(err instanceof JournalFileError || err instanceof ControlInputError)) throw err;
    process.stderr.write(`simpledb-local analyze: ${err.message}\n`);
    return BAD_INPUT;
  }
}

/** Bytes gathered before a write: a report of a million requests is tens of thousands of pieces. */
const CHUNK = 1 << 16;

/**
 * Writes the report as it is made, waiting while the stream is full, and flushed before the
 * caller exits (a pipe takes it asynchronously). Stops at the stream's first error and returns it
 * instead of letting it end the process with a stack trace; the listener stays, for an error the
 * stream reports later (the process exits next).
 */
async function writeReport(pieces: Iterable<string>, out: Writable): Promise<Error | undefined> {
  let failure: Error | undefined;
  const onError = (err: Error) => {
    failure ??= err;
  };
  out.on('error', onError);
  let batch = '';
  for (const piece of pieces) {
    if (failure || out.destroyed) break;
    batch += piece;
    if (batch.length < CHUNK) continue;
    if (!out.write(batch)) {
      await new Promise<void>((resolve) => {
        // A stream closed without a drain takes no more either.
        const done = () => {
          out.off('drain', done);
          out.off('error', done);
          out.off('close', done);
          resolve();
        };
        out.on('drain', done);
        out.on('error', done);
        out.on('close', done);
      });
    }
    batch = '';
  }
  if (!failure && !out.destroyed) {
    await new Promise<void>((resolve) =>
      out.write(batch, (err) => {
        if (err) failure ??= err;
        resolve();
      }),
    );
  }
  return failure;
}
