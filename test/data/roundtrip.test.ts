// Export → import round-trips byte-exactly: through the CLI on database files, through
// a running emulator's protocol, and as fixtures loaded at start.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDomainCommand, PutAttributesCommand, type ReplaceableAttribute } from '../../client/index.js';
import { exportEndpoint, exportStore } from '../../emulator/data/export.js';
import { startEmulator, Store, type Emulator } from '../../emulator/index.js';
import { CLI, cli, client, removeTempDirs, stateOf, tempDir } from './support.js';

const kb = (ch: string, bytes: number) => ch.repeat(bytes / Buffer.byteLength(ch));
const ITEMS: Record<string, Record<string, string[]>> = {
  multi: { color: ['Blue', 'Red', 'Green'], size: ['1', '01', '1.0', ''] },
  'unicode é 😀': { 名前: ['𝄞 clef', 'emoji 😀', 'ü'], '10': ['ten'], '9': ['nine'] },
  crlf: { text: ['a\r\nb', '\r\n', '\r', '\n', ' lead and trail ', 'tab\there'] },
  'control\u0001item': { ['ctl\u0002']: ['\u0001\u0002\u001f', '\u007f', 'x\u000by'] },
  big: { [kb('n', 1024)]: [kb('x', 1024), kb('é', 1024), kb('😀', 1024)] },
  [kb('😀', 1024)]: { a: ['1'] },
  wide: Object.fromEntries(Array.from({ length: 256 }, (_, k) => [`attr${String(k).padStart(3, '0')}`, [`v${k}`]])),
};

let source: Emulator;
let dir: string;
let exported: string;

beforeAll(async () => {
  dir = tempDir();
  source = await startEmulator({ port: 0, db: join(dir, 'source.db') });
  const c = client(source.url);
  for (const d of ['tricky', 'empty-domain', 'second']) await c.send(new CreateDomainCommand({ DomainName: d }));
  for (const [item, attrs] of Object.entries(ITEMS)) {
    const Attributes: ReplaceableAttribute[] = Object.entries(attrs).flatMap(([Name, values]) => values.map((Value) => ({ Name, Value })));
    await c.send(new PutAttributesCommand({ DomainName: 'tricky', ItemName: item, Attributes }));
  }
  await c.send(new PutAttributesCommand({ DomainName: 'second', ItemName: 'one', Attributes: [{ Name: 'a', Value: 'b' }] }));
  await c.destroy();
  const run = await cli(['export', '--endpoint', source.url]);
  expect(run, run.stderr).toMatchObject({ code: 0 });
  exported = run.stdout;
  writeFileSync(join(dir, 'exported.ndjson'), exported);
});

afterAll(async () => {
  await source?.close();
  removeTempDirs();
});

describe('export', () => {
  it('writes a domain line before each domain, empty ones included, and one line per item in byte order', () => {
    const lines = exported.trimEnd().split('\n');
    expect(lines[0]).toBe('{"domain":"empty-domain"}');
    expect(lines[1]).toBe('{"domain":"second"}');
    expect(lines[2]).toBe('{"domain":"second","item":"one","attributes":{"a":["b"]}}');
    expect(lines[3]).toBe('{"domain":"tricky"}');
    expect(lines).toHaveLength(4 + Object.keys(ITEMS).length);
    expect(exported).toContain('"text":["\\n","\\r","\\r\\n"," lead and trail ","a\\r\\nb","tab\\there"]');
    expect(exported).toContain('"ctl\\u0002":["\\u0001\\u0002\\u001f","x\\u000by","\u007f"]');
    expect(exported).toContain('{"10":["ten"],"9":["nine"],"名前":["emoji 😀","ü","𝄞 clef"]}');
  });

  it('gives the same bytes from the database file as through the protocol', async () => {
    const run = await cli(['export', '--db', join(dir, 'source.db')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(exported);
  });

  it('--domain picks domains, --out writes a file (no keys needed for a loopback emulator); an unknown domain fails', async () => {
    const out = join(dir, 'second.ndjson');
    const run = await cli(['export', '--endpoint', source.url, '--domain', 'second', '--domain', 'empty-domain', '--out', out], {
      keys: false,
      env: { HOME: dir },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(exported.split('\n').slice(0, 3).join('\n') + '\n');
    const bad = await cli(['export', '--db', join(dir, 'source.db'), '--domain', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('simpledb-local export: no such domain: nope\n');
  });
});

describe('import', () => {
  it('into a new database file, then export again: the same bytes', async () => {
    const db = join(dir, 'copy.db');
    const imp = await cli(['import', '--db', db, join(dir, 'exported.ndjson')]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stderr).toMatch(/: 8 items, 282 pairs, 3 new domains\n$/);
    const copy = new Store(db);
    try {
      expect([...exportStore(copy)].join('')).toBe(exported);
    } finally {
      copy.close();
    }
  });

  it('as fixtures of a new emulator: the same state through the protocol', async () => {
    const loaded = await startEmulator({ port: 0, load: [join(dir, 'exported.ndjson')] });
    try {
      expect(await stateOf(loaded.url)).toEqual(await stateOf(source.url));
      const c = client(loaded.url);
      let back = '';
      for await (const line of exportEndpoint(c)) back += line;
      await c.destroy();
      expect(back).toBe(exported);
    } finally {
      await loaded.close();
    }
  });
});

describe('export to standard output', () => {
  it('stops with one line, no stack trace, when its reader goes away (`| head`)', async () => {
    const d = tempDir();
    const db = join(d, 'many.db');
    const lines = ['{"domain":"many"}', ...Array.from({ length: 3000 }, (_, i) => JSON.stringify({ domain: 'many', item: `i${i}`, attributes: { a: ['v'.repeat(100)] } }))];
    expect((await cli(['import', '--db', db, '-'], { stdin: lines.join('\n') + '\n' })).code).toBe(0);
    // The export is four times what a pipe holds: the reader's first piece, then the pipe closed.
    const child = spawn(process.execPath, [CLI, 'export', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect([code, stderr]).toEqual([1, 'simpledb-local export: write EPIPE\n']);
  });
});
