/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence on every
 * platform and Node version, which Math.random cannot promise, so a run replays exactly.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A draw in [0, 1) fixed by the seed, a key and how many draws that key has had: the same key's
 * n-th draw is the same number whatever other keys drew in between. The simulation keys its
 * decisions by client and item, so a replayed run decides the same for each client's own
 * requests when the clients interleave differently.
 */
export function keyedDraw(seed: number, key: string, n: number): number {
  // FNV-1a over the key's UTF-16 units, then mixed with the seed and the count.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return seededRandom(deriveSeed(seed ^ h, n))();
}

/**
 * Per key, how many draws it has had. Bounded: past `limit` keys it starts again from zero
 * (a replay of the same run crosses the limit at the same point).
 */
export class DrawCounter {
  private readonly counts = new Map<string, number>();
  constructor(private readonly limit = 100_000) {}

  next(key: string): number {
    const n = this.counts.get(key) ?? 0;
    if (n === 0 && this.counts.size >= this.limit) this.counts.clear();
    this.counts.set(key, n + 1);
    return n;
  }

  clear(): void {
    this.counts.clear();
  }
}

/** A seed for one independent stream derived from a run's seed (each fault rule has its own). */
export function deriveSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stream, 0xc2b2ae35)) >>> 0;
}

/** A fresh seed when none is given; reported by the control API so the run can be replayed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
