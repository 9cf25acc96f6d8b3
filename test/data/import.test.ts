// Import: every line checked with the service's rules before anything is kept, bad
// lines reported by number, merge versus --replace, limits, fixtures at start.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importLines, readLines } from '../../emulator/data/import.js';
import { exportStore } from '../../emulator/data/export.js';
import { startEmulator, Store } from '../../emulator/index.js';
import { CLI, cli, removeTempDirs, stateOf, tempDir } from './support.js';

const lines = (...texts: string[]) => readLines('-', Readable.from([texts.join('\n')]));
const item = (domain: string, name: string, attributes: Record<string, string[]>) => JSON.stringify({ domain, item: name, attributes });
const dump = (store: Store) => [...exportStore(store)].join('');

let store: Store;
beforeEach(() => {
  store = new Store();
});
afterEach(() => store.close());
afterAll(removeTempDirs);

describe('importLines', () => {
  it('creates domains as needed, empty ones from a domain line', async () => {
    const r = await importLines(store, lines('{"domain":"empty"}', item('users', 'u1', { a: ['1', '2'] }), ''));
    expect(r).toEqual({ items: 1, pairs: 2, domainsCreated: 2, errors: [], committed: true });
    expect(dump(store)).toBe('{"domain":"empty"}\n{"domain":"users"}\n{"domain":"users","item":"u1","attributes":{"a":["1","2"]}}\n');
  });

  it('reports every bad line with its number and writes nothing of that input', async () => {
    const r = await importLines(
      store,
      lines(item('users', 'u1', { a: ['1'] }), '{"domain":"users","item":"u2"}', '', 'not json', item('users', 'u3', { b: ['2'] })),
    );
    expect(r.committed).toBe(false);
    expect(r.errors).toEqual([
      { line: 2, reason: 'an item needs "attributes": an object of attribute name to a list of values' },
      { line: 4, reason: expect.stringMatching(/^not JSON: /) as string },
    ]);
    expect(dump(store)).toBe('');
  });

  it('--skip-bad writes the good lines and still reports the bad ones', async () => {
    const r = await importLines(store, lines(item('users', 'u1', { a: ['1'] }), '{"domain":"x"}', item('users', 'u2', { a: ['2'] })), { skipBad: true });
    expect(r).toMatchObject({ items: 2, committed: true, errors: [{ line: 2, reason: expect.stringContaining('InvalidParameterValue') as string }] });
    expect(dump(store)).toContain('"item":"u2"');
  });

  it('merges into stored items by default; --replace makes each item exactly the line', async () => {
    await importLines(store, lines(item('users', 'u1', { a: ['1'], b: ['old'] })));
    await importLines(store, lines(item('users', 'u1', { a: ['2'] })));
    expect(dump(store)).toContain('"attributes":{"a":["1","2"],"b":["old"]}');
    await importLines(store, lines(item('users', 'u1', { a: ['3'] })), { replace: true });
    expect(dump(store)).toContain('"item":"u1","attributes":{"a":["3"]}}');
  });

  it('checks the limits a write reaches: 256 pairs after merging, the domain count, a domain’s pairs', async () => {
    const many = (n: number, p: string) => Object.fromEntries(Array.from({ length: n }, (_, k) => [`${p}${k}`, ['v']]));
    await importLines(store, lines(item('users', 'u1', many(200, 'a'))));
    const over = await importLines(store, lines(item('users', 'u2', { x: ['1'] }), item('users', 'u1', many(57, 'b'))));
    expect(over.errors).toEqual([{ line: 2, reason: 'NumberItemAttributesExceeded: Too many attributes in this item.' }]);

    const domains = await importLines(store, lines('{"domain":"aaa"}', '{"domain":"bbb"}', '{"domain":"ccc"}'), { limits: { maxDomains: 3 } });
    expect(domains.errors).toEqual([{ line: 3, reason: 'NumberDomainsExceeded: The domain limit was exceeded.' }]);

    const pairs = await importLines(store, lines(item('small', 'i1', { a: ['1', '2'] }), item('small', 'i2', { a: ['1', '2'] })), {
      limits: { maxDomainPairs: 3 },
      skipBad: true,
    });
    expect(pairs.errors).toEqual([{ line: 2, reason: 'NumberDomainAttributesExceeded: Too many attributes in this domain.' }]);
    // The failed item was undone alone.
    expect(dump(store)).toContain('{"domain":"small","item":"i1","attributes":{"a":["1","2"]}}\n');
    expect(dump(store)).not.toContain('"i2"');
  });
});

describe('import command', () => {
  it('reads standard input with -, reports FILE:LINE and exits 1 without writing; later files are not read', async () => {
    const dir = tempDir();
    const db = join(dir, 'd.db');
    const later = join(dir, 'later.ndjson');
    writeFileSync(later, item('users', 'later', { a: ['1'] }) + '\n');
    const run = await cli(['import', '--db', db, '-', later], {
      stdin: `${item('users', 'u1', { a: ['1'] })}\r\n{"domain":"users","item":"u2","attributes":{"a":[1]}}\r\n`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      '-:2: attribute "a": values are strings, not number\n' +
        'import: -: 1 bad line; nothing written (--skip-bad writes the rest)\n' +
        `import: ${later}: not read (an earlier file failed)\n` +
        `import: ${db} was not kept (nothing was written to it)\n`,
    );
    expect(existsSync(db)).toBe(false);
  });

  it('a file it cannot read fails the command before any database is made: its error alone, exit 1', async () => {
    const dir = tempDir();
    const db = join(dir, 'd.db');
    const good = join(dir, 'good.ndjson');
    writeFileSync(good, item('users', 'u1', { a: ['1'] }) + '\n');
    const missing = await cli(['import', '--db', db, good, join(dir, 'typo.ndjson')]);
    expect([missing.code, missing.stderr]).toEqual([1, `simpledb-local import: ENOENT: no such file or directory, access '${join(dir, 'typo.ndjson')}'\n`]);
    const directory = await cli(['import', '--db', db, dir]);
    expect([directory.code, directory.stderr]).toEqual([1, `simpledb-local import: ${dir}: a directory, not an NDJSON file\n`]);
    expect(existsSync(db)).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('reads a named pipe, its writer left running by the check of the files', async () => {
    const dir = tempDir();
    const db = join(dir, 'd.db');
    const pipe = join(dir, 'items.fifo');
    execFileSync('mkfifo', [pipe]);
    const importing = cli(['import', '--db', db, pipe]);
    // Opening the pipe to write waits for the import to open it to read.
    await writeFile(pipe, item('users', 'u1', { a: ['1'] }) + '\n');
    const run = await importing;
    expect([run.code, run.stderr]).toEqual([0, `import: ${pipe}: 1 item, 1 pair, 1 new domain\n`]);
  });
});

describe('fixtures at start', () => {
  it('startEmulator({ load }) serves the fixtures; a bad one stops the start naming file and line', async () => {
    const dir = tempDir();
    const good = join(dir, 'good.ndjson');
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(good, `{"domain":"empty"}\n${item('users', 'u1', { a: ['1'] })}\n`);
    writeFileSync(bad, `${item('users', 'u2', { a: ['1'] })}\n\n{"domain":"users","item":"u3","attributes":{"a":["${'x'.repeat(1025)}"]}}\n`);
    const emu = await startEmulator({ port: 0, load: [good] });
    try {
      expect(emu.control.journal()).toEqual([]);
      expect(await stateOf(emu.url)).toEqual({ empty: {}, users: { u1: { a: ['1'] } } });
    } finally {
      await emu.close();
    }
    await expect(startEmulator({ port: 0, load: [good, bad] })).rejects.toThrow(
      new RegExp(`^fixture ${bad} line 3: attribute "a" value 1: InvalidParameterValue: Value \\(x{60}… \\(1025 bytes\\)\\) for parameter Value is invalid\\. Value exceeds maximum length of 1024\\.$`),
    );
    await expect(startEmulator({ port: 0, load: [join(dir, 'missing.ndjson')] })).rejects.toThrow(/^cannot load fixture .*missing\.ndjson: ENOENT/);
  });

  it('the CLI loads --load files before the ready line, and SIMPLEDB_LOCAL_LOAD refuses to start on a bad one', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    writeFileSync(a, item('users', 'a', { v: ['1'] }) + '\n');
    writeFileSync(b, '{"domain":"users","item":"b"}\n');
    const child = spawn(process.execPath, [CLI, '--port', '0', '--log-level', 'silent', '--load', a], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const url = /listening on (\S+)$/.exec(line)?.[1] ?? '';
      expect(await stateOf(url)).toEqual({ users: { a: { v: ['1'] } } });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    const run = await cli(['--port', '0'], { env: { SIMPLEDB_LOCAL_LOAD: `${a}:${b}` } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`simpledb-local: cannot start: fixture ${b} line 1: an item needs "attributes"`);
    expect(run.stdout).toBe('');
  });
});
