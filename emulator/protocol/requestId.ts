import { randomBytes } from 'node:crypto';

/** UUID-shaped lower-case hex, as the service's ids (which ignore the version bits). */
export function newRequestId(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
