import type { ActionFacts } from '../actions/types.js';
import type { ActionName } from '../core/boxUsage.js';
import { errors } from '../core/errors.js';
import { nextTurn } from '../core/slices.js';

/**
 * Keeps requests away from a large write while it applies in slices (store.ts
 * `transactionInSlices`): its transaction stays open across turns of the event loop, and every
 * request that runs meanwhile shares the SQLite connection, so it would see the write's
 * uncommitted rows. A request that cannot be affected by the write runs at once (a GetAttributes
 * of an item it does not name, anything about another domain, ListDomains); one that could read
 * part of it (a GetAttributes of one of its items, DomainMetadata of its domain, any Select: its
 * domain is inside the expression), every other write, and every control request wait until it
 * has committed or rolled back, then run in the order they arrived.
 */
export class WriteGate {
  /** What the large write in progress names; undefined when there is none. */
  private claim: { domain: string | undefined; items: ReadonlySet<string> } | undefined;
  /** Control requests running: a large write does not start under them. */
  private controls = 0;
  private readonly queue: Waiter[] = [];
  private stopping = false;
  private stopped: (() => void) | undefined;
  /** When the last request that was not large ended (`performance.now()`). */
  private lastServed = Number.NEGATIVE_INFINITY;
  /** Bare turns still owed for a rest that overran (`turn`). */
  private owed = 0;

  constructor(private readonly hooks: GateHooks = {}) {}

  /**
   * A protocol request about to act: undefined when it may run now (the usual case: one look at
   * a field), else a promise that resolves when it may.
   */
  admit(action: ActionName, facts: ActionFacts | undefined): Promise<void> | undefined {
    const claim = this.claim;
    if (claim === undefined) return undefined;
    if (!conflicts(claim, action, facts)) return undefined;
    return this.enqueue({ kind: 'request', action, facts });
  }

  /** A large write about to begin: resolves once it holds the gate, until `release`. */
  acquire(facts: ActionFacts | undefined): Promise<void> | undefined {
    if (this.stopping) return Promise.reject(errors.serviceUnavailable());
    if (this.claim === undefined && this.controls === 0 && this.queue.length === 0) {
      this.claim = claimOf(facts);
      return undefined;
    }
    return this.enqueue({ kind: 'write', facts });
  }

  release(): void {
    this.claim = undefined;
    if (this.stopped) {
      this.stopped();
      this.stopped = undefined;
    }
    this.pump();
  }

  /**
   * A control request (reset, snapshots, import, consistency, anything under the control
   * prefixes but the console's action route, which goes through the pipeline): `ready` resolves
   * when no large write is in progress, and none starts until `done`.
   */
  control(): { ready: Promise<void> | undefined; done: () => void } {
    if (this.claim === undefined && this.queue.length === 0) {
      this.controls++;
      let counted = true;
      return { ready: undefined, done: () => counted && ((counted = false), this.controlDone()) };
    }
    const waiter: Waiter = { kind: 'control' };
    const ready = this.enqueue(waiter);
    return {
      ready,
      done: () => {
        if (waiter.admitted) {
          waiter.admitted = false;
          this.controlDone();
          return;
        }
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
      },
    };
  }

  /** A request that was not large has been answered: large ones yield more for a while (`turn`). */
  served(): void {
    this.lastServed = performance.now();
  }

  /**
   * The pause between two slices of a large request, or two chunks of its body. While other
   * requests are being served (one ended in the last ACTIVE_MS), it rests REST_MS on a timer
   * instead of a bare turn of the event loop, so that a large request takes about half of a core
   * and leaves the rest to the others and to their clients. On a machine of two cores, a body of
   * 6.8 MB read and parsed as fast as it arrives kept both busy (the sender's writes and these
   * reads), and the small requests waited for a core (docs/performance.md, "One large request
   * beside small ones"). Alone, or with requests waiting for it at the gate, it goes at full speed.
   *
   * A rest that lasts longer than asked (a coarse system timer, a process not scheduled) is paid
   * back with bare turns, so that the rests average REST_MS a pause wherever the emulator runs,
   * not the system timer's granularity. A bound function: the body reader and the slices take it
   * as it is.
   */
  readonly turn = (): Promise<void> => {
    const rest = this.resting();
    if (!rest && this.owed > 0) this.owed--;
    this.hooks.paused?.(rest);
    if (!rest) return nextTurn();
    const started = performance.now();
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        this.owed = Math.max(0, Math.round((performance.now() - started) / REST_MS) - 1);
        resolve();
      }, REST_MS),
    );
  };

  /** Whether a large request's next pause rests (`turn`). */
  resting(): boolean {
    return this.owed === 0 && this.queue.length === 0 && performance.now() - this.lastServed < ACTIVE_MS;
  }

  /** Called between the slices of a large request: the test hook, then a stop ends it. */
  async between(): Promise<void> {
    if (this.hooks.slice) await this.hooks.slice();
    if (this.stopping) throw errors.serviceUnavailable();
  }

  /**
   * After a large write has committed (or rolled back) and released the gate: a turn of the event
   * loop before its answer and journal entry, so the commit's slice, and the requests it let
   * through, are not followed by more work in the same turn (docs/performance.md, "One large
   * request beside small ones"). The test hook runs here too; a stop no longer applies.
   */
  async afterWrite(): Promise<void> {
    await nextTurn();
    if (this.hooks.slice) await this.hooks.slice();
  }

  /**
   * The emulator stops: requests waiting are refused, and a large write in progress rolls back
   * at its next slice; resolves once it has.
   */
  stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.queue.splice(0)) w.reject?.(errors.serviceUnavailable());
    if (this.claim === undefined) return Promise.resolve();
    return new Promise((resolve) => (this.stopped = resolve));
  }

  private controlDone(): void {
    this.controls--;
    this.pump();
  }

  private enqueue(waiter: Waiter): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    this.queue.push(waiter);
    this.hooks.waiting?.();
    return promise;
  }

  /** In arrival order: the first that must still wait keeps the others behind it. */
  private pump(): void {
    while (this.queue.length > 0) {
      const w = this.queue[0] as Waiter;
      if (w.kind === 'write') {
        if (this.claim !== undefined || this.controls > 0) return;
        this.claim = claimOf(w.facts);
      } else if (w.kind === 'control') {
        if (this.claim !== undefined) return;
        this.controls++;
        w.admitted = true;
      } else if (this.claim !== undefined && conflicts(this.claim, w.action, w.facts)) {
        return;
      }
      this.queue.shift();
      w.resolve?.();
    }
  }
}

/** Others are being served when one of them ended this recently. */
export const ACTIVE_MS = 100;
/** A large request's rest between slices while others are served: about its slice's length. */
export const REST_MS = 1;

export interface GateHooks {
  /** Between two slices of a large request, and once after it ends; a promise holds it there. */
  slice?(): Promise<void> | void;
  /** A request begins to wait for a large write. */
  waiting?(): void;
  /** A large request pauses between two slices or two chunks of its body; `rested`: on a timer, others being served. */
  paused?(rested: boolean): void;
}

type Waiter = { resolve?: () => void; reject?: (err: unknown) => void; admitted?: boolean } & (
  | { kind: 'request'; action: ActionName; facts: ActionFacts | undefined }
  | { kind: 'write'; facts: ActionFacts | undefined }
  | { kind: 'control' }
);

function claimOf(facts: ActionFacts | undefined): { domain: string | undefined; items: ReadonlySet<string> } {
  return { domain: facts?.domain, items: new Set(facts?.items ?? []) };
}

/** Whether a request could see part of the write in progress, or change what it writes. */
function conflicts(
  claim: { domain: string | undefined; items: ReadonlySet<string> },
  action: ActionName,
  facts: ActionFacts | undefined,
): boolean {
  switch (action) {
    case 'ListDomains':
      return false;
    case 'GetAttributes':
      return facts !== undefined && facts.domain === claim.domain && facts.items.some((item) => claim.items.has(item));
    case 'DomainMetadata':
      return facts?.domain === claim.domain;
    default:
      // Select names its domain inside the expression; every write waits.
      return true;
  }
}
