export { createGraphBatchClient, MAX_BATCH_SIZE, type BatchRequest, type BatchResponse, type GraphBatchClient, type GraphBatchClientOptions } from './batch-client.js';
export { createClientSecretCredential, type ClientSecretOptions, type TokenCredential } from './client-credentials.js';
export { GraphError, GraphErrorCode } from './errors.js';
export { createPacer, type Pacer, type PacerOptions } from './pacer.js';
export { backoffInMs, retryAfterInMs } from './retry-after.js';
