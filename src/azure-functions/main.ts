/**
 * The Function App's entry point (package.json `"main": "dist/azure-functions/main.js"`): the Node worker imports
 * it once per instance, and it registers every function from the application settings. A setting that is wrong
 * stops the load here, with the message naming it in the Functions host's log.
 *
 * libuv's thread pool (password hashes, the callout's RSA and token checks) cannot be sized from here: libuv reads
 * UV_THREADPOOL_SIZE once, when the pool starts, and in a Function App it has started before this file runs (the
 * worker's own file reads, and the import of this ES module, run on it). The application setting UV_THREADPOOL_SIZE
 * is in the worker's environment from its start, so that is where the size goes (docs/deploying.md); without it
 * the pool has libuv's 4 threads, the verifier sees that (it reads the size in effect) and keeps one of them for the
 * callout's crypto, and an instance with more than 2 cores is told once, here, which value uses them all.
 */
import threadPool from '../common/thread-pool-size.cjs';
import { registerFunctions } from './register.js';

registerFunctions();

const cores = threadPool.usableCores();
const wanted = threadPool.threadPoolSizeFor(cores);
if (process.env.UV_THREADPOOL_SIZE === undefined && wanted > threadPool.LIBUV_DEFAULT_SIZE) {
  // Through the console, which the Functions host ships as a warning; no setting value is quoted but this one.
  console.warn(
    `entra-migrate: password checks use ${threadPool.hashingLanes(threadPool.LIBUV_DEFAULT_SIZE, cores)} of this instance's ${cores} cores: ` +
      `libuv's thread pool has its default 4 threads. Add the application setting UV_THREADPOOL_SIZE=${wanted} (cores + 2) to use them all.`,
  );
}
