#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { startEmulator } from './index.js';
import { LOG_LEVELS, OPTION_SPECS, type CliOptions } from './options.js';
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

const parsers: Partial<Record<keyof CliOptions, (v: string) => unknown>> = { port: parsePort, logLevel: parseLevel };

const program = new Command()
  .name('simpledb-local')
  .description('A local Amazon SimpleDB (API 2009-04-15) for development and tests')
  .version(VERSION)
  .showHelpAfterError();
for (const spec of OPTION_SPECS) {
  const option = new Option(spec.flag, spec.description).env(spec.env);
  const parse = parsers[spec.key];
  if (parse) option.argParser(parse);
  if (spec.default !== undefined) option.default(parse ? parse(spec.default) : spec.default);
  program.addOption(option);
}
program.parse();
const opts = program.opts<CliOptions>();

const emulator = await startEmulator({ port: opts.port, host: opts.host, db: opts.db, logLevel: opts.logLevel }).catch(
  (err: NodeJS.ErrnoException) => {
    console.error(`simpledb-local: cannot start: ${err.message}`);
    process.exit(1);
  },
);
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
