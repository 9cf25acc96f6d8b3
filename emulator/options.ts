import type { Level } from 'pino';

/**
 * Every start-up option once: its CLI flag, its environment variable and its default. The CLI's
 * --help and the README table are made from this list, so they cannot drift apart.
 */
export interface OptionSpec {
  key: keyof CliOptions;
  flag: string;
  env: string;
  description: string;
  default?: string;
}

export interface CliOptions {
  port: number;
  host: string;
  db: string;
  logLevel: Level | 'silent';
}

export const OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'port', flag: '--port <port>', env: 'SIMPLEDB_LOCAL_PORT', description: 'TCP port; 0 picks a free one', default: '8080' },
  { key: 'host', flag: '--host <host>', env: 'SIMPLEDB_LOCAL_HOST', description: 'address to bind', default: '127.0.0.1' },
  { key: 'db', flag: '--db <path>', env: 'SIMPLEDB_LOCAL_DB', description: ':memory: or a SQLite file kept across restarts', default: ':memory:' },
  { key: 'logLevel', flag: '--log-level <level>', env: 'SIMPLEDB_LOCAL_LOG_LEVEL', description: 'silent, fatal, error, warn, info, debug or trace', default: 'info' },
];

export const LOG_LEVELS: readonly string[] = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];
