import { errors } from '../protocol/errors.js';
import type { Store } from '../store/store.js';
import type { Limits } from './types.js';
import { MAX_PAIRS } from './validate.js';

/** After a write inside its transaction: a breach throws, which rolls the whole request back. */
export function checkItemLimit(pairsAfter: number): void {
  if (pairsAfter > MAX_PAIRS) throw errors.numberItemAttributesExceeded();
}

export function checkDomainLimits(store: Store, domainId: number, limits: Limits): void {
  const t = store.totals(domainId);
  if (t.pairCount > limits.maxDomainPairs) throw errors.numberDomainAttributesExceeded();
  if (t.byteCount > limits.maxDomainBytes) throw errors.numberDomainBytesExceeded();
}
