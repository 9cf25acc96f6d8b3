import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { importLines, readLines } from '../data/import.js';
import { Store } from '../store/store.js';
import { namingDatabase, openDatabase, removeDatabase, runCommand } from './common.js';

interface ImportOptions {
  db: string;
  replace?: boolean;
  skipBad?: boolean;
  account: string;
}

/** `simpledb-local import`: NDJSON files into a database file, each file all or nothing. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('load NDJSON files (docs/data.md) into a database file; - reads standard input')
    .argument('<file...>', 'NDJSON files, imported in order')
    .requiredOption('--db <file>', 'the database file (created if missing; removed again if nothing could be written)')
    .option('--replace', 'an item in the file replaces the stored item whole (default: its values are added)')
    .option('--skip-bad', 'write the good lines of a file that has bad ones (default: such a file writes nothing)')
    .option('--account <name>', 'the account namespace of isolated accounts', '')
    .action((files: string[], o: ImportOptions) => runCommand('import', () => runImport(files, o)));
}

/**
 * Each file can be read, before any database is opened: a missing one (a typo) fails the command
 * with its own error alone, with no database file made and removed again for it. Checked without
 * opening it: opening and closing a named pipe would end its writer (SIGPIPE) before the import
 * reads it.
 */
function checkReadable(files: readonly string[]): void {
  for (const file of files) {
    if (file === '-') continue;
    accessSync(file, constants.R_OK);
    if (statSync(file).isDirectory()) throw new Error(`${file}: a directory, not an NDJSON file`);
  }
}

async function runImport(files: readonly string[], o: ImportOptions): Promise<number> {
  checkReadable(files);
  const isNew = o.db !== ':memory:' && !existsSync(o.db);
  const store = openDatabase(o.db);
  let written = false;
  let code = 1;
  try {
    code = await importFiles(store, files, o, () => (written = true));
    return code;
  } catch (err) {
    throw namingDatabase(err, o.db);
  } finally {
    store.close();
    // A failed import into a path that had no database leaves none: an empty file there would
    // look like a successful, empty import to the next command.
    if (isNew && !written) {
      removeDatabase(o.db);
      if (code !== 0) process.stderr.write(`import: ${o.db} was not kept (nothing was written to it)\n`);
    }
  }
}

async function importFiles(store: Store, files: readonly string[], o: ImportOptions, wrote: () => void): Promise<number> {
  for (const [k, file] of files.entries()) {
    const r = await importLines(store, readLines(file), { account: o.account, replace: o.replace, skipBad: o.skipBad });
    for (const e of r.errors) process.stderr.write(`${file}:${e.line}: ${e.reason}\n`);
    const what = `${count(r.items, 'item')}, ${count(r.pairs, 'pair')}, ${count(r.domainsCreated, 'new domain')}`;
    if (!r.committed) {
      process.stderr.write(`import: ${file}: ${count(r.errors.length, 'bad line')}; nothing written (--skip-bad writes the rest)\n`);
      for (const rest of files.slice(k + 1)) process.stderr.write(`import: ${rest}: not read (an earlier file failed)\n`);
      return 1;
    }
    wrote();
    const skipped = r.errors.length > 0 ? `; skipped ${count(r.errors.length, 'bad line')}` : '';
    process.stderr.write(`import: ${file}: ${what}${skipped}\n`);
  }
  return 0;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
