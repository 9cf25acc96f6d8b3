/**
 * Splits a long piece of synchronous work into slices of about `budgetMs` each, with a turn of
 * the event loop between them: a request that arrives meanwhile waits for one slice, not for the
 * whole of a large request (docs/performance.md, "One large request beside small ones").
 */
export class Slices {
  private until: number;

  constructor(
    readonly budgetMs = SLICE_MS,
    /** Called between slices; a promise holds the work there (tests look at the store mid-way). */
    private readonly between?: () => Promise<void> | void,
    /** The pause between two slices: a turn of the event loop, or longer (http/gate.ts `turn`). */
    private readonly pause: () => Promise<void> = nextTurn,
  ) {
    this.until = performance.now() + budgetMs;
  }

  /**
   * Undefined while the current slice has time left; else a promise that resolves on a later
   * turn (after the I/O waiting meanwhile), when the next slice begins.
   */
  next(): Promise<void> | undefined {
    if (performance.now() < this.until) return undefined;
    return this.yield();
  }

  /** Ends the current slice whatever its time: the next begins on a later turn. */
  async yield(): Promise<void> {
    await this.pause();
    if (this.between) await this.between();
    this.until = performance.now() + this.budgetMs;
  }
}

/** A bare turn of the event loop: the I/O waiting meanwhile runs first. */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A slice's time. A small request that arrives during a slice waits for the rest of it, so this
 * bounds what a large request adds to the latency of the others; each slice also costs a turn of
 * the event loop, a few microseconds.
 */
export const SLICE_MS = 1;
