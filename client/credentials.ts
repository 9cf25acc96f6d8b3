import { isIPv4 } from 'node:net';

export interface SimpleDBCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials: sent as the signed `SecurityToken` parameter. */
  sessionToken?: string;
  /** When temporary credentials stop working; they are fetched again shortly before. */
  expiration?: Date;
}

export type CredentialProvider = () => Promise<SimpleDBCredentials>;

/** Refresh this long before expiry, so a request signed now still arrives with valid keys. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * One fetch at a time, shared by concurrent sends; kept until close to its expiration; a failed
 * fetch is not cached, so the next send tries again.
 */
export function memoizeCredentials(provider: CredentialProvider, now: () => number = Date.now): CredentialProvider {
  let pending: Promise<SimpleDBCredentials> | undefined;
  let current: SimpleDBCredentials | undefined;
  const fresh = (c: SimpleDBCredentials) => c.expiration === undefined || c.expiration.getTime() - now() > REFRESH_MARGIN_MS;
  return () => {
    if (current !== undefined && fresh(current)) return Promise.resolve(current);
    if (pending === undefined || current !== undefined) {
      current = undefined;
      pending = provider().then(
        (credentials) => (current = credentials),
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
    }
    return pending;
  };
}

/**
 * The standard AWS chain (environment, SSO, shared files, web identity, process, container and
 * instance metadata), loaded on first use: the module is large and unneeded when keys are given.
 */
export const defaultCredentialProvider: CredentialProvider = async () => {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain()();
};

/**
 * What a keyless client signs with against a local endpoint. The emulator accepts any key unless
 * signature checking is on; then it refuses this one with InvalidClientTokenId like any unknown key.
 */
export const PLACEHOLDER_CREDENTIALS: Readonly<SimpleDBCredentials> = Object.freeze({
  accessKeyId: 'simpledb-local',
  secretAccessKey: 'simpledb-local',
});

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: a URL's `hostname`, brackets and all. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  return isIPv4(v4) && v4.startsWith('127.');
}

export interface PlaceholderPolicy {
  /** The endpoint the caller gave; without one (AWS) there is never a placeholder. */
  endpoint: URL | undefined;
  /** true: any endpoint; false: never; undefined: loopback endpoints only. */
  allow: boolean | undefined;
  /** Told once, when the placeholder is first used. */
  onPlaceholder: (reason: unknown) => void;
}

export function toProvider(
  credentials: SimpleDBCredentials | CredentialProvider | undefined,
  placeholder?: PlaceholderPolicy,
): CredentialProvider {
  if (typeof credentials === 'function') return memoizeCredentials(credentials);
  if (credentials !== undefined) return () => Promise.resolve(credentials);
  const endpoint = placeholder?.endpoint;
  const usePlaceholder = endpoint !== undefined && (placeholder?.allow ?? isLoopbackHost(endpoint.hostname));
  if (!usePlaceholder) return memoizeCredentials(defaultCredentialProvider);
  // Kept like real keys once chosen, so the chain's lookups are not repeated on every send.
  return memoizeCredentials(() =>
    defaultCredentialProvider().catch((reason: unknown) => {
      placeholder?.onPlaceholder(reason);
      return PLACEHOLDER_CREDENTIALS;
    }),
  );
}
