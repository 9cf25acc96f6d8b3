#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { resolveCredentials } from './core/credentials.js';
import { exposureWarning } from './exposure.js';
import { registerAnalyze } from './commands/analyze.js';
import { cliCheck } from './commands/common.js';
import { registerExplore } from './commands/explore.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerMirror } from './commands/mirror.js';
import { parseAllowedHost } from './http/hosts.js';
import { parseCorsOrigin } from './http/origin.js';
import { CONTROL_HELP, LOG_LEVELS, OPTION_SPECS, type CliOptions } from './options.js';
import { parseDurability } from './store/durability.js';
import { parseLimitText } from './http/serverLimits.js';
import { consistencyMode, parseJournalFiles, parseJournalMaxBytes, parseJournalSize, parseMaxStaleness, parseSeed } from './sync/index.js';
import { VERSION } from './core/version.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

function parseLevel(value: string): string {
  if (!LOG_LEVELS.includes(value)) throw new InvalidArgumentError(`one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

/** Environment variables hold text, so a switch also takes a value: SIMPLEDB_LOCAL_ISOLATE_ACCOUNTS=false turns it off. */
function parseSwitch(value: string): boolean {
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  throw new InvalidArgumentError('true or false');
}

/** Repeatable, and the environment variable holds several origins separated by spaces or commas. */
function parseCors(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), ...value.split(/[\s,]+/).filter(Boolean).map(cliCheck(parseCorsOrigin))];
}

function parseAllowedHosts(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), ...value.split(/[\s,]+/).filter(Boolean).map(cliCheck(parseAllowedHost))];
}

const parsers: Partial<Record<keyof CliOptions, (v: string, previous: unknown) => unknown>> = {
  port: parsePort,
  logLevel: parseLevel,
  durability: cliCheck(parseDurability),
  isolateAccounts: parseSwitch,
  consistency: cliCheck(consistencyMode),
  maxStaleness: cliCheck(parseMaxStaleness),
  seed: cliCheck(parseSeed),
  journalMaxBytes: cliCheck(parseJournalMaxBytes),
  journalFiles: cliCheck(parseJournalFiles),
  load: (value, previous) => [...(Array.isArray(previous) ? (previous as string[]) : []), ...value.split(':')],
  cors: parseCors,
  allowedHosts: parseAllowedHosts,
  headersTimeout: cliCheck((v) => parseLimitText('headersTimeoutMs', v)),
  requestTimeout: cliCheck((v) => parseLimitText('requestTimeoutMs', v)),
  keepAliveTimeout: cliCheck((v) => parseLimitText('keepAliveTimeoutMs', v)),
  maxConnections: cliCheck((v) => parseLimitText('maxConnections', v)),
  journalSize: cliCheck(parseJournalSize),
};

/** Mistakes in how the command was typed: one line and exit 2, the usual code for bad usage. */
const USAGE_ERRORS = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.invalidArgument',
  'commander.optionMissingArgument',
  'commander.missingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.excessArguments',
  'commander.conflictingOption',
]);

function exitOn(err: CommanderError): never {
  if (USAGE_ERRORS.has(err.code)) {
    const line = err.message
      .replace(/^error: /, '')
      .replace(/ is invalid\. /, ' is invalid: ')
      .replace(/\s*\n\s*/g, ' ')
      .replace(/\.$/, '');
    process.stderr.write(`simpledb-local: ${line}; see --help\n`);
    process.exit(2);
  }
  if (err.exitCode !== 0) process.stderr.write(`simpledb-local: ${err.message.replace(/^error: /, '')}\n`);
  process.exit(err.exitCode);
}

const HELP_FOOTER = `
Examples:
  simpledb-local                                  in memory on http://127.0.0.1:8080
  simpledb-local --port 0 --db ./data.db          a free port; data kept in ./data.db
  SIMPLEDB_LOCAL_ACCESS_KEY_ID=AKIDEXAMPLE SIMPLEDB_LOCAL_SECRET_ACCESS_KEY=secret simpledb-local
                                                  check Signature V2 against that key pair
  simpledb-local --consistency eventual --seed 7  stale reads, the same ones on every run
From a clone, \`npm start -- OPTIONS\` or \`node dist/emulator/cli.js OPTIONS\` runs the same.

Control routes beside the SimpleDB protocol on /:
  GET  /_simpledb/health                          status and version
  POST /_simpledb/reset                           drop every domain
  GET|PUT /_simpledb/consistency                  consistency mode; POST .../freeze, .../thaw
  GET|POST|DELETE /_simpledb/faults               injected errors, delays, lost responses
  GET|DELETE /_simpledb/journal                   recent requests (.../journal.ndjson as NDJSON)
  GET|POST /_simpledb/snapshots                   snapshots of the store; POST .../NAME/restore, DELETE .../NAME
  GET  /_simpledb/snapshots/file[?name=NAME]      a snapshot file of the state (or of NAME), for --load-snapshot
  GET  /_simpledb/console/                        the web console (off with --no-console)
`;

/** Where a failure to start came from, when the error itself does not say (SQLite names no file). */
function startError(err: Error, opts: CliOptions): string {
  const sqlite = 'code' in err && typeof err.code === 'string' && err.code.startsWith('SQLITE_');
  if ((sqlite || /database/i.test(err.message)) && !err.message.includes(opts.db)) return `--db ${opts.db}: ${err.message}`;
  // Node's message names the path: the option it came from tells which setting to fix.
  const path = 'path' in err && typeof err.path === 'string' ? err.path : undefined;
  if (path !== undefined && path === opts.journal) return `--journal ${path}: ${err.message}`;
  // The journal reader's messages begin with the file's name (and the line at fault).
  if (opts.openJournal !== undefined && err.name === 'JournalFileError') return `--open-journal ${err.message}`;
  return err.message;
}

async function serve(opts: CliOptions): Promise<void> {
  const auth = {
    accessKeyId: opts.accessKeyId,
    secretAccessKey: opts.secretAccessKey,
    credentialsFile: opts.credentials,
    isolateAccounts: opts.isolateAccounts,
  };
  const sync = {
    consistency: opts.consistency,
    maxStalenessMs: opts.maxStaleness,
    seed: opts.seed,
    journal: opts.journal,
    journalMaxBytes: opts.journalMaxBytes,
    journalFiles: opts.journalFiles,
    journalSize: opts.journalSize,
    openJournal: opts.openJournal,
    controlFile: opts.controlFile,
    console: opts.console,
  };
  const server = {
    cors: opts.cors,
    allowedHosts: opts.allowedHosts,
    headersTimeoutMs: opts.headersTimeout,
    requestTimeoutMs: opts.requestTimeout,
    keepAliveTimeoutMs: opts.keepAliveTimeout,
    maxConnections: opts.maxConnections,
  };
  const store = { db: opts.db, durability: opts.durability };
  // Loaded here, not at the top: the server (Express, pino, the console) is a third of a start, and
  // the subcommands (import, export, analyze, mirror) never need it.
  const { startEmulator } = await import('./index.js');
  const emulator = await startEmulator({ port: opts.port, host: opts.host, ...store, logLevel: opts.logLevel, load: opts.load, loadSnapshot: opts.loadSnapshot, ...auth, ...sync, ...server }).catch(
    (err: Error) => {
      console.error(`simpledb-local: cannot start: ${startError(err, opts)}`);
      process.exit(1);
    },
  );
  const exposure = exposureWarning(emulator.host, auth);
  if (exposure) console.error(exposure);
  if (opts.allowedHosts?.includes('*')) {
    console.error('simpledb-local: warning: --allowed-hosts *: any host name is answered, so a web page whose name is made to resolve to this machine (DNS rebinding) can read and change its data');
  }
  // As PID 1 in a container Node gets no default signal handlers, so both are handled here,
  // before the ready line: whoever reads it may signal at once.
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void emulator.close().then(() => process.exit(0));
    });
  }
  const keys = resolveCredentials(auth).length;
  // The first line is a contract (tests and scripts wait for it); the rest is for people.
  console.log(`simpledb-local listening on ${emulator.url}`);
  console.log(`  storage:    ${opts.db === ':memory:' ? 'in memory (lost on exit; --db FILE keeps it)' : resolve(opts.db)}`);
  console.log(`  signatures: ${keys === 0 ? 'not checked (any key is accepted)' : `checked (${keys} key${keys === 1 ? '' : 's'})`}`);
  console.log(`  control:    ${emulator.url}/_simpledb/`);
  if (opts.console) console.log(`  console:    ${emulator.url}/_simpledb/console/`);
}

const program = new Command()
  .name('simpledb-local')
  .description('A local Amazon SimpleDB (API 2009-04-15) for development and tests')
  .version(VERSION)
  // Subcommands (emulator/commands/<name>.ts) take their own flags after their name.
  .enablePositionalOptions()
  .configureOutput({ outputError: () => {} })
  .exitOverride(exitOn)
  .addHelpText('after', HELP_FOOTER + CONTROL_HELP);
for (const spec of OPTION_SPECS) {
  const option = new Option(spec.flag, spec.description).env(spec.env);
  const parse = parsers[spec.key];
  if (parse) option.argParser(parse);
  if (spec.default !== undefined) option.default(parse ? parse(spec.default, undefined) : spec.default);
  program.addOption(option);
}
// The server is the default command; a subcommand registers here with one line: register<Name>(program).
registerAnalyze(program);
registerExplore(program);
registerExport(program);
registerImport(program);
registerMirror(program);
program.action(() => serve(program.opts<CliOptions>()));
await program.parseAsync();
