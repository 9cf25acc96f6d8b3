export { SimpleDBClient, type Logger, type ResolvedConfig, type SendOptions, type SimpleDBClientConfig } from './client.js';
export * from './commands.js';
export * from './counter.js';
export { PLACEHOLDER_CREDENTIALS, type CredentialProvider, type SimpleDBCredentials } from './credentials.js';
export * from './errors.js';
export * from './paginate.js';
export type { RetryBackoff } from './retry.js';
export { signV2, type SignatureMethod, type SignV2Input, type QueryParam } from './signer.js';
