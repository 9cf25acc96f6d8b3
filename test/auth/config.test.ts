import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthConfigError, resolveCredentials } from '../../emulator/core/credentials.js';
import { exposureWarning } from '../../emulator/exposure.js';
import { startEmulator } from '../../emulator/index.js';
import { KEY, SECRET, authParams, send, signedPost } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'sdb-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('credentials configuration', () => {
  it('reads a credentials file with several accounts', () => {
    const path = file(
      'good.json',
      JSON.stringify({ accounts: [{ accessKeyId: 'A', secretAccessKey: 'a' }, { accessKeyId: 'B', secretAccessKey: 'b', account: 'team' }] }),
    );
    expect(resolveCredentials({ credentialsFile: path, accessKeyId: 'C', secretAccessKey: 'c' })).toEqual([
      { accessKeyId: 'C', secretAccessKey: 'c' },
      { accessKeyId: 'A', secretAccessKey: 'a' },
      { accessKeyId: 'B', secretAccessKey: 'b', account: 'team' },
    ]);
  });

  it('treats empty settings as unset: authentication stays off', () => {
    expect(resolveCredentials({ accessKeyId: '', secretAccessKey: '', credentialsFile: '' })).toEqual([]);
  });

  it.each([
    ['not JSON', '{accounts:', /is not JSON/],
    ['no accounts', '{"keys": []}', /must be \{"accounts"/],
    ['an empty list', '{"accounts": []}', /with at least one account/],
    ['an entry that is not an object', '{"accounts": ["A:a"]}', /accounts\[0\] must be an object/],
    ['a missing secret', '{"accounts": [{"accessKeyId": "A"}]}', /accounts\[0\]\.secretAccessKey must be a non-empty string/],
    ['a numeric key', '{"accounts": [{"accessKeyId": 7, "secretAccessKey": "s"}]}', /accounts\[0\]\.accessKeyId must be/],
    ['an empty account', '{"accounts": [{"accessKeyId": "A", "secretAccessKey": "s", "account": ""}]}', /accounts\[0\]\.account, when given/],
    ['a misspelt field', '{"accounts": [{"accessKeyId": "A", "secretAccessKey": "s", "acount": "x"}]}', /unknown field "acount"/],
    [
      'a key twice',
      '{"accounts": [{"accessKeyId": "A", "secretAccessKey": "s"}, {"accessKeyId": "A", "secretAccessKey": "t"}]}',
      /access key id A is configured twice/,
    ],
  ])('refuses a file with %s, naming the file', (_what, content, message) => {
    const path = file('bad.json', content);
    expect(() => resolveCredentials({ credentialsFile: path })).toThrow(AuthConfigError);
    expect(() => resolveCredentials({ credentialsFile: path })).toThrow(message);
  });

  it('never echoes a secret, even a malformed one', () => {
    const path = file('secret.json', '{"accounts": [{"accessKeyId": "A", "secretAccessKey": ["hunter2"]}]}');
    expect(() => resolveCredentials({ credentialsFile: path })).toThrow(/^(?!.*hunter2)/);
  });

  it('refuses half a key pair and an unreadable file', () => {
    expect(() => resolveCredentials({ accessKeyId: 'A' })).toThrow(/without its secret access key/);
    expect(() => resolveCredentials({ secretAccessKey: 's' })).toThrow(/without an access key id/);
    expect(() => resolveCredentials({ credentialsFile: join(dir, 'absent.json') })).toThrow(/cannot read the credentials file/);
  });

  it('makes startEmulator reject before it listens', async () => {
    await expect(startEmulator({ port: 0, credentials: [{ accessKeyId: 'A', secretAccessKey: '' }] })).rejects.toThrow(
      'credentials[0].secretAccessKey must be a non-empty string',
    );
  });

  it('turns authentication on from a file given to startEmulator', async () => {
    const path = file('dummy.json', JSON.stringify({ accounts: [{ accessKeyId: KEY, secretAccessKey: SECRET }] }));
    const now = Date.parse('2026-11-21T04:53:52Z');
    await using emu = await startEmulator({ port: 0, credentialsFile: path, now: () => now });
    const host = `127.0.0.1:${emu.port}`;
    const params = authParams(now, { Action: 'ListDomains' });
    expect((await send(emu.url, signedPost(host, params))).status).toBe(200);
    expect((await send(emu.url, signedPost(host, params, { secret: 'wrong' }))).code).toBe('SignatureDoesNotMatch');
  });
});

describe('the exposure warning', () => {
  it('warns only beyond loopback with authentication off', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(exposureWarning(host, {}), host).toBeUndefined();
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.test']) {
      expect(exposureWarning(host, {}), host).toMatch(/warning: listening on .* with authentication off/);
    }
    expect(exposureWarning('0.0.0.0', { accessKeyId: 'A', secretAccessKey: 's' })).toBeUndefined();
    expect(exposureWarning('0.0.0.0', { credentialsFile: 'creds.json' })).toBeUndefined();
    expect(exposureWarning('0.0.0.0', { credentials: [{ accessKeyId: 'A', secretAccessKey: 's' }] })).toBeUndefined();
  });
});
