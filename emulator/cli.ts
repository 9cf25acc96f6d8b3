#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { exposureWarning } from './auth/exposure.js';
import { parseCorsOrigin } from './control/origin.js';
import { startEmulator } from './index.js';
import { CONTROL_HELP, LOG_LEVELS, OPTION_SPECS, type CliOptions } from './options.js';
import { parseDurability } from './store/durability.js';
import { parseLimitText } from './serverLimits.js';
import { consistencyMode, parseMaxStaleness, parseSeed } from './sync/index.js';
import { VERSION } from './version.js';

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

/** The sync options' own checks (shared with the control API), reported the commander way. */
function cliCheck<T>(parse: (v: string) => T): (v: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** Repeatable, and the environment variable holds several origins separated by spaces or commas. */
function parseCors(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), ...value.split(/[\s,]+/).filter(Boolean).map(cliCheck(parseCorsOrigin))];
}

const parsers: Partial<Record<keyof CliOptions, (v: string, previous: unknown) => unknown>> = {
  port: parsePort,
  logLevel: parseLevel,
  durability: cliCheck(parseDurability),
  isolateAccounts: parseSwitch,
  consistency: cliCheck(consistencyMode),
  maxStaleness: cliCheck(parseMaxStaleness),
  seed: cliCheck(parseSeed),
  cors: parseCors,
  headersTimeout: cliCheck((v) => parseLimitText('headersTimeoutMs', v)),
  requestTimeout: cliCheck((v) => parseLimitText('requestTimeoutMs', v)),
  keepAliveTimeout: cliCheck((v) => parseLimitText('keepAliveTimeoutMs', v)),
  maxConnections: cliCheck((v) => parseLimitText('maxConnections', v)),
};

const program = new Command()
  .name('simpledb-local')
  .description('A local Amazon SimpleDB (API 2009-04-15) for development and tests')
  .version(VERSION)
  .showHelpAfterError()
  .addHelpText('after', CONTROL_HELP);
for (const spec of OPTION_SPECS) {
  const option = new Option(spec.flag, spec.description).env(spec.env);
  const parse = parsers[spec.key];
  if (parse) option.argParser(parse);
  if (spec.default !== undefined) option.default(parse ? parse(spec.default, undefined) : spec.default);
  program.addOption(option);
}
program.parse();
const opts = program.opts<CliOptions>();

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
  controlFile: opts.controlFile,
};
const server = {
  cors: opts.cors,
  headersTimeoutMs: opts.headersTimeout,
  requestTimeoutMs: opts.requestTimeout,
  keepAliveTimeoutMs: opts.keepAliveTimeout,
  maxConnections: opts.maxConnections,
};
const store = { db: opts.db, durability: opts.durability };
const emulator = await startEmulator({ port: opts.port, host: opts.host, ...store, logLevel: opts.logLevel, ...auth, ...sync, ...server }).catch(
  (err: NodeJS.ErrnoException) => {
    console.error(`simpledb-local: cannot start: ${err.message}`);
    process.exit(1);
  },
);
const exposure = exposureWarning(emulator.host, auth);
if (exposure) console.error(exposure);
console.log(`simpledb-local listening on ${emulator.url}`);

// As PID 1 in a container Node gets no default signal handlers, so both are handled here.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void emulator.close().then(() => process.exit(0));
  });
}
