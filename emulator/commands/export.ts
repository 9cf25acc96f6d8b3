import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { writeAtomically } from '../data/atomicFile.js';
import { writeLines } from '../data/writeText.js';
import { collect, endpointClient, namingDatabase, openDatabase, runCommand } from './common.js';

interface ExportOptions {
  db?: string;
  endpoint?: string;
  domain?: string[];
  out?: string;
  account: string;
}

/** `simpledb-local export`: NDJSON (docs/data.md) of a database file or of any endpoint. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write domains as NDJSON, one item per line (docs/data.md)')
    .addOption(new Option('--db <file>', 'a database file of simpledb-local').conflicts('endpoint'))
    .option('--endpoint <url>', 'a running emulator or any SimpleDB endpoint (credentials: the standard AWS chain)')
    .option('--domain <name>', 'only this domain (repeatable); default: every domain', collect)
    .option('--out <file>', 'write here instead of standard output')
    .option('--account <name>', 'with --db: the account namespace of isolated accounts', '')
    .action((o: ExportOptions) => runCommand('export', () => runExport(o)));
}

async function runExport(o: ExportOptions): Promise<number> {
  if ((o.db === undefined) === (o.endpoint === undefined)) throw new Error('give either --db FILE or --endpoint URL');
  if (o.out === undefined) {
    await exportTo(o, process.stdout);
    return 0;
  }
  // Written beside the target and renamed over it only once complete: a failed export (an unknown
  // domain, an unreachable endpoint, a full disk) leaves an existing file as it was.
  await writeAtomically(o.out, `--out ${o.out}`, (out) => exportTo(o, out));
  return 0;
}

async function exportTo(o: ExportOptions, out: Writable): Promise<void> {
  // Loaded by the command that runs it, not by every start of the CLI (it brings the client).
  const { exportEndpoint, exportStore } = await import('../data/export.js');
  if (o.db !== undefined) {
    if (!existsSync(o.db)) throw new Error(`no database file ${o.db}`);
    const store = openDatabase(o.db);
    try {
      await writeLines(exportStore(store, { account: o.account, domains: o.domain }), out);
    } catch (err) {
      throw namingDatabase(err, o.db);
    } finally {
      store.close();
    }
  } else {
    const client = await endpointClient(o.endpoint ?? '');
    try {
      await writeLines(exportEndpoint(client, { domains: o.domain }), out);
    } finally {
      await client.destroy();
    }
  }
}
