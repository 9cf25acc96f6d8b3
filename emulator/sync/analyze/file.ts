import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { utf16ByteOrder } from '../../core/byteOrder.js';
import type { AnalyzableEntry } from './types.js';

/** A journal file that cannot be read as one: its name, and the line at fault when there is one. */
export class JournalFileError extends Error {
  override readonly name = 'JournalFileError';
}

/** The fields the analysis relies on, checked so that a wrong file fails clearly instead of finding nothing. */
function entry(value: unknown, where: string): AnalyzableEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JournalFileError(`${where}: not a JSON object`);
  const e = value as Record<string, unknown>;
  if (typeof e.seq !== 'number') throw new JournalFileError(`${where}: no "seq" number: not a journal entry`);
  if (typeof e.code !== 'string') throw new JournalFileError(`${where}: no "code" string: not a journal entry`);
  if (e.action !== null && typeof e.action !== 'string') throw new JournalFileError(`${where}: "action" must be a string or null`);
  // Numbers the emulator gives its connections: anything else would be taken for another connection, or named as none.
  if (e.connection !== undefined && e.connection !== null && typeof e.connection !== 'number') throw new JournalFileError(`${where}: "connection" must be a number`);
  if (typeof e.params !== 'object' || e.params === null || Array.isArray(e.params)) {
    throw new JournalFileError(`${where}: no "params" object: not a journal entry`);
  }
  return e as unknown as AnalyzableEntry;
}

/**
 * Characters read at a time. A string of more than 128 KiB goes to V8's large-object space, where
 * one that lives through a young-generation collection stays until the next full one; the
 * analysis collects often, so the megabyte pieces it once read (and the joins of a piece with the
 * line it ended in the middle of) piled up there, and making each cost page faults besides. At
 * 64 KiB, reading and parsing a journal of 1,000,000 requests took half the CPU time and 25 MB
 * less memory (bench/analyze.ts; docs/analyze.md, "Performance").
 */
export const READ_CHUNK = 1 << 16;

/**
 * Streams the entries of a journal: the JSON lines of `--journal FILE` or of
 * `GET /_simpledb/journal.ndjson`, or the document of `GET /_simpledb/journal` ({latestSeq, entries}).
 */
export async function readJournal(path: string, onEntry: (e: AnalyzableEntry) => void): Promise<number> {
  let stream;
  try {
    stream = createReadStream(path, { highWaterMark: READ_CHUNK });
  } catch (err) {
    throw new JournalFileError(`${path}: ${(err as Error).message}`);
  }
  // The pieces of a line not ended yet: joined once it ends, so that a line of many pieces (a
  // large batch's entry) is not copied again with each.
  let rest: string[] = [];
  let line = 0;
  let count = 0;
  let whole: string[] | undefined;
  const take = (text: string) => {
    line++;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new JournalFileError(`${path}:${line}: not JSON (${(err as Error).message})`);
    }
    onEntry(entry(value, `${path}:${line}`));
    count++;
  };
  const pieces = async function* (): AsyncGenerator<string> {
    let decoder: StringDecoder | undefined;
    let head = Buffer.alloc(0);
    for await (const bytes of stream as AsyncIterable<Buffer>) {
      if (!decoder) {
        // The encoding is told by the first two bytes: UTF-16LE after its byte order mark, else UTF-8.
        head = Buffer.concat([head, bytes]);
        if (head.length < 2) continue;
        const utf16 = utf16ByteOrder(head);
        if (utf16 === 'BE') throw new JournalFileError(`${path}: the file is UTF-16 big-endian: save it as UTF-8`);
        decoder = new StringDecoder(utf16 === 'LE' ? 'utf16le' : 'utf8');
        yield decoder.write(head);
      } else yield decoder.write(bytes);
    }
    const rest = decoder ? decoder.end() : head.toString('utf8');
    if (rest !== '') yield rest;
  };
  try {
    let first = true;
    for await (const piece of pieces()) {
      // A byte order mark (UTF-8's, as some editors save with, or UTF-16's): not part of the first line.
      const chunk = first && piece.charCodeAt(0) === 0xfeff ? piece.slice(1) : piece;
      first = false;
      if (whole) {
        whole.push(chunk);
        continue;
      }
      if (line === 0 && rest.length === 0 && /^\s*\{\s*"latestSeq"/.test(chunk)) {
        whole = [chunk];
        continue;
      }
      let nl = chunk.indexOf('\n');
      if (nl < 0) {
        rest.push(chunk);
        continue;
      }
      if (rest.length > 0) {
        rest.push(chunk.slice(0, nl));
        take(rest.join(''));
        rest = [];
      } else take(chunk.slice(0, nl));
      let start = nl + 1;
      for (nl = chunk.indexOf('\n', start); nl >= 0; nl = chunk.indexOf('\n', start)) {
        take(chunk.slice(start, nl));
        start = nl + 1;
      }
      if (start < chunk.length) rest.push(chunk.slice(start));
    }
  } catch (err) {
    if (err instanceof JournalFileError) throw err;
    throw new JournalFileError(`${path}: ${(err as Error).message}`);
  }
  if (whole) {
    let doc: unknown;
    try {
      doc = JSON.parse(whole.join(''));
    } catch (err) {
      throw new JournalFileError(`${path}: not JSON (${(err as Error).message})`);
    }
    const entries = (doc as { entries?: unknown }).entries;
    if (!Array.isArray(entries)) throw new JournalFileError(`${path}: a journal document needs an "entries" list`);
    entries.forEach((e, i) => onEntry(entry(e, `${path}: entries[${i}]`)));
    return entries.length;
  }
  if (rest.length > 0) take(rest.join(''));
  return count;
}
