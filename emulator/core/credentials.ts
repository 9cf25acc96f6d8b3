import { readFileSync } from 'node:fs';

/** One access key pair the emulator accepts. */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * The account whose domains the key sees when accounts are isolated; several keys may name the
   * same account. Without it the key is an account of its own, named by its access key id.
   */
  account?: string;
}

/**
 * The account namespace a configured key's requests work in: shared ('') unless accounts are
 * isolated. Here, below both the protocol's signature check and the control guard, which agree on it.
 */
export function namespaceOf(credential: Credential, isolateAccounts: boolean): string {
  return isolateAccounts ? (credential.account ?? credential.accessKeyId) : '';
}

/** The start-up options that turn on Signature V2 checking and account isolation. */
export interface AuthOptions {
  /** Key pairs given in code; with any key configured, every request must be signed by one of them. */
  credentials?: readonly Credential[];
  /** A JSON file `{ "accounts": [{ "accessKeyId", "secretAccessKey", "account"? }] }` (CLI --credentials). */
  credentialsFile?: string;
  /** One key pair, as the CLI's --access-key-id and --secret-access-key give it. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Each account sees only its own domains; otherwise every caller shares one namespace. */
  isolateAccounts?: boolean;
}

/** A configuration mistake, worded for the person starting the emulator. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

/**
 * Every key pair the options configure, validated. An empty list means authentication is off.
 * Empty strings count as unset, since container environments often define variables empty.
 */
export function resolveCredentials(options: AuthOptions): Credential[] {
  const found: Credential[] = [];
  const keyId = options.accessKeyId || undefined;
  const secret = options.secretAccessKey || undefined;
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new AuthConfigError(
      keyId === undefined
        ? 'a secret access key was given without an access key id (--access-key-id, SIMPLEDB_LOCAL_ACCESS_KEY_ID)'
        : 'an access key id was given without its secret access key (--secret-access-key, SIMPLEDB_LOCAL_SECRET_ACCESS_KEY)',
    );
  }
  if (keyId !== undefined && secret !== undefined) found.push({ accessKeyId: keyId, secretAccessKey: secret });
  if (options.credentials) found.push(...validateAccounts(options.credentials, 'credentials'));
  if (options.credentialsFile) found.push(...loadCredentialsFile(options.credentialsFile));
  const seen = new Set<string>();
  for (const c of found) {
    // Two secrets for one key would make the outcome depend on which is tried first.
    if (seen.has(c.accessKeyId)) throw new AuthConfigError(`access key id ${c.accessKeyId} is configured twice`);
    seen.add(c.accessKeyId);
  }
  return found;
}

export function loadCredentialsFile(path: string): Credential[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AuthConfigError(`cannot read the credentials file ${path}: ${(err as Error).message}`);
  }
  return parseCredentialsFile(text, path);
}

export function parseCredentialsFile(text: string, source: string): Credential[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AuthConfigError(`the credentials file ${source} is not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(doc) || !Array.isArray(doc.accounts) || doc.accounts.length === 0) {
    throw new AuthConfigError(
      `the credentials file ${source} must be {"accounts": [{"accessKeyId": "...", "secretAccessKey": "...", "account": "optional"}, ...]} with at least one account`,
    );
  }
  return validateAccounts(doc.accounts, `${source}: accounts`);
}

function validateAccounts(list: readonly unknown[], where: string): Credential[] {
  return list.map((entry, i) => {
    const at = `${where}[${i}]`;
    if (!isRecord(entry)) throw new AuthConfigError(`${at} must be an object`);
    for (const key of Object.keys(entry)) {
      // A misspelt "account" would otherwise silently merge the key into a namespace of its own.
      if (!['accessKeyId', 'secretAccessKey', 'account'].includes(key)) {
        throw new AuthConfigError(`${at} has an unknown field "${key}"; the fields are accessKeyId, secretAccessKey and account`);
      }
    }
    // The secret's value is never echoed, even when malformed.
    const { accessKeyId, secretAccessKey, account } = entry;
    if (typeof accessKeyId !== 'string' || accessKeyId === '') throw new AuthConfigError(`${at}.accessKeyId must be a non-empty string`);
    if (typeof secretAccessKey !== 'string' || secretAccessKey === '') {
      throw new AuthConfigError(`${at}.secretAccessKey must be a non-empty string`);
    }
    if (account !== undefined && (typeof account !== 'string' || account === '')) {
      throw new AuthConfigError(`${at}.account, when given, must be a non-empty string`);
    }
    return account === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, account };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
