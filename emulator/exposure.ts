import { isIPv4 } from 'node:net';
import type { AuthOptions } from './core/credentials.js';

/**
 * The line the CLI prints when it listens beyond this machine with authentication off, or
 * undefined when that is not the case. Loopback addresses other than the default are as private
 * as 127.0.0.1, so they do not warn.
 */
export function exposureWarning(host: string, options: AuthOptions): string | undefined {
  const authenticated = Boolean(
    options.accessKeyId || options.secretAccessKey || options.credentialsFile || options.credentials?.length,
  );
  if (authenticated || isLoopback(host)) return undefined;
  return (
    `simpledb-local: warning: listening on ${host} with authentication off: anyone who can reach it can read and ` +
    'change every domain. Configure --access-key-id and --secret-access-key, or --credentials FILE, or bind 127.0.0.1.'
  );
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIPv4(v4) && v4.startsWith('127.');
}
