import type { Finding, FindingKind } from './types.js';

/** A finding before the report numbers it and says how sure it is. */
export type Draft = Omit<Finding, 'id' | 'severity' | 'seqs' | 'clients' | 'confidence' | 'reason'> & { doubt: string | undefined };

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
  // Per draft, as added: where its text lies, and what the report orders it by (plain arrays of
  // numbers, and the kinds' shared strings: nothing for the collector to follow).
  private readonly block: number[] = [];
  private readonly start: number[] = [];
  private readonly end: number[] = [];
  private readonly run: number[] = [];
  private readonly first: number[] = [];
  private readonly kind: FindingKind[] = [];

  add(d: Draft): void {
    const text = JSON.stringify(d);
    const bytes = Buffer.byteLength(text);
    if (this.used + bytes > BLOCK) {
      this.blocks.push(Buffer.allocUnsafe(Math.max(BLOCK, bytes)));
      this.used = 0;
    }
    (this.blocks[this.blocks.length - 1] as Buffer).write(text, this.used, 'utf8');
    this.block.push(this.blocks.length - 1);
    this.start.push(this.used);
    this.end.push((this.used += bytes));
    this.run.push(d.run ?? 0);
    let first = d.evidence.length === 0 ? 0 : Number.POSITIVE_INFINITY;
    for (const e of d.evidence) first = Math.min(first, e.seq);
    this.first.push(first);
    this.kind.push(d.kind);
  }

  /** Every draft, by run, then first request, then kind; those equal in all three as they came. */
  *ordered(): Generator<Draft> {
    const { run, first, kind } = this;
    const order = Array.from(run, (_, i) => i);
    order.sort((a, b) => (run[a] as number) - (run[b] as number) || (first[a] as number) - (first[b] as number) || (kind[a] as string).localeCompare(kind[b] as string) || a - b);
    for (const i of order) {
      const block = this.blocks[this.block[i] as number] as Buffer;
      yield JSON.parse(block.toString('utf8', this.start[i], this.end[i])) as Draft;
    }
  }
}
