/**
 * libuv's thread pool, sized from the machine.
 *
 * Password hashes (native bcrypt and argon2, async PBKDF2 and scrypt), the callout's own crypto (WebCrypto: the
 * RSA-OAEP unwrap, the AES-GCM decryption, the RS256 check of the caller token) and blocking system calls
 * (getaddrinfo, file I/O) all run on libuv's one pool, 4 threads unless UV_THREADPOOL_SIZE says otherwise. With 4,
 * a 16-core machine verifies bcrypt on 3 threads (the admission gate keeps one free): about 40 bcrypt-10 sign-ins a
 * second however many cores it has. The sizing rule:
 *
 *   UV_THREADPOOL_SIZE = max(4, cores + 2)
 *
 * - `cores` hashing lanes: hashing is CPU-bound, so one check per core is the throughput and a check beyond it only
 *   lengthens every check (the admission gate, legacy/hashes/admission.ts, lets min(size − 1, cores) run);
 * - one lane for the callout's crypto, which must finish before Entra's deadline and never queue behind a hash;
 * - one more for the blocking calls that share the pool — a DNS lookup (Graph, a legacy web service, the telemetry
 *   exporters, a reconnecting pool) waits up to the resolver's 5 s timeout on its thread: with a single spare lane
 *   one slow lookup would queue every decryption behind it (bench/thread-pool.bench.ts measures both);
 * - never fewer than libuv's own 4.
 *
 * `cores` are the CPUs this process may use: `availableParallelism()` (the CPUs it may be scheduled on), capped by
 * the cgroup's CPU quota — Node 20's libuv (1.46) does not read the quota, and a container of 1 CPU on a 64-core host
 * would otherwise run 64 checks at once on one CPU's time.
 *
 * libuv reads UV_THREADPOOL_SIZE once, when the pool starts, at its first use — and in Node 20 loading an ES module
 * is such a use (the loader reads files asynchronously, on the pool), so the size must be set before the first
 * `import`: this file is CommonJS (compiled to `.cjs`) so that the CommonJS launcher, bin/entra-migrate.js, can
 * `require` it before loading anything else. A UV_THREADPOOL_SIZE set by the user always wins.
 *
 * @example
 *   // bin/entra-migrate.js, before the first import
 *   require('../dist/common/thread-pool-size.cjs').sizeThreadPool();
 */
import os = require('node:os');
import fs = require('node:fs');

/** libuv's pool size when UV_THREADPOOL_SIZE is not set (deps/uv/src/threadpool.c, `default_threads`). */
const LIBUV_DEFAULT_SIZE = 4;
/** libuv's largest pool (MAX_THREADPOOL_SIZE in libuv 1.46, Node 20); a larger UV_THREADPOOL_SIZE is cut to it. */
const LIBUV_MAX_SIZE = 1024;
/** Threads beyond the hashing lanes: one for the callout's crypto, one for blocking lookups and file I/O (see above). */
const SPARE_LANES = 2;

/** Where the pool's size came from. */
type ThreadPoolSizeSource = 'UV_THREADPOOL_SIZE' | 'cores';

interface ThreadPoolSizing {
  /** Threads libuv starts with. */
  size: number;
  /** `UV_THREADPOOL_SIZE` when the user set it; `cores` when sized here from `cores`. */
  source: ThreadPoolSizeSource;
  /** The CPUs this process may use (see usableCores). */
  cores: number;
}

type Env = Record<string, string | undefined>;

/** Where the cgroup files are read (tests point it at a directory of their own). */
interface CgroupFiles {
  /** /proc/self/cgroup */
  selfCgroup: string;
  /** /sys/fs/cgroup */
  root: string;
}

const SYSTEM_CGROUP_FILES: CgroupFiles = { selfCgroup: '/proc/self/cgroup', root: '/sys/fs/cgroup' };

/** The pool size for a machine of `cores` usable CPUs: max(4, cores + 2), at most libuv's 1024. */
function threadPoolSizeFor(cores: number): number {
  return Math.min(LIBUV_MAX_SIZE, Math.max(LIBUV_DEFAULT_SIZE, Math.floor(cores) + SPARE_LANES));
}

/**
 * The pool size libuv takes from `env` (or would take, were the pool starting now): UV_THREADPOOL_SIZE read as libuv
 * reads it — C's atoi, so `8x` is 8 and text or an empty value is 0, made 1; a negative value wraps to its largest —
 * and 4 when it is not set.
 */
function threadPoolSizeInEffect(env: Env = process.env): number {
  const value = env.UV_THREADPOOL_SIZE;
  if (value === undefined) return LIBUV_DEFAULT_SIZE;
  const parsed = Number.parseInt(value.trimStart(), 10);
  if (Number.isNaN(parsed) || parsed === 0) return 1;
  if (parsed < 0 || parsed > LIBUV_MAX_SIZE) return LIBUV_MAX_SIZE;
  return parsed;
}

/**
 * The CPU quota of this process's cgroup, in CPUs (1.5 for `--cpus 1.5`), or undefined when there is none or it
 * cannot be read. cgroup v2 (`cpu.max`: "150000 100000", or "max 100000" for none) at this process's own cgroup and
 * then at the mount's root (a container's namespace root), else cgroup v1 (`cpu.cfs_quota_us`, −1 for none).
 */
function cgroupCpuQuota(files: CgroupFiles = SYSTEM_CGROUP_FILES): number | undefined {
  const read = (path: string): string | undefined => {
    try {
      return fs.readFileSync(path, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const lines = (read(files.selfCgroup) ?? '').split('\n');
  const unifiedPath = lines.find((line) => line.startsWith('0::'))?.slice(3);
  const v1Path = lines.map((line) => line.split(':')).find(([, controllers]) => controllers?.split(',').includes('cpu'))?.[2];
  const candidates: Array<() => number | undefined> = [
    ...[unifiedPath, '/'].filter((path): path is string => path !== undefined).map((path) => () => {
      const [quota, period] = (read(`${files.root}${path === '/' ? '' : path}/cpu.max`) ?? '').split(/\s+/);
      return quota && quota !== 'max' && Number(period) > 0 ? Number(quota) / Number(period) : undefined;
    }),
    ...[v1Path, '/'].filter((path): path is string => path !== undefined).map((path) => () => {
      const directory = `${files.root}/cpu${path === '/' ? '' : path}`;
      const quota = Number(read(`${directory}/cpu.cfs_quota_us`));
      const period = Number(read(`${directory}/cpu.cfs_period_us`));
      return quota > 0 && period > 0 ? quota / period : undefined;
    }),
  ];
  for (const candidate of candidates) {
    const quota = candidate();
    if (quota !== undefined && Number.isFinite(quota) && quota > 0) return quota;
  }
  return undefined;
}

/**
 * The CPUs this process may use: `availableParallelism()` capped by the cgroup's CPU quota rounded up (a quota of
 * 1.5 CPUs is 2 lanes: the half is still worth a check), at least 1.
 */
function usableCores(options: { parallelism?: number; cgroupFiles?: CgroupFiles } = {}): number {
  const parallelism = options.parallelism ?? os.availableParallelism();
  const quota = cgroupCpuQuota(options.cgroupFiles);
  return Math.max(1, quota === undefined ? parallelism : Math.min(parallelism, Math.ceil(quota)));
}

/**
 * Sets UV_THREADPOOL_SIZE in `env` from the machine unless the user set it, and says what the pool will be. Only
 * useful before libuv's pool starts (see the file's comment): the CommonJS launcher calls it first thing.
 */
function sizeThreadPool(env: Env = process.env, cores: number = usableCores()): ThreadPoolSizing {
  if (env.UV_THREADPOOL_SIZE !== undefined) return { size: threadPoolSizeInEffect(env), source: 'UV_THREADPOOL_SIZE', cores };
  const size = threadPoolSizeFor(cores);
  env.UV_THREADPOOL_SIZE = String(size);
  return { size, source: 'cores', cores };
}

/**
 * How many password checks may run at once on a pool of `poolSize` threads and `cores` CPUs: one per core, and at
 * most poolSize − 1 so the callout's crypto always finds a free thread; at least 1.
 */
function hashingLanes(poolSize: number, cores: number): number {
  return Math.max(1, Math.min(poolSize - 1, cores));
}

export = { LIBUV_DEFAULT_SIZE, SPARE_LANES, threadPoolSizeFor, threadPoolSizeInEffect, cgroupCpuQuota, usableCores, sizeThreadPool, hashingLanes };
