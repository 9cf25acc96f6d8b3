// The kit's per-test helpers against a real emulator, and its recipes page against the files
// that test/kit/runners.test.ts runs.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDomainCommand, ListDomainsCommand, SimpleDBClient } from '../../client/index.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { ControlError, domainPrefix, testControl } from '../../emulator/testing/index.js';

const docs = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8');

describe('docs/testing.md', () => {
  it('shows each recipe file of the kit projects exactly as it runs', () => {
    const blocks = [...docs.matchAll(/<!-- kit-file: (\S+) -->\n```\w+\n([\s\S]*?)```/g)];
    expect(blocks.map((b) => b[1])).toEqual([
      'vitest/vitest.config.mjs',
      'vitest/simpledb.setup.mjs',
      'jest/jest.config.mjs',
      'jest/simpledb.setup.mjs',
      'jest/simpledb.teardown.mjs',
      'jest-per-worker/jest.config.mjs',
      'jest-per-worker/simpledb.setup.mjs',
      'jest-per-worker/simpledb.per-worker.mjs',
      'vitest-per-file/vitest.config.mjs',
      'vitest-per-file/simpledb.per-file.mjs',
      'pytest/conftest.py',
    ]);
    for (const [, file, text] of blocks) {
      expect(text, file).toBe(readFileSync(new URL(`./projects/${file}`, import.meta.url), 'utf8'));
    }
  });
});

describe('testControl', () => {
  let emu: Emulator;
  let sdb: SimpleDBClient;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    sdb = new SimpleDBClient({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  });
  afterAll(() => emu.close());

  it('resets the emulator it is pointed at', async () => {
    await sdb.send(new CreateDomainCommand({ DomainName: 'dropped' }));
    expect((await sdb.send(new ListDomainsCommand({}))).DomainNames).toEqual(['dropped']);
    await testControl({ endpoint: emu.url }).reset();
    expect((await sdb.send(new ListDomainsCommand({}))).DomainNames ?? []).toEqual([]);
  });

  it('says what to set when it has no endpoint', () => {
    const saved = process.env.SIMPLEDB_ENDPOINT;
    delete process.env.SIMPLEDB_ENDPOINT;
    try {
      expect(() => testControl()).toThrow(/SIMPLEDB_ENDPOINT/);
    } finally {
      if (saved !== undefined) process.env.SIMPLEDB_ENDPOINT = saved;
    }
  });

  it('turns a refusal into a ControlError carrying the emulator status and message', async () => {
    const err = await testControl({ endpoint: emu.url }).restore('never-taken').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect((err as ControlError).status).toBe(404);
    expect((err as ControlError).message).toMatch(/never-taken/);
  });
});

describe('domainPrefix', () => {
  it('gives names that are valid domain names and never repeat', () => {
    const a = domainPrefix('users & orders');
    const b = domainPrefix('users & orders');
    expect(a).not.toBe(b);
    expect(`${a}x`).toMatch(/^[a-zA-Z0-9_.-]{3,255}$/);
  });
});
