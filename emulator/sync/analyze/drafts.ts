import type { Finding, FindingKind } from './types.js';

/** A finding before the report numbers it and says how sure it is. */
export type Draft = Omit<Finding, 'id' | 'severity' | 'seqs' | 'clients' | 'confidence' | 'reason'> & { doubt: string | undefined };

/** The report orders findings of one first request by kind, as `localeCompare` orders their names. */
const KINDS: readonly FindingKind[] = (
  ['lost-update', 'stale-read-write', 'double-applied-retry', 'write-cycle', 'read-skew', 'write-skew', 'phantom', 'conflict-storm'] as FindingKind[]
).sort((a, b) => a.localeCompare(b));

/** Bytes per block of JSON text: a draft is a few hundred. */
const BLOCK = 1 << 20;

/**
 * The drafts of an analysis, held as JSON text in blocks outside the JavaScript heap until the
 * report is built: a long journal's findings (tens of thousands at a million requests) would
 * otherwise be the largest thing the heap keeps alive while the journal streams, and each
 * collection would go over them again (docs/analyze.md, "Performance").
 */
export class DraftStore {
  private readonly blocks: Buffer[] = [];
  private used = BLOCK;
  private count = 0;
  /** Per draft: its block, offset and length in bytes; its run, first request and kind, by which the report orders them. */
  private where = new Uint32Array(0);
  private keys = new Float64Array(0);

  get size(): number {
    return this.count;
  }

  add(d: Draft): void {
    const text = JSON.stringify(d);
    const bytes = Buffer.byteLength(text);
    if (this.used + bytes > BLOCK) {
      this.blocks.push(Buffer.allocUnsafe(Math.max(BLOCK, bytes)));
      this.used = 0;
    }
    const block = this.blocks.length - 1;
    (this.blocks[block] as Buffer).write(text, this.used, 'utf8');
    if (this.count === this.keys.length / 3) this.grow();
    let first = d.evidence.length === 0 ? 0 : Number.POSITIVE_INFINITY;
    for (const e of d.evidence) first = Math.min(first, e.seq);
    const i = this.count++;
    this.where.set([block, this.used, bytes], 3 * i);
    this.keys.set([d.run ?? 0, first, KINDS.indexOf(d.kind)], 3 * i);
    this.used += bytes;
  }

  /** Every draft, by run, then first request, then kind; those equal in all three as they came. */
  *ordered(): Generator<Draft> {
    const keys = this.keys;
    const order = Array.from({ length: this.count }, (_, i) => i);
    order.sort((a, b) => (keys[3 * a] as number) - (keys[3 * b] as number) || (keys[3 * a + 1] as number) - (keys[3 * b + 1] as number) || (keys[3 * a + 2] as number) - (keys[3 * b + 2] as number) || a - b);
    for (const i of order) {
      const block = this.blocks[this.where[3 * i] as number] as Buffer;
      const at = this.where[3 * i + 1] as number;
      yield JSON.parse(block.toString('utf8', at, at + (this.where[3 * i + 2] as number))) as Draft;
    }
  }

  private grow(): void {
    const n = Math.max(1024, 2 * this.count);
    const where = new Uint32Array(3 * n);
    where.set(this.where);
    this.where = where;
    const keys = new Float64Array(3 * n);
    keys.set(this.keys);
    this.keys = keys;
  }
}
