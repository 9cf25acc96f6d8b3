import type { ActionName } from '../core/boxUsage.js';
import type { Params } from '../core/params.js';
import type { Slices } from '../core/slices.js';
import type { DomainStats, SelectedItem, Store, StoredPair } from '../store/store.js';
import type { ReadView } from '../store/versions.js';

/** The service's limits; configurable so tests can reach them without writing 10 GB. */
export interface Limits {
  maxDomains: number;
  maxDomainBytes: number;
  maxDomainPairs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxDomains: 250,
  maxDomainBytes: 10 * 1024 ** 3,
  maxDomainPairs: 1_000_000_000,
};

export interface ActionContext {
  readonly store: Store;
  /** The namespace domains live in: '' when all keys share one, else the access key. */
  readonly account: string;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now: () => number;
  /** The API version the request named (2009-04-15 or the older 2007-11-07). */
  readonly version: string;
  readonly limits: Limits;
  /** Server secret for tamper-proof NextTokens. */
  readonly tokenKey: Buffer;
  /**
   * For a read without ConsistentRead=true: the version it sees, drawn by the consistency model
   * (emulator/sync) once per read; undefined (or absent) means the live rows.
   */
  readonly eventualRead?: () => ReadView | undefined;
}

/** What an action found or did, for http/render to write; each variant names its action. */
export type ActionResult =
  | { readonly action: 'CreateDomain' | 'DeleteDomain' | 'PutAttributes' | 'BatchPutAttributes' }
  | { readonly action: 'DeleteAttributes' | 'BatchDeleteAttributes' }
  | { readonly action: 'ListDomains'; readonly domainNames: readonly string[]; readonly nextToken: string | null }
  | { readonly action: 'DomainMetadata'; readonly stats: DomainStats; readonly timestamp: number }
  | { readonly action: 'GetAttributes'; readonly attributes: readonly StoredPair[] }
  | SelectResult;

export type SelectResult = { readonly action: 'Select'; readonly nextToken: string | null } & (
  | { readonly items: readonly SelectedItem[] }
  /** count(*): the count of this page, written as the service's `Domain` item. */
  | { readonly count: number }
);

export interface ActionOutput {
  readonly result: ActionResult;
  readonly boxUsage: number;
}

/**
 * One protocol action. `handle` validates the parameters in the order the service checks
 * them (throwing SdbError), runs against the store, and returns a typed result.
 */
export interface Action {
  readonly name: ActionName;
  /** What the request names, for the sync layer (see facts.ts). */
  facts(params: Params): ActionFacts;
  handle(params: Params, ctx: ActionContext): ActionOutput;
  /** For a request of many parameters, when the action can split its work (http/pipeline.ts). */
  readonly sliced?: SlicedAction;
}

/**
 * `facts` and `handle` of a large request, with the same checks in the same order and the same
 * effect, their work split into `slices` so that other requests run between them: the writes go
 * through `Store.transactionInSlices`, whose caller keeps conflicting requests waiting.
 */
export interface SlicedAction {
  facts(params: Params, slices: Slices): Promise<ActionFacts>;
  handle(params: Params, ctx: ActionContext, slices: Slices): Promise<ActionOutput>;
}

export interface ActionFacts {
  /** The DomainName parameter as sent (a Select names its domain inside the expression: none). */
  readonly domain: string | undefined;
  readonly items: readonly string[];
  /** Present for reads. */
  readonly consistentRead?: boolean;
}
