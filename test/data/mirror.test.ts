// mirror: copies domains between two real emulators through the protocol, stops on
// an error with a checkpoint, and resumes from it without reading again what was copied.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchPutAttributesCommand, CreateDomainCommand } from '../../client/index.js';
import { exportEndpoint, exportStore } from '../../emulator/data/export.js';
import { mirror, stderrProgress, storeTarget } from '../../emulator/data/mirror.js';
import { startEmulator, Store, type Emulator } from '../../emulator/index.js';
import { CLI, cli, client, KEYS, removeTempDirs, stateOf, tempDir } from './support.js';

let source: Emulator;
/** 300 items of 4 KB in `bbb`: two Select pages of at most 1 MB. */
const BIG_ITEMS = 300;

beforeAll(async () => {
  source = await startEmulator({ port: 0 });
  const c = client(source.url);
  await c.send(new CreateDomainCommand({ DomainName: 'aaa' }));
  await c.send(new CreateDomainCommand({ DomainName: 'bbb' }));
  await c.send(new CreateDomainCommand({ DomainName: 'ccc' }));
  await c.send(
    new BatchPutAttributesCommand({
      DomainName: 'aaa',
      Items: Array.from({ length: 20 }, (_, k) => ({ Name: `a${k}`, Attributes: [{ Name: 'v', Value: `é${k}\r\n` }, { Name: 'v', Value: '\u0001' }] })),
    }),
  );
  for (let i = 0; i < BIG_ITEMS; i += 25) {
    const Items = Array.from({ length: 25 }, (_, k) => ({
      Name: `b${String(i + k).padStart(4, '0')}`,
      Attributes: ['w', 'x', 'y', 'z'].map((Name) => ({ Name, Value: `${Name}${i + k}`.padEnd(1000, '.') })),
    }));
    await c.send(new BatchPutAttributesCommand({ DomainName: 'bbb', Items }));
  }
  await c.destroy();
});

afterAll(async () => {
  await source?.close();
  removeTempDirs();
});

describe('mirror', () => {
  it('to a running emulator: an interrupted run resumes from its checkpoint and copies everything once', async () => {
    const target = await startEmulator({ port: 0 });
    const dir = tempDir();
    const checkpoint = join(dir, 'cp.json');
    try {
      // The third Select (aaa's page, bbb's first, then its second) fails; NoSuchDomain is not retried.
      source.control.faults.add({ action: 'Select', error: 'NoSuchDomain', skip: 2 });
      const first = await cli(['mirror', '--from', source.url, '--to', target.url, '--checkpoint', checkpoint]);
      expect(first.code).toBe(1);
      expect(first.stderr).toMatch(/^mirror: 320 items, 1240 pairs to copy\n/);
      expect(first.stderr).toMatch(/mirror: stopped after \d+ items, \d+ pairs; run again to resume\n/);
      expect(first.stderr).toContain('simpledb-local mirror: The specified domain does not exist.');
      const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { domains: Record<string, { done: boolean; nextToken?: string; items: number }> };
      expect(saved.domains.aaa).toMatchObject({ done: true, items: 20 });
      expect(saved.domains.bbb).toMatchObject({ done: false, nextToken: expect.any(String) as string });
      const copied = saved.domains.bbb?.items ?? 0;
      expect(copied).toBeGreaterThan(0);
      expect(copied).toBeLessThan(BIG_ITEMS);

      source.control.faults.clear();
      source.control.clearJournal();
      const second = await cli(['mirror', '--from', source.url, '--to', target.url, '--checkpoint', checkpoint]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain(`resuming after ${20 + copied} items`);
      expect(second.stderr).toMatch(/mirror: done, 320 items, 1240 pairs in [\d.]+ s\n$/);
      expect(existsSync(checkpoint)).toBe(false);
      const selects = source.control.journal({ action: 'Select' }).map((e) => e.params);
      expect(selects.filter((p) => p.SelectExpression?.includes('`aaa`'))).toHaveLength(0);
      expect(selects.find((p) => p.SelectExpression?.includes('`bbb`'))?.NextToken).toBe(saved.domains.bbb?.nextToken);
      expect(await stateOf(target.url)).toEqual(await stateOf(source.url));
    } finally {
      await target.close();
    }
  });

  it('Ctrl-C stops it at once with the checkpoint kept (exit 130); the next run skips what was done', async () => {
    const dir = tempDir();
    const db = join(dir, 'copy.db');
    const checkpoint = join(dir, 'cp.json');
    // bbb's first page hangs, so the run is certainly mid-way when the signal comes.
    source.control.faults.add({ action: 'Select', delayMs: 20_000, skip: 1 });
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    const child = spawn(process.execPath, [CLI, 'mirror', '--from', source.url, '--db', db, '--checkpoint', checkpoint], {
      env: { ...env, AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const lines: string[] = [];
      // 'close': the process has exited and its stderr is read to the end.
      const exited = once(child, 'close') as Promise<[number | null]>;
      // The first progress line comes once aaa's only page is written and recorded.
      await new Promise<void>((resolve) => {
        createInterface({ input: child.stderr }).on('line', (line) => {
          lines.push(line);
          if (line.startsWith('mirror: aaa ')) resolve();
        });
        void exited.then(() => resolve());
      });
      child.kill('SIGINT');
      expect((await exited)[0]).toBe(130);
      expect(lines.join('\n')).toMatch(/^mirror: stopped after 20 items, 40 pairs; run again to resume$/m);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      source.control.faults.clear();
    }
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { domains: Record<string, { done: boolean }> };
    expect(saved.domains.aaa?.done).toBe(true);
    source.control.clearJournal();
    const again = await cli(['mirror', '--from', source.url, '--db', db, '--checkpoint', checkpoint]);
    expect(again.code, again.stderr).toBe(0);
    const selects = source.control.journal({ action: 'Select' }).map((e) => e.params.SelectExpression ?? '');
    expect(selects.some((e) => e.includes('`aaa`'))).toBe(false);
    const store = new Store(db);
    try {
      expect([...exportStore(store)].join('')).toContain(`"item":"b${String(BIG_ITEMS - 1).padStart(4, '0')}"`);
    } finally {
      store.close();
    }
  });

  it('into a database file, chosen domains only; the file then exports what the source exports', async () => {
    const dir = tempDir();
    const db = join(dir, 'mirror.db');
    const run = await cli(['mirror', '--from', source.url, '--db', db, '--domain', 'aaa', '--domain', 'ccc'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, 'simpledb-local-mirror.json'))).toBe(false);
    const store = new Store(db);
    const c = client(source.url);
    try {
      let expected = '';
      for await (const line of exportEndpoint(c, { domains: ['aaa', 'ccc'] })) expected += line;
      expect([...exportStore(store)].join('')).toBe(expected);
    } finally {
      store.close();
      await c.destroy();
    }
  });

  it('from an endpoint that checks signatures, without its keys: one line naming the code and where keys come from', async () => {
    const guarded = await startEmulator({ port: 0, accessKeyId: KEYS.accessKeyId, secretAccessKey: KEYS.secretAccessKey });
    try {
      const dir = tempDir();
      const placeholder = await cli(['mirror', '--from', guarded.url, '--db', join(dir, 'm.db')], { keys: false });
      expect(placeholder.code).toBe(1);
      const lines = placeholder.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(/^simpledb-local mirror: .*\(InvalidClientTokenId: the endpoint checks signatures; the key pair comes from the standard AWS chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE\)$/);
      const wrong = await cli(['export', '--endpoint', guarded.url], { env: { AWS_SECRET_ACCESS_KEY: 'not-the-secret' } });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('(SignatureDoesNotMatch: the endpoint checks signatures;');
    } finally {
      await guarded.close();
    }
  });

  it('refuses a checkpoint of another mirror rather than resuming the wrong copy', async () => {
    const dir = tempDir();
    const checkpoint = join(dir, 'cp.json');
    writeFileSync(checkpoint, JSON.stringify({ version: 1, from: 'http://127.0.0.1:1/', to: 'elsewhere', domains: {} }));
    const store = new Store();
    const from = client(source.url);
    try {
      await expect(mirror({ from, to: storeTarget(store), checkpointFile: checkpoint })).rejects.toThrow(
        `checkpoint ${checkpoint} belongs to another mirror (http://127.0.0.1:1/ → elsewhere); delete it to start over`,
      );
    } finally {
      store.close();
      await from.destroy();
    }
  });

  it('draws a bar with items, pairs, rate and ETA on a terminal', () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 160 }) as unknown as NodeJS.WriteStream;
    let text = '';
    (out as unknown as PassThrough).on('data', (c: Buffer) => (text += c.toString()));
    const p = stderrProgress(out);
    p.start({ items: 100, pairs: 400 }, { items: 0, pairs: 0 });
    p.update('bbb', { items: 50, pairs: 200 });
    p.stop(true);
    expect(text).toMatch(/mirror .* 50\/100 items \| 200 pairs \| \d+ items\/s \| ETA \S+ \| bbb/);
  });
});
