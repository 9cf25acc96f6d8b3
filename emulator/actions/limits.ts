import { errors } from '../core/errors.js';
import type { PutEffect, Store } from '../store/store.js';
import type { Limits } from './types.js';
import { MAX_PAIRS } from './validate.js';

/**
 * After the writes of one request, inside its transaction: a breach throws, which rolls the
 * whole request back. Only growth can breach a limit.
 */
export function checkLimits(store: Store, domainId: number, limits: Limits, effects: readonly PutEffect[]): void {
  let grew = false;
  for (const e of effects) {
    if (e.itemPairs !== undefined && e.itemPairs > MAX_PAIRS) throw errors.numberItemAttributesExceeded();
    grew ||= e.grew;
  }
  if (!grew) return;
  const t = store.totals(domainId);
  if (t.pairCount > limits.maxDomainPairs) throw errors.numberDomainAttributesExceeded();
  if (t.byteCount > limits.maxDomainBytes) throw errors.numberDomainBytesExceeded();
}
