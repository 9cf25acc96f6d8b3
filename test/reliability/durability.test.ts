/** --durability picks SQLite's synchronous setting for the file (docs/reliability.md). */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { CLI, tempDir } from './support.js';

const tmp = tempDir('durability');
afterAll(() => tmp.remove());

/** SQLite's numbers for the synchronous pragma. */
const NORMAL = 1;
const FULL = 2;

describe('durability', () => {
  it('is normal by default and full on request, in WAL mode', async () => {
    for (const [durability, expected] of [[undefined, NORMAL], ['normal', NORMAL], ['full', FULL]] as const) {
      const emu = await startEmulator({ port: 0, db: join(tmp.dir, `${durability ?? 'default'}.db`), durability });
      try {
        expect(emu.store.db.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(emu.store.db.pragma('synchronous', { simple: true }), String(durability)).toBe(expected);
      } finally {
        await emu.close();
      }
    }
  });

  it('refuses an unknown setting from the flag or the variable, naming the choices', () => {
    for (const [args, env] of [[['--durability', 'extra'], {}], [[], { SIMPLEDB_LOCAL_DURABILITY: 'off' }]] as const) {
      const out = spawnSync(process.execPath, [CLI, '--port', '0', ...args], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(out.status).not.toBe(0);
      expect(out.stderr).toContain('durability is one of normal, full');
    }
  });

  it('leaves the file readable by any SQLite client after a full-durability run', async () => {
    const file = join(tmp.dir, 'full.db');
    const emu = await startEmulator({ port: 0, db: file, durability: 'full' });
    expect((await fetch(`${emu.url}/?Action=CreateDomain&DomainName=durable`)).status).toBe(200);
    await emu.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
