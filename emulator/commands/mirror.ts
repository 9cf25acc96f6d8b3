import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import type { Store } from '../store/store.js';
import { collect, endpointClient, namingDatabase, openDatabase, removeDatabase, runCommand } from './common.js';

interface MirrorOptions {
  from: string;
  to?: string;
  db?: string;
  domain?: string[];
  checkpoint: string;
}

export const DEFAULT_CHECKPOINT = 'simpledb-local-mirror.json';

/** `simpledb-local mirror`: copies domains from any endpoint, resumable (docs/data.md). */
export function registerMirror(program: Command): void {
  program
    .command('mirror')
    .description('copy domains from any SimpleDB endpoint into an emulator or a database file, resumably')
    .requiredOption('--from <url>', 'the source endpoint (credentials: the standard AWS chain)')
    .addOption(new Option('--to <url>', 'a running emulator (or any endpoint)').conflicts('db'))
    .option('--db <file>', 'a database file of simpledb-local (created if missing)')
    .option('--domain <name>', 'only this domain (repeatable); default: every domain', collect)
    .option('--checkpoint <file>', 'where progress is kept for resuming; removed when done', DEFAULT_CHECKPOINT)
    .action((o: MirrorOptions) => runCommand('mirror', () => runMirror(o)));
}

async function runMirror(o: MirrorOptions): Promise<number> {
  if ((o.to === undefined) === (o.db === undefined)) throw new Error('give either --to URL or --db FILE');
  // Loaded by the command that runs it, not by every start of the CLI (it brings the client).
  const { endpointTarget, mirror, stderrProgress, storeTarget } = await import('../data/mirror.js');
  const from = await endpointClient(o.from);
  const toClient = o.to === undefined ? undefined : await endpointClient(o.to);
  const isNew = o.db !== undefined && o.db !== ':memory:' && !existsSync(o.db);
  const store = o.db === undefined ? undefined : openDatabase(o.db);
  let failed = true;
  const progress = stderrProgress();
  // Ctrl-C: the checkpoint already holds every written page; end the bar (it hides the cursor) and stop.
  const interrupted = () => {
    progress.stop(false);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    const to = toClient ? endpointTarget(toClient) : storeTarget(store as Store);
    await mirror({ from, to, domains: o.domain, checkpointFile: o.checkpoint, progress, notice: (m) => process.stderr.write(`mirror: ${m}\n`) });
    failed = false;
    return 0;
  } catch (err) {
    throw o.db === undefined ? err : namingDatabase(err, o.db);
  } finally {
    process.off('SIGINT', interrupted);
    store?.close();
    // No checkpoint means no page was kept: a database file this run created holds nothing worth
    // resuming from, so it does not stay behind looking like a finished copy.
    if (failed && isNew && o.db !== undefined && !existsSync(o.checkpoint)) {
      removeDatabase(o.db);
      process.stderr.write(`mirror: ${o.db} was not kept (no page was copied)\n`);
    }
    await from.destroy();
    await toClient?.destroy();
  }
}
