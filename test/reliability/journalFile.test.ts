// The --journal file rotates: past --journal-max-bytes it becomes FILE.1 (older ones move up to
// FILE.n, the oldest beyond --journal-files deleted) and a new FILE begins, so a long run keeps a
// bounded amount of disk; the newest entries are always in FILE, none lost or repeated within
// the files kept.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'simpledb-journal-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function seqs(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { seq: number }).seq);
}

describe('--journal-max-bytes and --journal-files', () => {
  it('rotate the file, keep the newest files, and lose nothing within them', async () => {
    const file = join(dir, 'journal.ndjson');
    {
      await using emu = await startEmulator({ port: 0, journal: file, journalMaxBytes: 4096, journalFiles: 2 });
      for (let i = 0; i < 60; i++) await fetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15&N=${i}`);
    }
    expect(readdirSync(dir).sort()).toEqual(['journal.ndjson', 'journal.ndjson.1', 'journal.ndjson.2']);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size, name).toBeLessThanOrEqual(4096);
    const kept = [...seqs(`${file}.2`), ...seqs(`${file}.1`), ...seqs(file)];
    // Oldest file first: consecutive sequence numbers ending with the last request.
    expect(kept.at(-1)).toBe(60);
    expect(kept).toEqual(kept.map((_, i) => 60 - kept.length + 1 + i));
    expect(kept.length).toBeLessThan(60);
  });

  it('0 never rotates; an existing file counts towards the limit when the emulator starts again', async () => {
    const file = join(dir, 'journal.ndjson');
    {
      await using emu = await startEmulator({ port: 0, journal: file, journalMaxBytes: 0 });
      for (let i = 0; i < 20; i++) await fetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15`);
    }
    expect(readdirSync(dir)).toEqual(['journal.ndjson']);
    const size = statSync(file).size;
    {
      await using emu = await startEmulator({ port: 0, journal: file, journalMaxBytes: size + 10, journalFiles: 1 });
      await fetch(`${emu.url}/?Action=ListDomains&Version=2009-04-15`);
    }
    expect(readdirSync(dir).sort()).toEqual(['journal.ndjson', 'journal.ndjson.1']);
    expect(seqs(`${file}.1`)).toHaveLength(20);
    expect(seqs(file)).toEqual([1]);
  });

  const CLI = fileURLToPath(new URL('../../dist/emulator/cli.js', import.meta.url));
  it.skipIf(!existsSync(CLI))('are CLI flags and environment variables', async () => {
    const file = join(dir, 'cli.ndjson');
    const child = spawn(process.execPath, [CLI, '--port', '0', '--journal', file, '--journal-max-bytes', '2000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SIMPLEDB_LOCAL_LOG_LEVEL: 'silent', SIMPLEDB_LOCAL_JOURNAL_FILES: '1' },
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const url = /listening on (\S+)/.exec(line)?.[1] ?? '';
      for (let i = 0; i < 30; i++) await fetch(`${url}/?Action=ListDomains&Version=2009-04-15`);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    expect(readdirSync(dir).sort()).toEqual(['cli.ndjson', 'cli.ndjson.1']);
    expect(statSync(file).size).toBeLessThanOrEqual(2000);
  });
});

describe('journalSize through the library', () => {
  it('rejects what is not a whole number from 0 to 10,000,000, naming the setting, and leaves no --journal file open', async () => {
    const file = join(dir, 'journal.ndjson');
    const openOn = () => readdirSync('/proc/self/fd').filter((fd) => readlinkOr(`/proc/self/fd/${fd}`) === file);
    for (const journalSize of [-1, 1.5, Number.NaN, 10_000_001]) {
      await expect(startEmulator({ port: 0, journal: file, journalSize })).rejects.toThrow('journalSize: a whole number from 0 to 10000000');
    }
    expect(openOn()).toEqual([]);
    for (const journalSize of [0, 10_000_000]) {
      await using emu = await startEmulator({ port: 0, journal: file, journalSize });
      expect((await fetch(`${emu.url}/_simpledb/health`)).status).toBe(200);
      expect(openOn()).toHaveLength(1);
    }
  });
});

/** Where a descriptor points; one closed between listing and reading points nowhere. */
function readlinkOr(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
