/**
 * Budgets from measured progress instead of a fixed wall-clock limit: a long test on a loaded
 * machine is slow but moving, a broken one stops moving. The test runs under a generous ceiling
 * (CEILING_MS) and fails as soon as no unit of its work (an increment, a property run) has
 * finished for `stallMs`, saying how far it got.
 */
export const CEILING_MS = 15 * 60_000;

export interface Progress {
  /** One unit of work finished. */
  tick(): void;
  readonly done: number;
  /** `work`, or a rejection once progress stalls; the watch ends with it. */
  watch<T>(work: Promise<T>): Promise<T>;
}

export function progress(what: string, stallMs = 60_000): Progress {
  let done = 0;
  let timer: NodeJS.Timeout | undefined;
  let fail: (err: Error) => void = () => {};
  const stalled = new Promise<never>((_, reject) => (fail = reject));
  stalled.catch(() => undefined);
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => fail(new Error(`${what}: nothing finished for ${stallMs / 1000} s, after ${done}`)), stallMs);
  };
  return {
    tick: () => {
      done++;
      arm();
    },
    get done() {
      return done;
    },
    watch: (work) => {
      arm();
      return Promise.race([work, stalled]).finally(() => clearTimeout(timer));
    },
  };
}
