// A journal file is read in pieces of READ_CHUNK characters (emulator/sync/analyze/file.ts): every
// line must come back whole, whatever piece boundaries it straddles, however many pieces it takes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { READ_CHUNK, readJournal } from '../../emulator/sync/analyze/file.js';
import { Analyzer, type AnalyzableEntry } from '../../emulator/sync/analyze/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sdb-journal-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (seq: number, value: string): AnalyzableEntry =>
  ({
    seq,
    code: 'Success',
    action: 'PutAttributes',
    params: { Action: 'PutAttributes', DomainName: 'd', ItemName: `i${seq}`, 'Attribute.1.Name': 'n', 'Attribute.1.Value': value },
  }) as AnalyzableEntry;

async function readBack(text: string): Promise<AnalyzableEntry[]> {
  const path = join(dir, `j${Math.random()}.ndjson`);
  writeFileSync(path, text);
  const out: AnalyzableEntry[] = [];
  const count = await readJournal(path, (e) => out.push(e));
  expect(count).toBe(out.length);
  return out;
}

describe('reading a journal file in pieces', () => {
  it('gives back every line whole: lines across piece boundaries, lines of many pieces, characters of two to four bytes on the boundaries', async () => {
    const entries: AnalyzableEntry[] = [];
    // Values of every length around a piece, of one- to four-byte characters, so that some
    // lines end, and some characters fall, exactly where a piece does.
    const chars = ['a', 'é', '€', '😀'];
    for (let i = 0; i < 120; i++) entries.push(entry(i + 1, (chars[i % 4] as string).repeat(37 * i + (i % 7))));
    entries.push(entry(121, 'é😀'.repeat(READ_CHUNK * 2)), entry(122, 'x'.repeat(READ_CHUNK - 3)), entry(123, ''));
    const text = entries.map((e) => JSON.stringify(e)).join('\n');
    expect(await readBack(text)).toEqual(entries);
    expect(await readBack(`${text}\n\n`)).toEqual(entries);
    expect(await readBack(text.replaceAll('\n', '\r\n'))).toEqual(entries);
  });

  it('reads bytes that are not UTF-8 as U+FFFD, on a piece boundary too, and goes on', async () => {
    // A lone continuation byte ending the first piece, then a three-byte sequence cut short across the boundary.
    const prefix = JSON.stringify(entry(1, 'MARK')).indexOf('MARK');
    const value = 'a'.repeat(READ_CHUNK - 2 - prefix);
    const [before, after] = [JSON.stringify(entry(1, value + 'SPLIT')), JSON.stringify(entry(2, 'b'))];
    const at = before.indexOf('SPLIT');
    expect(at).toBe(READ_CHUNK - 2);
    const bytes = Buffer.concat([Buffer.from(before.slice(0, at)), Buffer.from([0x80, 0xe2, 0x82]), Buffer.from(before.slice(at) + '\n' + after + '\n')]);
    const path = join(dir, 'invalid.ndjson');
    writeFileSync(path, bytes);
    const out: AnalyzableEntry[] = [];
    expect(await readJournal(path, (e) => out.push(e))).toBe(2);
    expect(out[0]?.params['Attribute.1.Value']).toBe(value + '\ufffd\ufffdSPLIT');
    expect(out[1]).toEqual(entry(2, 'b'));
  });

  it('reads a file that starts with a byte order mark, as an editor may save one', async () => {
    const entries = [entry(1, 'a'), entry(2, 'b')];
    const lines = entries.map((e) => JSON.stringify(e)).join('\n');
    expect(await readBack(`\ufeff${lines}\n`)).toEqual(entries);
    expect(await readBack(`\ufeff${JSON.stringify({ latestSeq: 2, entries })}`)).toEqual(entries);
    // Only at the start: inside the file it is a character of a line, which is then not JSON.
    await expect(readBack(`${lines}\n\ufeff${lines}`)).rejects.toThrow(/:3: not JSON/);
  });

  it('reads a UTF-16LE file with its byte order mark (what Windows PowerShell 5 saves with `>`), and refuses UTF-16BE by name', async () => {
    // Values that put characters of two and four bytes, and the halves of a surrogate pair, across pieces.
    const entries = [entry(1, 'é😀'.repeat(READ_CHUNK / 3 + 1)), entry(2, '€'.repeat(READ_CHUNK)), entry(3, '')];
    const lines = entries.map((e) => JSON.stringify(e)).join('\r\n');
    const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const read = async (bytes: Buffer): Promise<AnalyzableEntry[]> => {
      const path = join(dir, `u${Math.random()}.ndjson`);
      writeFileSync(path, bytes);
      const out: AnalyzableEntry[] = [];
      expect(await readJournal(path, (e) => out.push(e))).toBe(out.length);
      return out;
    };
    expect(await read(utf16(`${lines}\r\n`))).toEqual(entries);
    expect(await read(utf16(JSON.stringify({ latestSeq: 3, entries })))).toEqual(entries);
    const bigEndian = Buffer.from(`\ufeff${lines}`, 'utf16le').swap16();
    await expect(read(bigEndian)).rejects.toThrow(/UTF-16 big-endian: save it as UTF-8/);
    // A file of one byte is read as UTF-8, as any other.
    expect(await read(Buffer.from('\n'))).toEqual([]);
  });

  it('refuses a connection that is not a number, naming the line; null is no connection', async () => {
    const good = JSON.stringify({ ...entry(1, 'v'), connection: 7 });
    for (const connection of ['7', 'abc', { id: 7 }, [7], true]) {
      await expect(readBack(`${good}\n${JSON.stringify({ ...entry(2, 'v'), connection })}\n`)).rejects.toThrow(/:2: "connection" must be a number$/);
    }
    const none = await readBack(`${JSON.stringify({ ...entry(1, 'v'), connection: null })}\n`);
    expect(none[0]?.connection).toBeNull();
    const a = new Analyzer();
    for (const e of none) a.add(e);
    expect(a.finish().clients).toEqual([expect.objectContaining({ by: 'user-agent', connections: [], requests: 1 })]);
  });

  it('names the line at fault, past several pieces', async () => {
    const good = JSON.stringify(entry(1, 'v'.repeat(READ_CHUNK * 3)));
    await expect(readBack(`${good}\n${good}\n{"seq": 3, "code"\n`)).rejects.toThrow(/:3: not JSON/);
  });
});
