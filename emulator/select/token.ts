import { createHash } from 'node:crypto';
import type { SelectQuery } from './ast.js';
import { canonicalScope } from './print.js';

/**
 * The scope a Select NextToken is bound to. count(*) and select over the same WHERE and ORDER BY
 * share tokens, so the output list is left out.
 */
export function scopeHash(q: SelectQuery): string {
  return createHash('sha256').update(canonicalScope(q)).digest('base64url').slice(0, 22);
}
