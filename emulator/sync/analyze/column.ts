/**
 * A growable list of numbers in a Float64Array: its values lie outside the JavaScript heap, so a
 * column held for a whole run neither counts toward the size the heap grows to after each
 * collection nor leaves its outgrown copies in the large-object space until the next full one, as
 * a plain array of the same length does (docs/analyze.md, "Performance").
 */
export class NumberColumn {
  private data: Float64Array;
  private count = 0;

  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.count++] = value;
  }

  /** Indexes are the caller's own, below `length`. */
  at(index: number): number {
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }
}
