import type { Store } from '../store/store.js';
import type { ReadView } from '../store/versions.js';
import { DrawCounter, keyedDraw } from './random.js';
import { CONSISTENCY_MODES, type ConsistencyMode, type ConsistencySettings, type ConsistencyState } from '../core/wire.js';

export { CONSISTENCY_MODES, type ConsistencyMode, type ConsistencySettings, type ConsistencyState };

export const DEFAULT_MAX_STALENESS_MS = 1000;

/** What one eventually consistent read saw, for the journal. */
export interface EventualRead extends ReadView {
  readonly latestSeq: number;
  /** How far behind the clock the state it saw was. */
  readonly lagMs: number;
}

/**
 * The consistency model: which version an eventually consistent read sees. Consistent reads,
 * conditional checks and writes never ask it; they always use the live rows.
 */
export class Consistency {
  private mode: ConsistencyMode = 'consistent';
  private maxStalenessMs = DEFAULT_MAX_STALENESS_MS;
  private maxStalenessWrites: number | null = null;
  private seed: number;
  private readonly draws = new DrawCounter();
  private frozen: { seq: number; at: number; thawTo: 'consistent' | 'eventual' } | undefined;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    seed: number,
  ) {
    this.seed = seed;
  }

  state(): ConsistencyState {
    return {
      mode: this.mode,
      maxStalenessMs: this.maxStalenessMs,
      maxStalenessWrites: this.maxStalenessWrites,
      seed: this.seed,
      frozenAtSeq: this.frozen?.seq ?? null,
      thawTo: this.frozen?.thawTo ?? null,
      latestSeq: this.store.versions.latestSeq,
      history: this.store.versions.size(),
    };
  }

  /** Setting `frozen` while frozen refreshes the replica to the latest write. */
  set(settings: ConsistencySettings): ConsistencyState {
    if (settings.maxStalenessMs !== undefined) this.maxStalenessMs = settings.maxStalenessMs;
    if (settings.maxStalenessWrites !== undefined) this.maxStalenessWrites = settings.maxStalenessWrites;
    if (settings.seed !== undefined) {
      this.seed = settings.seed;
      this.draws.clear();
    }
    this.enter(settings.mode ?? this.mode);
    return this.state();
  }

  freeze(): ConsistencyState {
    this.enter('frozen');
    return this.state();
  }

  /** Back to the mode that was on before `freeze`; a no-op when not frozen. */
  thaw(): ConsistencyState {
    if (this.frozen) this.enter(this.frozen.thawTo);
    return this.state();
  }

  private enter(mode: ConsistencyMode): void {
    const versions = this.store.versions;
    if (mode === 'consistent') {
      versions.stop();
      this.frozen = undefined;
    } else if (mode === 'eventual') {
      const writes = this.maxStalenessWrites;
      versions.start(writes === null ? { windowMs: this.maxStalenessMs } : { writes }, this.now);
      this.frozen = undefined;
    } else {
      const thawTo = this.frozen?.thawTo ?? (this.mode === 'eventual' ? 'eventual' : 'consistent');
      const seq = versions.latestSeq;
      versions.start({ pinnedSeq: seq }, this.now);
      this.frozen = { seq, at: this.now(), thawTo };
    }
    this.mode = mode;
  }

  /**
   * The version one eventually consistent read sees; undefined: the live rows. `key` names who
   * reads what (the request's client and item): its draws replay with the seed whatever other
   * clients do meanwhile.
   */
  eventualRead(key: string): EventualRead | undefined {
    const versions = this.store.versions;
    if (this.frozen) {
      return { seq: this.frozen.seq, stale: false, latestSeq: versions.latestSeq, lagMs: this.now() - this.frozen.at };
    }
    if (this.mode !== 'eventual') return undefined;
    // Drawn for every read, even one that ends up seeing the latest write, so a key's n-th read
    // draws the same lag in every run with this seed.
    const draw = keyedDraw(this.seed, key, this.draws.next(key));
    if (this.maxStalenessWrites !== null) {
      const behind = Math.floor(draw * (this.maxStalenessWrites + 1));
      const seq = Math.max(versions.floor(), versions.latestSeq - behind);
      return { seq, stale: false, latestSeq: versions.latestSeq, lagMs: 0 };
    }
    const lagMs = Math.floor(draw * (this.maxStalenessMs + 1));
    return { seq: versions.seqAt(this.now() - lagMs), stale: false, latestSeq: versions.latestSeq, lagMs };
  }
}
