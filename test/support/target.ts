/**
 * Where integration suites send their requests, decided by the environment:
 * - default: an emulator started in this process on a free port;
 * - SIMPLEDB_ENDPOINT=http://host:port: that endpoint, with the dummy key pair;
 * - SIMPLEDB_TEST_TARGET=aws: the real service, credentials from the standard AWS chain, region
 *   from AWS_REGION (default us-east-1), one uniquely named domain per suite, deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { CreateDomainCommand, DeleteDomainCommand, SimpleDBClient, type SimpleDBClientConfig } from '../../client/index.js';

export type TargetKind = 'emulator' | 'endpoint' | 'aws';

export const targetKind: TargetKind =
  process.env.SIMPLEDB_TEST_TARGET === 'aws' ? 'aws' : process.env.SIMPLEDB_ENDPOINT ? 'endpoint' : 'emulator';

export const onAws = targetKind === 'aws';

/** Title of the describe block that runs a suite against the real service; skipped otherwise. */
export const AWS_SUITE_TITLE = 'against real AWS SimpleDB (set SIMPLEDB_TEST_TARGET=aws and AWS credentials)';

/** Title of the describe block that runs a suite locally; skipped when the target is AWS. */
export const LOCAL_SUITE_TITLE =
  targetKind === 'endpoint' ? `against SIMPLEDB_ENDPOINT=${process.env.SIMPLEDB_ENDPOINT}` : 'against the in-process emulator';

/** The real service answers in tens to hundreds of ms and CreateDomain may take seconds. */
export const TEST_TIMEOUT_MS = onAws ? 120_000 : 30_000;

/** The key pair of test/fixtures/wire; the emulator (without configured credentials) accepts any. */
export const DUMMY_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
} as const;

export interface Target {
  readonly kind: TargetKind;
  readonly endpoint: string | undefined;
  /**
   * DomainMetadata on the real service is recomputed periodically, so its counts lag behind
   * writes; suites check exact figures only where this is true.
   */
  readonly exactMetadata: boolean;
  /** A client for this target; destroyed by close(). */
  client(config?: SimpleDBClientConfig): SimpleDBClient;
  /** Creates a domain whose name is unique to this run; deleted by close(). */
  createDomain(label: string): Promise<string>;
  /** A domain name unique to this run, not created (for NoSuchDomain checks). */
  uniqueName(label: string): string;
  close(): Promise<void>;
}

export async function openTarget(): Promise<Target> {
  const emulator: Emulator | undefined = targetKind === 'emulator' ? await startEmulator({ port: 0 }) : undefined;
  const endpoint = emulator?.url ?? (targetKind === 'endpoint' ? process.env.SIMPLEDB_ENDPOINT : undefined);
  const base: SimpleDBClientConfig = onAws
    ? { requestTimeout: 30_000 }
    : { endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS, requestTimeout: 10_000 };
  const clients: SimpleDBClient[] = [];
  const domains: string[] = [];
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const client = (config: SimpleDBClientConfig = {}) => {
    const c = new SimpleDBClient({ ...base, ...config });
    clients.push(c);
    return c;
  };
  const admin = client();
  const uniqueName = (label: string) => `sdblocal-test-${label}-${run}`;
  return {
    kind: targetKind,
    endpoint,
    exactMetadata: !onAws,
    client,
    uniqueName,
    async createDomain(label) {
      const name = uniqueName(label);
      await admin.send(new CreateDomainCommand({ DomainName: name }));
      domains.push(name);
      return name;
    },
    async close() {
      const cleanup = await Promise.allSettled(domains.map((DomainName) => admin.send(new DeleteDomainCommand({ DomainName }))));
      await Promise.all(clients.map((c) => c.destroy()));
      await emulator?.close();
      const failed = cleanup.filter((r) => r.status === 'rejected');
      if (failed.length > 0) throw new AggregateError(failed.map((r) => r.reason), 'could not delete test domains');
    },
  };
}
