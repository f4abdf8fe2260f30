export { createGraphBatchClient, headerOf, MAX_BATCH_SIZE, type BatchRequest, type BatchResponse, type GraphBatchClient, type GraphBatchClientOptions } from './batch-client.js';
export { createClientSecretCredential, type ClientSecretOptions, type TokenCredential } from './client-credentials.js';
export { GraphError, GraphErrorCode } from './errors.js';
export { createPacer, type Pacer, type PacerOptions } from './pacer.js';
export { backoffInMs, retryAfterInMs } from './retry-after.js';
export { createGraphClientPool } from './client-pool.js';
export { appCredential, type AppCredentialKind, type AppCredentialSettings } from './app-credential.js';
export { readDirectoryQuota, type DirectoryQuota } from './directory-quota.js';
