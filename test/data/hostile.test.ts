// Hostile input and failures: what cannot come back byte-exact is refused with its line
// and byte offset, messages keep their reason and never echo raw bytes, and a failed export, import
// or mirror leaves the files it found as they were and creates none.
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../emulator/data/import.js';
import { startEmulator } from '../../emulator/index.js';
import { cli, removeTempDirs, tempDir } from './support.js';

afterAll(removeTempDirs);

const good = '{"domain":"users","item":"u1","attributes":{"a":["1"]}}\n';
/** Nothing a terminal would act on: no C0 control but the newline, no DEL, no C1, no U+FFFD. */
const expectPrintable = (text: string) => expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufffd]/);

/** An import into a new database file that must fail, leaving no database file behind. */
async function refusedImport(content: Buffer | string): Promise<string> {
  const dir = tempDir();
  writeFileSync(join(dir, 'in.ndjson'), content);
  const db = join(dir, 'new.db');
  const run = await cli(['import', '--db', db, join(dir, 'in.ndjson')]);
  expect(run.code, run.stderr).toBe(1);
  expect(readdirSync(dir)).toEqual(['in.ndjson']);
  expectPrintable(run.stderr);
  return run.stderr;
}

describe('import refuses what would not round-trip', () => {
  it('invalid UTF-8: the line, the byte offset in the file and in the line, the bytes in hex', async () => {
    const bad = Buffer.concat([Buffer.from(good), Buffer.from('{"domain":"users","item":"u2","attributes":{"a":["x'), Buffer.from([0xff, 0xfe]), Buffer.from('y"]}}\n')]);
    const stderr = await refusedImport(bad);
    const lineStart = Buffer.byteLength(good);
    const inLine = Buffer.byteLength('{"domain":"users","item":"u2","attributes":{"a":["x');
    expect(stderr).toContain(`in.ndjson:2: not UTF-8: invalid byte sequence at byte ${lineStart + inLine} of the input (byte ${inLine} of the line), starting 0xFF 0xFE 0x79 0x22`);
  });

  it('a UTF-16 file (what Windows PowerShell 5 writes with `>`) is named as such', async () => {
    const le = await refusedImport(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')]));
    expect(le).toContain('in.ndjson:1: not UTF-8: the input is UTF-16 (it starts with the byte order mark 0xFF 0xFE): save it as UTF-8');
    const be = await refusedImport(Buffer.from(`\ufeff${good}`, 'utf16le').swap16());
    expect(be).toContain('in.ndjson:1: not UTF-8: the input is UTF-16 (it starts with the byte order mark 0xFE 0xFF): save it as UTF-8');
  });

  it('a key given twice in one object is refused with the line and the key, spelled as JSON spells it or escaped', async () => {
    const twice = await refusedImport(`${good}{"domain":"users","item":"u2","attributes":{"x":["1"],"x":["2"]}}\n`);
    expect(twice).toContain('in.ndjson:2: attribute "x" appears twice in "attributes"; JSON keeps only the last list');
    // The same name written once plainly and once as an escape, with spaces and CRLF: still one name.
    const escaped = await refusedImport('{ "domain": "users", "item": "u1",\t"attributes": { "ax": ["1"], "a\\u0078": ["2"] } }\r\n');
    expect(escaped).toContain('in.ndjson:1: attribute "ax" appears twice in "attributes"');
    const field = await refusedImport('{"domain":"users","domain":"other"}\n');
    expect(field).toContain('in.ndjson:1: key "domain" appears twice in one object; JSON keeps only the last');
    // Keys repeated across objects, and key-like text inside values, are no duplicates.
    const dir = tempDir();
    writeFileSync(join(dir, 'ok.ndjson'), '{"domain":"users","item":"u1","attributes":{"x":["\\"x\\":[", "{\\"x\\"}"], "y": ["x"]}}\n{"domain":"users","item":"u2","attributes":{"x":["1"]}}\n');
    expect(await cli(['import', '--db', join(dir, 'ok.db'), join(dir, 'ok.ndjson')])).toMatchObject({ code: 0 });
  });

  it('an encoded surrogate or an overlong form is not UTF-8 either', async () => {
    const surrogate = await refusedImport(Buffer.concat([Buffer.from('{"domain":"users","item":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","attributes":{"a":["1"]}}\n')]));
    expect(surrogate).toContain('in.ndjson:1: not UTF-8: invalid byte sequence at byte 26 of the input (byte 26 of the line), starting 0xED 0xA0 0x80');
    const overlong = await refusedImport(Buffer.concat([Buffer.from('{"domain":"users","item":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","attributes":{"a":["1"]}}\n')]));
    expect(overlong).toContain('starting 0xC0 0xAF');
  });

  it('a lone surrogate escape ("x\\ud800y", or a low one alone) is refused with where it is; a pair is kept', async () => {
    const high = await refusedImport('{"domain":"users","item":"u1","attributes":{"a":["x\\ud800y"]}}\n');
    expect(high).toContain('in.ndjson:1: attribute "a" value 1: a lone surrogate (the escape at byte 51 of the line); UTF-8 cannot hold it, so it would not come back as written');
    const low = await refusedImport('{"domain":"users","item":"\\ud83d\\ude00\\ude00","attributes":{"a":["1"]}}\n');
    expect(low).toContain('"item": a lone surrogate (the escape at byte 38 of the line)');
    const name = await refusedImport('{"domain":"users","item":"u","attributes":{"\\udc00":["1"]}}\n');
    expect(name).toContain('attribute "\\u{DC00}" (its name): a lone surrogate');

    const dir = tempDir();
    writeFileSync(join(dir, 'pair.ndjson'), '{"domain":"users","item":"\\ud83d\\ude00","attributes":{"a":["1"]}}\n');
    expect((await cli(['import', '--db', join(dir, 'x.db'), join(dir, 'pair.ndjson')])).code).toBe(0);
    expect((await cli(['export', '--db', join(dir, 'x.db')])).stdout).toContain('"item":"😀"');
  });

  it('a byte order mark opening the file is skipped; one on a later line is refused by name', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bom.ndjson'), `\ufeff${good}`);
    const run = await cli(['import', '--db', join(dir, 'x.db'), join(dir, 'bom.ndjson')]);
    expect(run.code, run.stderr).toBe(0);
    expect((await cli(['export', '--db', join(dir, 'x.db')])).stdout).toBe(`{"domain":"users"}\n${good}`);

    const stderr = await refusedImport(`${good}\ufeff${good}`);
    expect(stderr).toContain('in.ndjson:2: a byte order mark (U+FEFF) opens this line; only the first line of a file may have one');
  });

  it('a value over 1,024 bytes: the message names the attribute and the limit, with the value cut short', async () => {
    const stderr = await refusedImport(JSON.stringify({ domain: 'users', item: 'u1', attributes: { a: ['ok', 'v'.repeat(1100)] } }) + '\n');
    const line = stderr.split('\n').find((l) => l.startsWith(`${'in.ndjson'}`) || l.includes('in.ndjson:1:')) ?? '';
    expect(line).toMatch(/in\.ndjson:1: attribute "a" value 2: InvalidParameterValue: Value \(v{60}… \(1100 bytes\)\) for parameter Value is invalid\. Value exceeds maximum length of 1024\.$/);
    const item = await refusedImport(JSON.stringify({ domain: 'users', item: 'é'.repeat(600), attributes: { a: ['1'] } }) + '\n');
    expect(item).toMatch(/"item": InvalidParameterValue: Value \(é{60}… \(1200 bytes\)\) for parameter Item is invalid\. Value exceeds max length of 1024\./);
  });

  it('a binary file: escaped control characters in the message, never the raw bytes', async () => {
    const stderr = await refusedImport(Buffer.from('\u0001\u0002\u001b[31mred\u0007\u009b\n'));
    expect(stderr).toContain('in.ndjson:1: not JSON: ');
    expect(stderr).toContain('\\u{0001}');
    const raw = await refusedImport(Buffer.from([0x00, 0x01, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(raw).toContain('in.ndjson:1: not UTF-8');
  });

  it('a database path that cannot be opened is named', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.ndjson'), good);
    const db = join(dir, 'no-such-dir', 'x.db');
    const run = await cli(['import', '--db', db, join(dir, 'in.ndjson')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`simpledb-local import: --db ${db}: Cannot open database because the directory does not exist`);
  });

  it('firstInvalidUtf8 agrees with a strict decoder on any bytes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 10 }), (noise, text) => {
        const bytes = Buffer.concat([Buffer.from(text), noise]);
        const at = firstInvalidUtf8(bytes);
        let valid = true;
        try {
          strict.decode(bytes);
        } catch {
          valid = false;
        }
        expect(at === bytes.length).toBe(valid);
        expect(() => strict.decode(bytes.subarray(0, at))).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe('a failure destroys nothing', () => {
  it('export --out over an existing file: an unknown domain or an unreachable endpoint leaves it as it was', async () => {
    const dir = tempDir();
    const db = join(dir, 'x.db');
    writeFileSync(join(dir, 'in.ndjson'), good);
    expect((await cli(['import', '--db', db, join(dir, 'in.ndjson')])).code).toBe(0);
    const out = join(dir, 'existing.ndjson');
    writeFileSync(out, 'precious\n');

    const unknown = await cli(['export', '--db', db, '--domain', 'nope', '--out', out]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no such domain: nope');
    expect(readFileSync(out, 'utf8')).toBe('precious\n');

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await cli(['export', '--endpoint', `http://127.0.0.1:${port}`, '--out', out]);
    expect(unreachable.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    expect(readdirSync(dir).sort()).toEqual(['existing.ndjson', 'in.ndjson', 'x.db']);

    const ok = await cli(['export', '--db', db, '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`{"domain":"users"}\n${good}`);
    expect(readdirSync(dir).sort()).toEqual(['existing.ndjson', 'in.ndjson', 'x.db']);
  });

  it('export --out into a directory that does not exist names it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.ndjson'), good);
    await cli(['import', '--db', join(dir, 'x.db'), join(dir, 'in.ndjson')]);
    const run = await cli(['export', '--db', join(dir, 'x.db'), '--out', join(dir, 'missing', 'out.ndjson')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--out ${join(dir, 'missing', 'out.ndjson')}: cannot write in ${join(dir, 'missing')} (ENOENT)`);
  });

  it('a failed import into an existing database keeps it and what it held', async () => {
    const dir = tempDir();
    const db = join(dir, 'x.db');
    writeFileSync(join(dir, 'in.ndjson'), good);
    writeFileSync(join(dir, 'bad.ndjson'), 'nope\n');
    await cli(['import', '--db', db, join(dir, 'in.ndjson')]);
    expect((await cli(['import', '--db', db, join(dir, 'bad.ndjson')])).code).toBe(1);
    expect((await cli(['export', '--db', db])).stdout).toBe(`{"domain":"users"}\n${good}`);
  });

  it('mirror into a new --db from a source that cannot be reached leaves no database and no checkpoint', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'work'));
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await cli(['mirror', '--from', `http://127.0.0.1:${port}`, '--db', 'copy.db'], { cwd: join(dir, 'work') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('mirror: copy.db was not kept (no page was copied)');
    expect(readdirSync(join(dir, 'work'))).toEqual([]);
    expect(existsSync(join(dir, 'work', 'copy.db'))).toBe(false);
  });

  it('a fixture that is not UTF-8 stops a start, naming the file, line and byte', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.ndjson'), Buffer.from([0x7b, 0xff, 0x0a]));
    await expect(startEmulator({ port: 0, load: [join(dir, 'bad.ndjson')] })).rejects.toThrow(
      `fixture ${join(dir, 'bad.ndjson')} line 1: not UTF-8: invalid byte sequence at byte 1 of the input (byte 1 of the line), starting 0xFF`,
    );
  });
});
