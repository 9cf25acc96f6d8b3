import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NumberColumn } from './column.js';
import type { Finding, FindingKind } from './types.js';

/** A finding before the report numbers it and says how sure it is. */
export type Draft = Omit<Finding, 'id' | 'severity' | 'seqs' | 'clients' | 'confidence' | 'reason'> & { doubt: string | undefined };

/** Bytes per block of JSON text: a draft is a few hundred. */
const BLOCK = 1 << 20;

/** How much a store holds in memory, in blocks of what size, and where its file goes (tests set all three). */
export interface DraftLimits {
  inMemory?: number;
  block?: number;
  /** The directory of the file: the system's temporary directory unless given. */
  dir?: string;
}

/** Blocks read back from the file and kept while the report is built. */
const READ_BACK = 8;

/** Bytes of drafts held in memory before the next blocks go to a file (a million requests gave 33 MB of them). */
export const DRAFTS_IN_MEMORY = 4 << 20;

// A store dropped before its report (an error while the journal streamed) still lets its file go.
const files = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
});

/**
 * The drafts of an analysis, held as JSON text outside the JavaScript heap until the report is
 * built: a long journal's findings (tens of thousands at a million requests) would otherwise be
 * the largest thing the heap keeps alive while the journal streams, and each collection would go
 * over them again. Past `inMemory` bytes the blocks go to a temporary file, removed from its
 * directory as soon as it is opened, so that they leave resident memory too and nothing stays
 * behind if the process dies (docs/analyze.md, "Performance"). A file that cannot be made
 * leaves them in memory.
 */
export class DraftStore {
  /** Each block in memory, or where it starts in the file. */
  private readonly blocks: (Buffer | number)[] = [];
  private used: number;
  private held = 0;
  private readonly inMemory: number;
  private readonly blockSize: number;
  private readonly dir: string | undefined;
  private fd: number | undefined;
  private fileEnd = 0;
  private noFile = false;
  // Per draft, as added: where its text lies, and what the report orders it by (columns of
  // numbers, and the kinds' shared strings: nothing for the collector to follow).
  private readonly block = new NumberColumn();
  private readonly start = new NumberColumn();
  private readonly end = new NumberColumn();
  private readonly run = new NumberColumn();
  private readonly first = new NumberColumn();
  private readonly kind: FindingKind[] = [];

  constructor(limits: DraftLimits = {}) {
    this.inMemory = limits.inMemory ?? DRAFTS_IN_MEMORY;
    this.blockSize = this.used = limits.block ?? BLOCK;
    this.dir = limits.dir;
  }

  add(d: Draft): void {
    const text = JSON.stringify(d);
    const bytes = Buffer.byteLength(text);
    if (this.used + bytes > this.blockSize) this.nextBlock(bytes);
    const last = this.blocks.length - 1;
    (this.blocks[last] as Buffer).write(text, this.used, 'utf8');
    this.block.push(last);
    this.start.push(this.used);
    this.end.push((this.used += bytes));
    this.run.push(d.run ?? 0);
    let first = d.evidence.length === 0 ? 0 : Number.POSITIVE_INFINITY;
    for (const e of d.evidence) first = Math.min(first, e.seq);
    this.first.push(first);
    this.kind.push(d.kind);
  }

  /** Whether some drafts are in the file: for the tests. */
  get spilled(): boolean {
    return this.fd !== undefined;
  }

  /** Every draft, by run, then first request, then kind; those equal in all three as they came. Then the file is closed. */
  *ordered(): Generator<Draft> {
    const { run, first, kind } = this;
    const order = Array.from({ length: run.length }, (_, i) => i);
    order.sort((a, b) => run.at(a) - run.at(b) || first.at(a) - first.at(b) || (kind[a] as string).localeCompare(kind[b] as string) || a - b);
    // Blocks read back from the file, the newest few: the report's order goes back and forth
    // among the blocks of one window's findings, rarely further.
    const read = new Map<number, Buffer>();
    try {
      for (const i of order) {
        const b = this.block.at(i);
        let block = this.blocks[b] as Buffer | number;
        if (typeof block === 'number') {
          let cached = read.get(b);
          // Least recently used goes first: the map's order is the order of use.
          if (cached) read.delete(b);
          else {
            const length = (typeof this.blocks[b + 1] === 'number' ? (this.blocks[b + 1] as number) : this.fileEnd) - block;
            // The block let go makes room for this one: a buffer allocated for each block read back
            // stays resident, outside the heap, until the collector finds it dead.
            let spare: Buffer | undefined;
            if (read.size >= READ_BACK) {
              const oldest = read.keys().next().value as number;
              spare = read.get(oldest);
              read.delete(oldest);
            }
            cached = spare !== undefined && spare.buffer.byteLength >= length ? Buffer.from(spare.buffer, 0, length) : Buffer.allocUnsafeSlow(length);
            readFully(this.fd as number, cached, length, block);
          }
          read.set(b, cached);
          block = cached;
        }
        yield JSON.parse(block.toString('utf8', this.start.at(i), this.end.at(i))) as Draft;
      }
    } finally {
      this.close();
    }
  }

  /** Seals the block being filled (to the file, past the memory allowed) and starts one that holds `bytes`. */
  private nextBlock(bytes: number): void {
    const last = this.blocks.length - 1;
    const full = this.blocks[last];
    let reuse: Buffer | undefined;
    if (full instanceof Buffer) {
      if (this.held + full.length > this.inMemory && this.openFile()) {
        writeFully(this.fd as number, full, this.used, this.fileEnd);
        this.blocks[last] = this.fileEnd;
        this.fileEnd += this.used;
        reuse = full;
      } else this.held += full.length;
    }
    const size = Math.max(this.blockSize, bytes);
    this.blocks.push(reuse && reuse.length >= size ? reuse : Buffer.allocUnsafe(size));
    this.used = 0;
  }

  private openFile(): boolean {
    if (this.fd !== undefined) return true;
    if (this.noFile) return false;
    const path = join(this.dir ?? tmpdir(), `simpledb-findings-${process.pid}-${randomUUID()}`);
    let fd: number | undefined;
    try {
      // Made anew (never an existing file or link), readable by this user alone, and unlinked at once.
      fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
    } catch {
      if (fd !== undefined) closeSync(fd);
      this.noFile = true;
      return false;
    }
    this.fd = fd;
    files.register(this, fd, this);
    return true;
  }

  private close(): void {
    if (this.fd === undefined) return;
    files.unregister(this);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

function writeFully(fd: number, buffer: Buffer, length: number, position: number): void {
  for (let done = 0; done < length; ) done += writeSync(fd, buffer, done, length - done, position + done);
}

function readFully(fd: number, buffer: Buffer, length: number, position: number): void {
  for (let done = 0; done < length; ) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new Error('the findings file ended early');
    done += n;
  }
}
