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

export function toProvider(credentials: SimpleDBCredentials | CredentialProvider | undefined): CredentialProvider {
  if (credentials === undefined) return memoizeCredentials(defaultCredentialProvider);
  if (typeof credentials === 'function') return memoizeCredentials(credentials);
  return () => Promise.resolve(credentials);
}
