export { createPacer, type Pacer, type PacerOptions } from './pacer.js';
export { backoffInMs, retryAfterInMs } from './retry-after.js';
