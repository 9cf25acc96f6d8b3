import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { integerText, settingError } from '../core/input.js';

/** A journal file rotates once it would pass this many bytes (about 100,000 requests); 0: never. */
export const JOURNAL_FILE_MAX_BYTES = 64 * 1024 * 1024;
/** Rotated files kept beside the current one: FILE.1 (the newest) to FILE.N. */
export const JOURNAL_FILES_KEPT = 3;

/**
 * The `--journal` file: JSON lines appended synchronously, so a test in the same process can
 * read it as soon as it has the response. At about 600 bytes a request a busy emulator writes
 * megabytes a second, so past `maxBytes` the file is renamed FILE.1 (FILE.1 becomes FILE.2, and
 * so on, the oldest beyond `keep` deleted) and a new FILE begins, as logrotate would leave them.
 */
export class JournalFile {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    readonly maxBytes = JOURNAL_FILE_MAX_BYTES,
    readonly keep = JOURNAL_FILES_KEPT,
  ) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw settingError('journalMaxBytes', 'a whole number of bytes, 0 for no limit');
    if (!Number.isInteger(keep) || keep < 0 || keep > 1000) throw settingError('journalFiles', 'a whole number from 0 to 1000');
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  /** One line; the file rotates first when the line would take it past the limit (a longer line gets a file of its own). */
  append(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.maxBytes > 0 && this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    writeSync(this.fd, line);
    this.size += bytes;
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }
}

/** --journal-max-bytes: a size in bytes, 0 to never rotate. */
export function parseJournalMaxBytes(text: string): number {
  return integerText('journalMaxBytes', text, 0, Number.MAX_SAFE_INTEGER);
}

/** --journal-files: rotated files kept, 0 to 1,000. */
export function parseJournalFiles(text: string): number {
  return integerText('journalFiles', text, 0, 1000);
}
