// Keyless use against a local endpoint: with no AWS credentials anywhere, a client for a
// loopback endpoint signs with PLACEHOLDER_CREDENTIALS; any other failure to find keys is a
// SimpleDBCredentialsError. The client runs from dist/ (`npm test` builds first) in a child process
// whose environment has no AWS variables, no AWS files and no instance metadata, so the standard
// chain really finds nothing, and fast.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../client/credentials.js';
import {
  CreateDomainCommand,
  ListDomainsCommand,
  PLACEHOLDER_CREDENTIALS,
  SimpleDBClient,
  SimpleDBCredentialsError,
  SimpleDBError,
} from '../../client/index.js';
import { startEmulator, type EmulatorOptions } from '../../emulator/index.js';

const CHILD = fileURLToPath(new URL('./keyless-child.mjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'simpledb-keyless-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Outcome {
  ok: number;
  domains?: string[];
  debug: string[];
  error?: { name: string; message: string; isSimpleDBError: boolean; attempts: number };
}

const keylessEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: home,
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
  AWS_CONFIG_FILE: join(home, 'no-config'),
  AWS_EC2_METADATA_DISABLED: 'true',
};

async function keyless(config: Record<string, unknown>): Promise<Outcome> {
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD, JSON.stringify(config)], { env: keylessEnv, timeout: 30_000 });
  return JSON.parse(stdout) as Outcome;
}

async function emulator(options: EmulatorOptions = {}) {
  return startEmulator({ port: 0, ...options });
}

describe('a client with an endpoint and no credentials anywhere', () => {
  it('signs with the placeholder pair on 127.0.0.1 and localhost, and says so once at debug level', async () => {
    // Isolation by access key shows which key the requests carried.
    await using emu = await emulator({ isolateAccounts: true });
    const [ip, name] = await Promise.all([keyless({ endpoint: emu.url }), keyless({ endpoint: `http://localhost:${emu.port}` })]);
    for (const outcome of [ip, name]) {
      expect(outcome.error).toBeUndefined();
      expect(outcome.ok).toBe(2);
      const notes = outcome.debug.filter((line) => line.includes('placeholder'));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain('"simpledb-local"');
    }
    const placeholder = new SimpleDBClient({ endpoint: emu.url, credentials: PLACEHOLDER_CREDENTIALS });
    await placeholder.send(new CreateDomainCommand({ DomainName: 'seen-by-placeholder' }));
    await placeholder.destroy();
    const again = await keyless({ endpoint: emu.url });
    expect(again.domains).toEqual(['seen-by-placeholder']);
    expect(PLACEHOLDER_CREDENTIALS).toEqual({ accessKeyId: 'simpledb-local', secretAccessKey: 'simpledb-local' });
  });

  it('with signature checking on, the placeholder is refused like any unknown key, and accepted where configured', async () => {
    await using strict = await emulator({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });
    await using configured = await emulator({ credentials: [{ ...PLACEHOLDER_CREDENTIALS }] });
    const [refused, accepted] = await Promise.all([keyless({ endpoint: strict.url }), keyless({ endpoint: configured.url })]);
    expect(refused.error).toMatchObject({ name: 'InvalidClientTokenId', isSimpleDBError: true, attempts: 1 });
    expect(accepted).toMatchObject({ ok: 2 });
  });

  it('elsewhere the chain’s failure stands, as a SimpleDBCredentialsError with a hint; opting in signs anyway', async () => {
    const [remote, aws, optedIn, optedOut] = await Promise.all([
      keyless({ endpoint: 'http://simpledb.invalid:8080' }),
      keyless({ region: 'us-east-1', allowPlaceholderCredentials: true }),
      keyless({ endpoint: 'http://simpledb.invalid:8080', allowPlaceholderCredentials: true }),
      keyless({ endpoint: 'http://127.0.0.1:9', allowPlaceholderCredentials: false }),
    ]);
    for (const outcome of [remote, aws, optedOut]) {
      expect(outcome.ok).toBe(0);
      expect(outcome.error).toMatchObject({ name: 'CredentialsError', isSimpleDBError: true, attempts: 0 });
      expect(outcome.error?.message).toContain('Could not load credentials from any providers');
      expect(outcome.error?.message).toContain('AWS_ACCESS_KEY_ID');
    }
    expect(remote.error?.message).toContain('allowPlaceholderCredentials: true');
    expect(aws.error?.message).not.toContain('allowPlaceholderCredentials');
    // Past signing: the request went out, and the made-up host does not resolve.
    expect(optedIn.error).toMatchObject({ name: 'SimpleDBNetworkError', isSimpleDBError: true });
    expect(optedIn.debug.filter((line) => line.includes('placeholder'))).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('a failing credentials provider is a SimpleDBCredentialsError carrying its cause; nothing is sent', async () => {
    await using emu = await emulator();
    const cause = new Error('vault sealed');
    const client = new SimpleDBClient({ endpoint: emu.url, credentials: () => Promise.reject(cause) });
    const err: unknown = await client.send(new ListDomainsCommand({})).catch((e: unknown) => e);
    await client.destroy();
    expect(err).toBeInstanceOf(SimpleDBCredentialsError);
    expect(err).toBeInstanceOf(SimpleDBError);
    expect((err as SimpleDBCredentialsError).cause).toBe(cause);
    expect((err as SimpleDBCredentialsError).message).toContain('vault sealed');
    expect(emu.control.journal()).toEqual([]);
  });

  it('loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '[::1]', '::1', 'localhost', 'LOCALHOST', 'api.localhost', '[::ffff:127.0.0.1]']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['128.0.0.1', '10.0.0.1', '0.0.0.0', 'example.com', '[::2]', 'localhost.example.com', 'sdb.amazonaws.com']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
