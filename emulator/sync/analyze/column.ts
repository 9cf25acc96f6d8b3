/**
 * A growable list of numbers in a Float64Array: its values lie outside the JavaScript heap, so a
 * column held for a whole run neither counts toward the size the heap grows to after each
 * collection nor leaves its outgrown copies in the large-object space until the next full one, as
 * a plain array of the same length does (docs/analyze.md, "Performance").
 */
export class NumberColumn {
  private data: Float64Array;
  private count = 0;

  // Small to start: some column grows within the first entries, so the code V8 optimises
  // has seen a column grow (a path it has not seen taken throws that code away when taken).
  constructor(capacity = 16) {
    this.data = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    const data = this.data;
    if (this.count === data.length) this.data = grownNumbers(data, data.length * 2);
    this.data[this.count++] = value;
  }

  /** Indexes are the caller's own, below `length`. */
  at(index: number): number {
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Keeps the values whose index `to` maps to another (ascending, -1: dropped): `count` of them. */
  compact(to: Int32Array, count: number): void {
    for (let i = 0; i < this.count; i++) {
      const j = to[i] as number;
      if (j >= 0) this.data[j] = this.data[i] as number;
    }
    this.count = count;
  }
}

/**
 * `NumberColumn` for whole numbers of 32 bits: counts and indexes, half the bytes of a number each.
 * A class of its own, not one class over either kind of array: each keeps its reads and writes to
 * one kind, which V8 compiles for that kind alone.
 */
export class IntColumn {
  private data: Int32Array;
  private count = 0;

  /** Small to start, as `NumberColumn`'s. */
  constructor(capacity = 16) {
    this.data = new Int32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    const data = this.data;
    if (this.count === data.length) this.data = grownInts(data, data.length * 2);
    this.data[this.count++] = value;
  }

  /** Indexes are the caller's own, below `length`. */
  at(index: number): number {
    return this.data[index] as number;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** Keeps the values whose index `to` maps to another (ascending, -1: dropped): `count` of them. */
  compact(to: Int32Array, count: number): void {
    for (let i = 0; i < this.count; i++) {
      const j = to[i] as number;
      if (j >= 0) this.data[j] = this.data[i] as number;
    }
    this.count = count;
  }

  /** Each value v becomes `to[v]`, those it maps to -1 dropped, in the same order. */
  remap(to: Int32Array): void {
    let j = 0;
    for (let i = 0; i < this.count; i++) {
      const v = to[this.data[i] as number] as number;
      if (v >= 0) this.data[j++] = v;
    }
    this.count = j;
  }

  sort(compare: (a: number, b: number) => number): void {
    this.data.subarray(0, this.count).sort(compare);
  }
}

/** `from` copied into a new array of `size` numbers, the ones past it set to `fill`. */
export function grownInts(from: Int32Array, size: number, fill = 0): Int32Array<ArrayBuffer> {
  const to = new Int32Array(size);
  to.set(from);
  if (fill !== 0) to.fill(fill, from.length);
  return to;
}

/** `from` (none: nothing) copied into a new array of `size` numbers. */
export function grownNumbers(from: Float64Array | undefined, size: number): Float64Array<ArrayBuffer> {
  const to = new Float64Array(size);
  if (from) to.set(from);
  return to;
}
