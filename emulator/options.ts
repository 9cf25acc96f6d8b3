import type { Level } from 'pino';
import { SERVER_LIMIT_DEFAULTS } from './http/serverLimits.js';
import type { Durability } from './store/durability.js';
import { DEFAULT_MAX_STALENESS_MS, type ConsistencyMode } from './sync/consistency.js';
import { JOURNAL_FILE_MAX_BYTES, JOURNAL_FILES_KEPT } from './sync/journalFile.js';
import { DEFAULT_JOURNAL_SIZE } from './sync/index.js';

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
  durability: Durability;
  logLevel: Level | 'silent';
  accessKeyId?: string;
  secretAccessKey?: string;
  credentials?: string;
  isolateAccounts: boolean;
  consistency: ConsistencyMode;
  maxStaleness: number;
  seed?: number;
  journal?: string;
  journalMaxBytes: number;
  journalFiles: number;
  journalSize: number;
  openJournal?: string;
  controlFile?: string;
  load?: string[];
  loadSnapshot?: string;
  cors: string[];
  allowedHosts: string[];
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxConnections: number;
  /** false with --no-console. */
  console: boolean;
}

export const OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'port', flag: '--port <port>', env: 'SIMPLEDB_LOCAL_PORT', description: 'TCP port; 0 picks a free one', default: '8080' },
  { key: 'host', flag: '--host <host>', env: 'SIMPLEDB_LOCAL_HOST', description: 'address to bind', default: '127.0.0.1' },
  { key: 'db', flag: '--db <path>', env: 'SIMPLEDB_LOCAL_DB', description: ':memory: or a SQLite file kept across restarts', default: ':memory:' },
  { key: 'durability', flag: '--durability <level>', env: 'SIMPLEDB_LOCAL_DURABILITY', description: 'file database: normal (a killed process loses nothing, a power loss may lose the last writes) or full (every commit synced)', default: 'normal' },
  { key: 'logLevel', flag: '--log-level <level>', env: 'SIMPLEDB_LOCAL_LOG_LEVEL', description: 'silent, fatal, error, warn, info, debug or trace', default: 'info' },
  { key: 'accessKeyId', flag: '--access-key-id <id>', env: 'SIMPLEDB_LOCAL_ACCESS_KEY_ID', description: 'an access key to accept (with --secret-access-key); turns on Signature V2 checking' },
  { key: 'secretAccessKey', flag: '--secret-access-key <secret>', env: 'SIMPLEDB_LOCAL_SECRET_ACCESS_KEY', description: 'the secret of --access-key-id (prefer the variable: arguments show in ps)' },
  { key: 'credentials', flag: '--credentials <file>', env: 'SIMPLEDB_LOCAL_CREDENTIALS', description: 'turns on Signature V2 checking: JSON {"accounts": [{"accessKeyId", "secretAccessKey", "account"?}]}' },
  { key: 'isolateAccounts', flag: '--isolate-accounts [boolean]', env: 'SIMPLEDB_LOCAL_ISOLATE_ACCOUNTS', description: 'each account (or access key) sees only its own domains', default: 'false' },
  { key: 'consistency', flag: '--consistency <mode>', env: 'SIMPLEDB_LOCAL_CONSISTENCY', description: 'reads without ConsistentRead=true: consistent, eventual (up to --max-staleness behind) or frozen', default: 'consistent' },
  { key: 'maxStaleness', flag: '--max-staleness <ms>', env: 'SIMPLEDB_LOCAL_MAX_STALENESS', description: 'eventual: how far behind a read may be, drawn per read', default: String(DEFAULT_MAX_STALENESS_MS) },
  { key: 'seed', flag: '--seed <n>', env: 'SIMPLEDB_LOCAL_SEED', description: 'seeds staleness and fault probabilities (default random, shown by GET /_simpledb/consistency)' },
  { key: 'journal', flag: '--journal <file>', env: 'SIMPLEDB_LOCAL_JOURNAL', description: 'append one JSON line per request to this file' },
  { key: 'journalMaxBytes', flag: '--journal-max-bytes <n>', env: 'SIMPLEDB_LOCAL_JOURNAL_MAX_BYTES', description: 'the --journal file is renamed FILE.1 (older ones FILE.2…) and begun anew past this size; 0: never', default: String(JOURNAL_FILE_MAX_BYTES) },
  { key: 'journalFiles', flag: '--journal-files <n>', env: 'SIMPLEDB_LOCAL_JOURNAL_FILES', description: 'rotated --journal files kept (FILE.1 to FILE.n)', default: String(JOURNAL_FILES_KEPT) },
  { key: 'journalSize', flag: '--journal-size <n>', env: 'SIMPLEDB_LOCAL_JOURNAL_SIZE', description: 'requests the in-memory journal keeps (the console, GET /_simpledb/journal and /analysis see these), 0 to 10,000,000; 0 keeps none', default: String(DEFAULT_JOURNAL_SIZE) },
  { key: 'openJournal', flag: '--open-journal <file>', env: 'SIMPLEDB_LOCAL_OPEN_JOURNAL', description: 'show a journal file of an earlier run (one explore kept, or a --journal file) in the console, the journal routes and the analysis, before new requests; the file is only read' },
  { key: 'load', flag: '--load <file...>', env: 'SIMPLEDB_LOCAL_LOAD', description: 'NDJSON fixtures (docs/data.md) loaded before listening; the variable separates files with :' },
  { key: 'loadSnapshot', flag: '--load-snapshot <file>', env: 'SIMPLEDB_LOCAL_LOAD_SNAPSHOT', description: 'a snapshot file (docs/data.md) the store becomes before --load fixtures and before listening; a bad file stops the start and changes nothing' },
  { key: 'controlFile', flag: '--control-file <file>', env: 'SIMPLEDB_LOCAL_CONTROL_FILE', description: 'JSON start-up state: {"consistency": {...}, "faults": [...]}' },
  { key: 'cors', flag: '--cors <origin...>', env: 'SIMPLEDB_LOCAL_CORS', description: 'browser origins (e.g. http://localhost:3000) allowed to call it; the variable takes them space-separated; any other foreign Origin is refused' },
  { key: 'allowedHosts', flag: '--allowed-hosts <name...>', env: 'SIMPLEDB_LOCAL_ALLOWED_HOSTS', description: 'host names it answers to besides IP addresses, localhost, *.localhost and sdb[.region].amazonaws.com (e.g. a compose service name; .example.com: the domain and its subdomains); the variable takes them space-separated; * answers any name, which lets a page rebind one to it' },
  { key: 'headersTimeout', flag: '--headers-timeout <ms>', env: 'SIMPLEDB_LOCAL_HEADERS_TIMEOUT', description: 'a client must send all request headers within this time', default: String(SERVER_LIMIT_DEFAULTS.headersTimeoutMs) },
  { key: 'requestTimeout', flag: '--request-timeout <ms>', env: 'SIMPLEDB_LOCAL_REQUEST_TIMEOUT', description: 'a client must send the whole request, body included, within this time', default: String(SERVER_LIMIT_DEFAULTS.requestTimeoutMs) },
  { key: 'keepAliveTimeout', flag: '--keep-alive-timeout <ms>', env: 'SIMPLEDB_LOCAL_KEEP_ALIVE_TIMEOUT', description: 'an idle keep-alive connection is closed after this time', default: String(SERVER_LIMIT_DEFAULTS.keepAliveTimeoutMs) },
  { key: 'maxConnections', flag: '--max-connections <n>', env: 'SIMPLEDB_LOCAL_MAX_CONNECTIONS', description: 'connections open at once; more are closed on accept', default: String(SERVER_LIMIT_DEFAULTS.maxConnections) },
  { key: 'console', flag: '--no-console', env: 'SIMPLEDB_LOCAL_NO_CONSOLE', description: 'turns off the web console at /_simpledb/console/ (the variable: set to any value)' },
];

/** Shown after the options in --help. */
export const CONTROL_HELP = `
Control routes (/_simpledb/*, /moto-api/reset) take JSON; with authentication on, every one but
GET /_simpledb/health needs HTTP Basic with a configured key:
  curl -u KEY:SECRET -H 'content-type: application/json' -d '{}' http://127.0.0.1:8080/_simpledb/reset
Requests from browser pages of other origins are refused unless --cors names the origin, and
requests for host names other than those --allowed-hosts adds are refused (docs/security.md).`;

export const LOG_LEVELS: readonly string[] = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];
