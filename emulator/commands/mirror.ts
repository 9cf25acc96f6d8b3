import { Command, Option } from 'commander';
import { endpointTarget, mirror, stderrProgress, storeTarget } from '../data/mirror.js';
import { Store } from '../store/store.js';
import { collect, endpointClient, runCommand } from './common.js';

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
  const from = endpointClient(o.from);
  const toClient = o.to === undefined ? undefined : endpointClient(o.to);
  const store = o.db === undefined ? undefined : new Store(o.db);
  const progress = stderrProgress();
  // Ctrl-C: the checkpoint already holds every written page; end the bar (it hides the cursor) and stop.
  const interrupted = () => {
    progress.stop(false);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    const to = toClient ? endpointTarget(toClient) : storeTarget(store as Store);
    await mirror({ from, to, domains: o.domain, checkpointFile: o.checkpoint, progress });
    return 0;
  } finally {
    process.off('SIGINT', interrupted);
    store?.close();
    await from.destroy();
    await toClient?.destroy();
  }
}
