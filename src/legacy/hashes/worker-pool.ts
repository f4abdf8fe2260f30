import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import threadPool from '../../common/thread-pool-size.cjs';
import type { ComputeTask } from './compute/tasks.js';
import { HashError, HashErrorCode } from './errors.js';

export interface WorkerPoolOptions {
  /** Threads; default the cores this process may use (its CPUs, capped by a cgroup quota). */
  threads?: number;
  /** Tasks waiting for a thread beyond which work is refused (HASH_VERIFIER_BUSY). Default 256. */
  maxQueue?: number;
}

export interface WorkerPool {
  run(task: ComputeTask): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The worker threads that run JavaScript-computed hashes. Started on first use; its worker file has the same
 * extension as this module, so it loads from `dist/` (`.js`) and, under tsx, from `src/` (`.ts`; threads inherit
 * the process's `--import tsx`).
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const threads = options.threads ?? threadPool.usableCores();
  const maxQueue = options.maxQueue ?? 256;
  let pool: Piscina | undefined;
  let closed = false;
  const filename = fileURLToPath(new URL(`./compute/worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

  return {
    async run(task) {
      if (closed) throw new HashError(HashErrorCode.HASH_VERIFIER_CLOSED, 'The password verifier is closed.');
      pool ??= new Piscina({ filename, minThreads: 1, maxThreads: threads, maxQueue, idleTimeout: 60_000 });
      if (pool.queueSize >= maxQueue) throw busy();
      try {
        return (await pool.run(task)) as boolean;
      } catch (error) {
        if (error instanceof Error && /queue is at limit/i.test(error.message)) throw busy();
        throw error;
      }
    },
    async close() {
      closed = true;
      await pool?.destroy();
    },
  };
}

function busy(): HashError {
  return new HashError(HashErrorCode.HASH_VERIFIER_BUSY, 'Too many password checks are waiting; the verifier is overloaded.');
}
