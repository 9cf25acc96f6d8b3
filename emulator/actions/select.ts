import { selectBoxUsage } from '../core/boxUsage.js';
import { errors } from '../core/errors.js';
import { parseSelect } from '../select/parser.js';
import { decodeToken, encodeToken } from '../core/nextToken.js';
import { selectItemBytes } from '../core/xmlText.js';
import { scopeHash } from '../select/token.js';
import { validate } from '../select/validate.js';
import { DEFAULT_TUNING, type Tuning } from '../store/selectRun.js';
import type { SelectPage } from '../store/store.js';
import type { Action, SelectResult } from './types.js';
import { consistentRead, existingDomain } from './validate.js';
import { readFacts } from './facts.js';

export interface SelectOptions {
  /** A page that has run this long ends early with a NextToken (the service's 5 s). */
  readonly timeoutMs: number;
  /** A page ends before its items' XML would exceed this many bytes (the service's 1 MB). */
  readonly maxResponseBytes: number;
  /** Milliseconds, monotonic; injectable so tests can expire the deadline without sleeping. */
  readonly clock: () => number;
  readonly tuning: Tuning;
}

export const DEFAULT_SELECT_OPTIONS: SelectOptions = {
  timeoutMs: 5000,
  maxResponseBytes: 1024 * 1024,
  clock: () => performance.now(),
  tuning: DEFAULT_TUNING,
};

/** Validation order: the service's, pinned by test/select/errors.test.ts. */
export function createSelectAction(overrides: Partial<SelectOptions> = {}): Action {
  const options = { ...DEFAULT_SELECT_OPTIONS, ...overrides };
  return {
    name: 'Select',
    facts: readFacts,
    handle(params, ctx) {
      const expression = params.get('SelectExpression');
      if (expression === undefined) throw errors.missingParameter('SelectExpression');
      const consistent = consistentRead(params);
      const query = parseSelect(expression);
      const pageSize = validate(query);
      const domainId = existingDomain(ctx, query.domain);
      const scope = scopeHash(query);
      const token = params.get('NextToken');
      // Some clients send an empty NextToken on the first call; it means "from the start".
      const after =
        token === undefined || token === ''
          ? null
          : decodeToken(token, scope, ctx.tokenKey, query.order?.key.kind === 'attr');
      const { clock, timeoutMs, maxResponseBytes, tuning } = options;
      const page: SelectPage = {
        after,
        limit: pageSize,
        maxBytes: maxResponseBytes,
        size: selectItemBytes,
        deadline: clock() + timeoutMs,
        clock,
        tuning,
      };
      // An eventually consistent read under a simulation (emulator/sync) sees an older version.
      const view = consistent ? undefined : ctx.eventualRead?.();
      const rows = ctx.store.select(domainId, query, page, view);
      const nextToken = rows.next ? encodeToken(rows.next, scope, ctx.tokenKey) : null;
      const result: SelectResult =
        rows.kind === 'count'
          ? { action: 'Select', count: rows.count, nextToken }
          : { action: 'Select', items: rows.items, nextToken };
      return { result, boxUsage: selectBoxUsage(rows.scanned) };
    },
  };
}

export const selectAction: Action = createSelectAction();
