import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionName } from '../core/boxUsage.js';
import { errors } from '../core/errors.js';
import { envelopeOf, readRequest } from '../actions/readers.js';
import type { ActionFacts, ActionResult } from '../actions/types.js';
import type { Params } from '../core/params.js';
import type { Store } from '../store/store.js';
import type { ReadView } from '../store/versions.js';
import type { Consistency, EventualRead } from './consistency.js';
import { Faults, type FaultDecision } from './faults.js';
import type { Journal, JournalInput, RawRequest, ReadRecord } from './journal.js';

/** What the request pipeline calls, at fixed points of one request (http/pipeline.ts). */
export interface RequestHooks {
  /**
   * Authenticated, action known, about to run: injected errors throw here, and an injected delay
   * is the promise returned (undefined when there is nothing to wait for, so the usual request
   * takes no extra turn of the event loop).
   */
  before(action: ActionName, params: Params, facts: ActionFacts): Promise<void> | undefined;
  /**
   * The request waited after `before` for a large write to end (http/gate.ts): the action runs
   * from here, and a write it then sees is not its own.
   */
  waited(): void;
  /** For the action's ActionContext: the version an eventually consistent read sees. */
  readonly eventualRead: () => ReadView | undefined;
  /**
   * The action succeeded (its write is committed): a delay-after waits; a lost response either
   * resets the connection (the answer sent afterwards goes nowhere) or throws ServiceUnavailable.
   * Like `before`, a promise only when there is something to wait for.
   */
  after(): Promise<void> | undefined;
  /** Once, however the request ended: writes its journal entry. */
  close(outcome: RequestOutcome): void;
}

export interface RequestOutcome {
  requestId: string;
  action: ActionName | undefined;
  /** What the request names, when its action was known. */
  facts: ActionFacts | undefined;
  /** The parameters as they came, which the journal keeps instead of the parsed pairs. */
  raw: RawRequest | undefined;
  /** The account namespace it was authenticated into; undefined when it failed before that. */
  account: string | undefined;
  status: number;
  /** undefined: success. */
  code: string | undefined;
  /** What the action returned, when it succeeded: the journal records what a read returned. */
  result: ActionResult | undefined;
}

export interface RequestOptions {
  /** false: fault rules neither match nor fire (the console's own requests). Default true. */
  faults?: boolean;
}

/** What the engine needs of the HTTP request it shapes and records; the HTTP layer supplies it. */
export interface RequestSource {
  readonly method: string;
  readonly path: string;
  readonly userAgent: string | undefined;
  /** The X-SimpleDB-Client header: the caller's own name for itself. */
  readonly clientId: string | undefined;
  /** The X-SimpleDB-Operation header: the logical operation the request belongs to (docs/analyze.md). */
  readonly operation: string | undefined;
  /** The connection's identity (its socket): the journal numbers connections by it. */
  readonly connection: object;
  /** Ends the connection without an answer: a lost response by reset. */
  dropConnection(): void;
}

export interface ProtocolHooks {
  open(source: RequestSource, options?: RequestOptions): RequestHooks;
}

export interface RequestServices {
  store: Store;
  clients: ClientKeys;
  consistency: Consistency;
  faults: Faults;
  journal: Journal;
  now: () => number;
  maxUriBytes: number;
}

const NO_ITEMS: readonly string[] = Object.freeze([]);

/** The prefix of a client name the client generated rather than was given (our SimpleDBClient's default). */
export const GENERATED_CLIENT_PREFIX = 'auto-';

/**
 * The key of a client's draws. A name the client was given (X-SimpleDB-Client) is the key, so
 * draws replay however clients interleave. A generated name changes every run, so such clients
 * are numbered per User-Agent in the order they first appear. Without a name the User-Agent is
 * the key: not the connection, since many clients open one per request.
 */
export class ClientKeys {
  private readonly generated = new Map<string, string>();

  of(source: RequestSource): string {
    const ua = source.userAgent ?? '';
    const name = source.clientId;
    if (!name) return `u:${ua}`;
    if (!name.startsWith(GENERATED_CLIENT_PREFIX)) return `h:${name}`;
    let key = this.generated.get(name);
    if (key === undefined) {
      // Bounded like the draw counters: a long-running emulator starts numbering again.
      if (this.generated.size >= 100_000) this.generated.clear();
      let n = 1;
      for (const k of this.generated.values()) if (k.startsWith(`g:${ua}#`)) n++;
      this.generated.set(name, (key = `g:${ua}#${n}`));
    }
    return key;
  }
}

/** Decides as an emulator without fault rules would. */
const NO_RULES: Pick<Faults, 'decide'> = new Faults(() => 0);

export class RequestRecord implements RequestHooks {
  private readonly arrivedAt: number;
  private readonly started = performance.now();
  private decision: FaultDecision | undefined;
  /** The latest write sequence when the action ran; undefined without a simulation. */
  private atSeq: number | undefined;
  private writeSeq: number | undefined;
  private read: EventualRead | undefined;
  private reset = false;
  private facts: ActionFacts | undefined;
  private drawKey: string | undefined;
  /** Stamped where the action's effect happened: success in `after`, failure in `close`. */
  private order: number | undefined;

  constructor(
    private readonly services: RequestServices,
    private readonly source: RequestSource,
    private readonly options: RequestOptions = {},
  ) {
    this.arrivedAt = services.now();
  }

  before(action: ActionName, params: Params, facts: ActionFacts): Promise<void> | undefined {
    const faults = this.options.faults === false ? NO_RULES : this.services.faults;
    this.facts = facts;
    const decision = faults.decide(() => ({
      method: this.source.method,
      path: this.source.path,
      action,
      request: readRequest(params),
      ...envelopeOf(params),
      domain: facts.domain,
      items: facts.items,
      maxUriBytes: this.services.maxUriBytes,
      drawKey: this.key(),
    }));
    this.decision = decision;
    if (decision.delayBeforeMs > 0) return sleep(decision.delayBeforeMs).then(() => this.proceed(decision));
    this.proceed(decision);
    return undefined;
  }

  private proceed(decision: FaultDecision): void {
    if (decision.error) throw decision.error;
    // Taken after any wait: the action runs synchronously from here, so a change of the latest
    // sequence by `after` is this request's own write.
    const versions = this.services.store.versions;
    if (versions.recording) this.atSeq = versions.latestSeq;
  }

  waited(): void {
    const versions = this.services.store.versions;
    if (versions.recording) this.atSeq = versions.latestSeq;
  }

  /** Who asks about what, for the simulation's draws; built only when a draw is made. */
  private key(): string {
    if (this.drawKey === undefined) {
      const client = this.services.clients.of(this.source);
      this.drawKey = `${client}\u0000${this.facts?.items[0] ?? this.facts?.domain ?? ''}`;
    }
    return this.drawKey;
  }

  readonly eventualRead = (): ReadView | undefined => {
    this.read = this.services.consistency.eventualRead(this.key());
    return this.read;
  };

  after(): Promise<void> | undefined {
    // Before any wait: the action has just run, in this same synchronous step.
    this.order = this.services.journal.stamp();
    const latest = this.services.store.versions.latestSeq;
    if (this.atSeq !== undefined && latest !== this.atSeq) this.writeSeq = latest;
    const d = this.decision;
    if (!d) return undefined;
    if (d.delayAfterMs > 0) return sleep(d.delayAfterMs).then(() => this.loseResponse(d));
    this.loseResponse(d);
    return undefined;
  }

  private loseResponse(d: FaultDecision): void {
    if (d.loseResponse === '503') throw errors.serviceUnavailable();
    if (d.loseResponse === 'reset') {
      this.reset = true;
      this.source.dropConnection();
    }
  }

  close(o: RequestOutcome): void {
    const journal = this.services.journal;
    if (!journal.active) return;
    const facts = o.facts;
    const applied = this.order !== undefined;
    const order = this.order ?? journal.stamp();
    const client = this.source.clientId;
    // One object per request, the optional fields added only when present (no spreads): the ring
    // retains it, and what it retains costs the collector on every later request.
    const entry: JournalInput = {
      time: this.arrivedAt,
      requestId: o.requestId,
      method: this.source.method,
      action: o.action ?? null,
      domain: facts?.domain ?? null,
      items: facts ? facts.items : NO_ITEMS,
      params: o.raw ?? { query: '', body: null },
      status: this.reset ? 0 : o.status,
      code: this.reset ? 'ConnectionReset' : (o.code ?? 'Success'),
      latencyMs: +(performance.now() - this.started).toFixed(3),
      userAgent: this.source.userAgent ?? null,
      order,
      applied,
      connection: journal.connectionId(this.source.connection),
      client: client !== undefined && client !== '' ? client.slice(0, 200) : null,
    };
    if (o.account) entry.account = o.account;
    const operation = this.source.operation;
    if (operation) entry.operation = operation.slice(0, 200);
    if (this.atSeq !== undefined) entry.atSeq = this.atSeq;
    if (this.writeSeq !== undefined) entry.writeSeq = this.writeSeq;
    if (facts?.consistentRead !== undefined) {
      entry.read = this.readRecord(facts.consistentRead);
      // Kept as the action's own result: the record of it is built only when the entry is read.
      const r = o.code === undefined && !this.reset ? o.result : undefined;
      if (r?.action === 'GetAttributes' || r?.action === 'Select') entry.returned = r;
    }
    if (this.decision?.fired.length) entry.faults = this.decision.fired;
    journal.add(entry);
  }

  private readRecord(consistentRead: boolean): ReadRecord {
    const r = this.read;
    if (!r) return { consistentRead, stale: false };
    return {
      consistentRead,
      stale: r.stale,
      asOfSeq: r.seq,
      latestSeq: r.latestSeq,
      behindWrites: r.latestSeq - r.seq,
      lagMs: r.lagMs,
    };
  }
}
