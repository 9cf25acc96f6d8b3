// Snapshot files: a whole store saved to a file (every account, hostile data included) and
// loaded at start by startEmulator({ loadSnapshot }) and --load-snapshot, exactly; a file that is
// not a snapshot, of another version, cut short or with a bad line stops the start, names the
// file, and changes nothing in the store.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDomainCommand, PutAttributesCommand, type ReplaceableAttribute } from '../../client/index.js';
import { importLines } from '../../emulator/data/import.js';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { testControl } from '../../emulator/testing/index.js';
import { CLI, cli, client, removeTempDirs, stateOf, tempDir } from './support.js';

const kb = (ch: string, bytes: number) => ch.repeat(bytes / Buffer.byteLength(ch));
const ITEMS: Record<string, Record<string, string[]>> = {
  'astral 😀 𝄞': { 名前: ['𝄞 clef', 'emoji 😀'], '10': ['ten'], '9': ['nine'], crlf: ['a\r\nb', '\u0001'] },
  big: { [kb('n', 1024)]: [kb('x', 1024), kb('é', 1024), kb('😀', 1024)] },
  [kb('😀', 1024)]: { a: ['1'] },
  wide: Object.fromEntries(Array.from({ length: 256 }, (_, k) => [`attr${String(k).padStart(3, '0')}`, [`v${k}`]])),
};

let source: Emulator;
let dir: string;
let fixtureState: Awaited<ReturnType<typeof stateOf>>;
const body = (text: string) => text.slice(text.indexOf('\n') + 1);

async function* linesOf(text: string): AsyncGenerator<string> {
  yield* text.split('\n');
}

beforeAll(async () => {
  dir = tempDir();
  source = await startEmulator({ port: 0 });
  const c = client(source.url);
  for (const d of ['tricky', 'empty-domain']) await c.send(new CreateDomainCommand({ DomainName: d }));
  for (const [item, attrs] of Object.entries(ITEMS)) {
    const Attributes: ReplaceableAttribute[] = Object.entries(attrs).flatMap(([Name, values]) => values.map((Value) => ({ Name, Value })));
    await c.send(new PutAttributesCommand({ DomainName: 'tricky', ItemName: item, Attributes }));
  }
  await c.destroy();
  // A second account's namespace, as --isolate-accounts keeps it: a snapshot holds every account.
  const other = await importLines(source.store, linesOf('{"domain":"theirs","item":"t1","attributes":{"k":["v"]}}\n'), { account: 'team-b' });
  expect(other.committed).toBe(true);
  fixtureState = await stateOf(source.url);
});

afterAll(async () => {
  await source?.close();
  removeTempDirs();
});

describe('snapshot files', () => {
  it('a saved named snapshot loads into a new emulator exactly, every account, and saves again to the same lines', async () => {
    source.control.snapshot('fixture');
    const c = client(source.url);
    await c.send(new PutAttributesCommand({ DomainName: 'tricky', ItemName: 'later', Attributes: [{ Name: 'a', Value: 'b' }] }));
    await c.destroy();
    const file = join(dir, 'fixture.snapshot.ndjson');
    const saved = await source.control.saveSnapshot(file, 'fixture');
    expect(saved).toMatchObject({ path: file, name: 'fixture', domains: 3, items: 5, pairs: 256 + 3 + 1 + 6 + 1 });
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text.slice(0, text.indexOf('\n')))).toMatchObject({ simpledbLocalSnapshot: 1, name: 'fixture', domains: 3, items: 5 });
    // The body is export's NDJSON, then the other account's lines behind its account line.
    expect(body(text).split('\n').slice(0, 2)).toEqual(['{"domain":"empty-domain"}', '{"domain":"tricky"}']);
    expect(text).toContain('\n{"account":"team-b"}\n{"domain":"theirs"}\n{"domain":"theirs","item":"t1","attributes":{"k":["v"]}}\n');
    expect(text).not.toContain('"later"');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const copy = await startEmulator({ port: 0, loadSnapshot: file });
    try {
      // Loaded state is the starting state: nothing journaled.
      expect(copy.control.journal()).toEqual([]);
      expect(await stateOf(copy.url)).toEqual(fixtureState);
      expect(body(copy.control.snapshotFile())).toBe(body(text));
    } finally {
      await copy.close();
    }
  });

  it('GET /_simpledb/snapshots/file serves the state now (or ?name=), and testControl().saveSnapshot writes it', async () => {
    const res = await fetch(`${source.url}/_simpledb/snapshots/file`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const now = await res.text();
    expect(body(now)).toBe(body(source.control.snapshotFile()));
    expect(now).toContain('"later"');
    const missing = await fetch(`${source.url}/_simpledb/snapshots/file?name=nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NoSuchSnapshot' } });

    const file = join(dir, 'kit.snapshot.ndjson');
    await testControl({ endpoint: source.url }).saveSnapshot(file, 'fixture');
    expect(body(readFileSync(file, 'utf8'))).toBe(body(source.control.snapshotFile('fixture')));
  });

  it('replaces whatever a file database held; a bad file refuses the start, names the file and leaves the database as it was', async () => {
    const good = join(dir, 'good.snapshot.ndjson');
    await source.control.saveSnapshot(good, 'fixture');
    const text = readFileSync(good, 'utf8');
    const db = join(dir, 'kept.db');
    const first = await startEmulator({ port: 0, db });
    const c = client(first.url);
    await c.send(new CreateDomainCommand({ DomainName: 'tricky' }));
    await c.send(new PutAttributesCommand({ DomainName: 'tricky', ItemName: 'x', Attributes: [{ Name: 'a', Value: 'b' }] }));
    await c.send(new CreateDomainCommand({ DomainName: 'mine' }));
    await c.destroy();
    const held = await stateOf(first.url);
    await first.close();

    const lines = text.trimEnd().split('\n');
    const write = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    const cases: [string, RegExp][] = [
      [write('fixture.ndjson', '{"domain":"users"}\n'), / line 1: not a snapshot file of simpledb-local: .*plain NDJSON, which --load/],
      [write('v2.ndjson', text.replace('"simpledbLocalSnapshot":1', '"simpledbLocalSnapshot":2')), / line 1: format version 2; this simpledb-local reads version 1 only$/],
      [write('cut.ndjson', `${lines.slice(0, -1).join('\n')}\n`), /: the header says 3 domains, 5 items, 267 pairs, but the file holds 3, 4, 266 \(cut short/],
      [write('badline.ndjson', `${lines.slice(0, 3).join('\n')}\n{"domain":"tricky","item":"z"}\n${lines.slice(3).join('\n')}\n`), / line 4: an item needs "attributes"/],
      [write('binary.ndjson', Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('latin1')), / line 1: not (a snapshot file|UTF-8)/],
      [write('empty.ndjson', ''), /: the file is empty$/],
      [join(dir, 'absent.ndjson'), /: no such file$/],
    ];
    for (const [path, reason] of cases) {
      const started = startEmulator({ port: 0, db, loadSnapshot: path });
      await expect(started, path).rejects.toThrow(new RegExp(`^snapshot ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${reason.source}`));
    }
    const after = await startEmulator({ port: 0, db });
    try {
      expect(await stateOf(after.url)).toEqual(held);
    } finally {
      await after.close();
    }
    const loaded = await startEmulator({ port: 0, db, loadSnapshot: good });
    try {
      expect(await stateOf(loaded.url)).toEqual(fixtureState);
    } finally {
      await loaded.close();
    }
  });

  it('the CLI loads --load-snapshot before its ready line; SIMPLEDB_LOCAL_LOAD_SNAPSHOT with a bad file exits 1 with one line', async () => {
    const good = join(dir, 'cli.snapshot.ndjson');
    await source.control.saveSnapshot(good, 'fixture');
    const child = spawn(process.execPath, [CLI, '--port', '0', '--log-level', 'silent', '--load-snapshot', good], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const url = /listening on (\S+)$/.exec(line)?.[1] ?? '';
      expect(await stateOf(url)).toEqual(fixtureState);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    const bad = join(dir, 'cli-bad.ndjson');
    writeFileSync(bad, '{"domain":"users"}\n');
    const run = await cli(['--port', '0'], { env: { SIMPLEDB_LOCAL_LOAD_SNAPSHOT: bad } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^simpledb-local: cannot start: snapshot ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 1: not a snapshot file`)),
    ]);
  });
});
