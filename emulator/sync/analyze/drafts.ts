import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NumberColumn } from './column.js';
import { EVIDENCE_ROLES, FINDING_KINDS, type Evidence, type Finding, type FindingKind } from './types.js';

/** A finding before the report numbers it and says how sure it is. */
export type Draft = Omit<Finding, 'id' | 'severity' | 'seqs' | 'clients' | 'confidence' | 'reason'> & { doubt: string | undefined };

/** Bytes per block of drafts: a draft is a few hundred. */
const BLOCK = 1 << 18;

/** How much a store holds in memory, in blocks of what size, and where its file goes (tests set all three). */
export interface DraftLimits {
  inMemory?: number;
  block?: number;
  /** The directory of the file: the system's temporary directory unless given. */
  dir?: string;
}

/** Blocks read back from the file and kept while the report is built. */
const READ_BACK = 8;

/** Bytes of drafts held in memory before the next blocks go to a file (a million requests gave 19 MB of them). */
export const DRAFTS_IN_MEMORY = 1 << 20;

const KIND_INDEX = new Map(FINDING_KINDS.map((k, i) => [k, i]));
/** By kind index: where the kind's name sorts among the others' (the report orders findings that tie on all else by it). */
const KIND_RANK = ((sorted) => FINDING_KINDS.map((k) => sorted.indexOf(k)))([...FINDING_KINDS].sort((a, b) => a.localeCompare(b)));
const ROLE_INDEX = new Map(EVIDENCE_ROLES.map((r, i) => [r, i]));

// Which optional parts a draft's record holds (its second byte).
const ACCOUNT = 1;
const DOUBT = 2;
const STEP = 4;
const EXTRA = 8;
const RUN = 16;

/** A seq (8 bytes), a role (1) and two names (4 each). */
const EVIDENCE_BYTES = 17;

// A store dropped before its report (an error while the journal streamed) still lets its file go.
const files = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
});

/**
 * The names the drafts repeat (domains, items, attributes, clients, actions), each held once and
 * written as its number: a name comes back as the one string, shared by every finding that names
 * it, and the records hold no text but their messages.
 */
class Strings {
  private readonly index = new Map<string, number>();
  readonly list: string[] = [];

  of(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.list.length;
      this.index.set(text, i);
      this.list.push(text);
    }
    return i;
  }
}

/**
 * The drafts of an analysis, held as records in buffers outside the JavaScript heap until the
 * report is built: a long journal's findings (tens of thousands at a million requests) would
 * otherwise be the largest thing the heap keeps alive while the journal streams, and each
 * collection would go over them again. A record is numbers (the names by their number in the
 * store's list of them) and its texts in UTF-16, which keeps every string exactly as it was, lone
 * surrogates included, with no escaping to do or undo. As JSON text, written and parsed for each
 * draft, adding them took twice as long, and building the report half as long again. Past
 * `inMemory` bytes the blocks go to a temporary file, removed from its directory as soon as it
 * is opened, so that they leave resident memory too and nothing stays behind if the process dies
 * (docs/analyze.md, "Performance"). A file that cannot be made leaves them in memory.
 */
export class DraftStore {
  /** Each block in memory, or where it starts in the file. */
  private readonly blocks: (Buffer | number)[] = [];
  private current: DataView | undefined;
  private used: number;
  private held = 0;
  private readonly inMemory: number;
  private readonly blockSize: number;
  private readonly dir: string | undefined;
  private fd: number | undefined;
  private fileEnd = 0;
  private noFile = false;
  private readonly strings = new Strings();
  // Per draft, as added: where its record lies, and what the report orders it by (columns of
  // numbers: nothing in the heap for the collector to follow).
  private readonly block = new NumberColumn();
  private readonly start = new NumberColumn();
  private readonly run = new NumberColumn();
  private readonly first = new NumberColumn();
  /** Its kind's rank (KIND_RANK). */
  private readonly rank = new NumberColumn();

  constructor(limits: DraftLimits = {}) {
    this.inMemory = limits.inMemory ?? DRAFTS_IN_MEMORY;
    this.blockSize = this.used = limits.block ?? BLOCK;
    this.dir = limits.dir;
  }

  add(d: Draft): void {
    const extra = d.items || d.cycle || d.conditional ? JSON.stringify({ items: d.items, cycle: d.cycle, conditional: d.conditional }) : undefined;
    const flags =
      (d.account !== undefined ? ACCOUNT : 0) | (d.doubt !== undefined ? DOUBT : 0) | (d.step !== undefined ? STEP : 0) | (extra !== undefined ? EXTRA : 0) | (d.run !== undefined ? RUN : 0);
    const bytes =
      2 +
      (flags & RUN ? 4 : 0) +
      (flags & ACCOUNT ? 4 : 0) +
      12 +
      4 * d.attributes.length +
      4 +
      EVIDENCE_BYTES * d.evidence.length +
      4 +
      2 * d.message.length +
      (d.doubt !== undefined ? 4 + 2 * d.doubt.length : 0) +
      (flags & STEP ? 8 : 0) +
      (extra !== undefined ? 4 + 2 * extra.length : 0);
    if (this.used + bytes > this.blockSize) this.nextBlock(bytes);
    const last = this.blocks.length - 1;
    const buffer = this.blocks[last] as Buffer;
    const view = this.current as DataView;
    const strings = this.strings;
    let p = this.used;
    this.block.push(last);
    this.start.push(p);
    const kind = KIND_INDEX.get(d.kind) as number;
    view.setUint8(p, kind);
    view.setUint8(p + 1, flags);
    p += 2;
    if (flags & RUN) {
      view.setInt32(p, d.run as number, true);
      p += 4;
    }
    if (flags & ACCOUNT) {
      view.setInt32(p, strings.of(d.account as string), true);
      p += 4;
    }
    view.setInt32(p, strings.of(d.domain), true);
    view.setInt32(p + 4, strings.of(d.item), true);
    view.setInt32(p + 8, d.attributes.length, true);
    p += 12;
    for (let i = 0; i < d.attributes.length; i++, p += 4) view.setInt32(p, strings.of(d.attributes[i] as string), true);
    view.setInt32(p, d.evidence.length, true);
    p += 4;
    let first = d.evidence.length === 0 ? 0 : Number.POSITIVE_INFINITY;
    for (let i = 0; i < d.evidence.length; i++, p += EVIDENCE_BYTES) {
      const e = d.evidence[i] as Evidence;
      view.setFloat64(p, e.seq, true);
      view.setUint8(p + 8, ROLE_INDEX.get(e.role) as number);
      view.setInt32(p + 9, strings.of(e.client), true);
      view.setInt32(p + 13, strings.of(e.action), true);
      first = Math.min(first, e.seq);
    }
    p = text(buffer, view, p, d.message);
    if (d.doubt !== undefined) p = text(buffer, view, p, d.doubt);
    if (flags & STEP) {
      view.setFloat64(p, d.step as number, true);
      p += 8;
    }
    if (extra !== undefined) p = text(buffer, view, p, extra);
    this.used = p;
    this.run.push(d.run ?? 0);
    this.first.push(first);
    this.rank.push(KIND_RANK[kind] as number);
  }

  /** Whether some drafts are in the file: for the tests. */
  get spilled(): boolean {
    return this.fd !== undefined;
  }

  /** Every draft, by run, then first request, then kind; those equal in all three as they came. Then the file is closed. */
  *ordered(): Generator<Draft> {
    const { run, first, rank } = this;
    const order = Array.from({ length: run.length }, (_, i) => i);
    order.sort((a, b) => run.at(a) - run.at(b) || first.at(a) - first.at(b) || rank.at(a) - rank.at(b) || a - b);
    // Blocks read back from the file, the newest few: the report's order goes back and forth
    // among the blocks of one window's findings, rarely further.
    const read = new Map<number, Buffer>();
    const views = new Map<Buffer, DataView>();
    const viewOf = (b: Buffer) => {
      let v = views.get(b);
      if (!v) views.set(b, (v = new DataView(b.buffer, b.byteOffset, b.byteLength)));
      return v;
    };
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
              if (spare) views.delete(spare);
            }
            cached = spare !== undefined && spare.buffer.byteLength >= length ? Buffer.from(spare.buffer, 0, length) : Buffer.allocUnsafeSlow(length);
            readFully(this.fd as number, cached, length, block);
          }
          read.set(b, cached);
          block = cached;
        }
        yield this.draftAt(block, viewOf(block), this.start.at(i));
      }
    } finally {
      this.close();
    }
  }

  /** The draft whose record starts at `p`. */
  private draftAt(buffer: Buffer, view: DataView, p: number): Draft {
    const names = this.strings.list;
    const kind = FINDING_KINDS[view.getUint8(p)] as FindingKind;
    const flags = view.getUint8(p + 1);
    p += 2;
    let run: number | undefined;
    if (flags & RUN) {
      run = view.getInt32(p, true);
      p += 4;
    }
    let account: string | undefined;
    if (flags & ACCOUNT) {
      account = names[view.getInt32(p, true)];
      p += 4;
    }
    const domain = names[view.getInt32(p, true)] as string;
    const item = names[view.getInt32(p + 4, true)] as string;
    const attributes = new Array<string>(view.getInt32(p + 8, true));
    p += 12;
    for (let i = 0; i < attributes.length; i++, p += 4) attributes[i] = names[view.getInt32(p, true)] as string;
    const evidence = new Array<Evidence>(view.getInt32(p, true));
    p += 4;
    for (let i = 0; i < evidence.length; i++, p += EVIDENCE_BYTES) {
      evidence[i] = {
        seq: view.getFloat64(p, true),
        role: EVIDENCE_ROLES[view.getUint8(p + 8)] as Evidence['role'],
        client: names[view.getInt32(p + 9, true)] as string,
        action: names[view.getInt32(p + 13, true)] as string,
      };
    }
    let length = view.getInt32(p, true);
    const message = buffer.toString('utf16le', p + 4, (p += 4 + 2 * length));
    let doubt: string | undefined;
    if (flags & DOUBT) {
      length = view.getInt32(p, true);
      doubt = buffer.toString('utf16le', p + 4, (p += 4 + 2 * length));
    }
    let step: number | undefined;
    if (flags & STEP) {
      step = view.getFloat64(p, true);
      p += 8;
    }
    let extra: Pick<Draft, 'items' | 'cycle' | 'conditional'> = {};
    if (flags & EXTRA) {
      length = view.getInt32(p, true);
      extra = JSON.parse(buffer.toString('utf16le', p + 4, p + 4 + 2 * length)) as typeof extra;
    }
    // Every field, the absent ones undefined: one shape for every draft, as the report reads them.
    return { kind, doubt, run, account, domain, item, items: extra.items, attributes, evidence, cycle: extra.cycle, conditional: extra.conditional, message, step };
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
    const block = reuse && reuse.length >= size ? reuse : Buffer.allocUnsafe(size);
    this.blocks.push(block);
    this.current = new DataView(block.buffer, block.byteOffset, block.byteLength);
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

/** A text's length in UTF-16 code units, then the code units: every string as it was, unpaired surrogates too. */
function text(buffer: Buffer, view: DataView, p: number, value: string): number {
  view.setInt32(p, value.length, true);
  return p + 4 + buffer.write(value, p + 4, 'utf16le');
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
