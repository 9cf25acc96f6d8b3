import { randomUUID } from 'node:crypto';

/**
 * UUID-shaped lower-case hex, as the service's ids. randomUUID draws from a cached entropy pool,
 * several times cheaper per request than randomBytes.
 */
export function newRequestId(): string {
  return randomUUID();
}
