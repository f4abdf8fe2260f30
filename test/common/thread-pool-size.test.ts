import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import threadPool from '../../src/common/thread-pool-size.cjs';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const PROBE = fileURLToPath(new URL('../support/thread-pool-probe.cjs', import.meta.url));

describe('the thread pool size rule', () => {
  test('max(4, cores + 2): one hashing lane per core, two spare, never below libuv\'s 4', () => {
    assert.deepEqual([1, 2, 3, 4, 8, 16, 64].map(threadPool.threadPoolSizeFor), [4, 4, 5, 6, 10, 18, 66]);
    assert.equal(threadPool.threadPoolSizeFor(5000), 1024, 'libuv cuts the pool at 1024');
  });

  test('the hashing lanes: one per core, at most the pool less one, at least one', () => {
    for (const cores of [1, 2, 3, 8, 16]) assert.equal(threadPool.hashingLanes(threadPool.threadPoolSizeFor(cores), cores), cores);
    assert.equal(threadPool.hashingLanes(4, 16), 3, 'a pool the user kept at 4 on 16 cores: 3 checks, one thread for the crypto');
    assert.equal(threadPool.hashingLanes(1, 2), 1);
  });

  test('a UV_THREADPOOL_SIZE the user set wins and is read as libuv reads it (atoi, 0 is 1, at most 1024)', () => {
    const env: Record<string, string | undefined> = { UV_THREADPOOL_SIZE: '3' };
    assert.deepEqual(threadPool.sizeThreadPool(env, 16), { size: 3, source: 'UV_THREADPOOL_SIZE', cores: 16 });
    assert.equal(env.UV_THREADPOOL_SIZE, '3');
    const read = (value: string | undefined) => threadPool.threadPoolSizeInEffect(value === undefined ? {} : { UV_THREADPOOL_SIZE: value });
    assert.deepEqual([undefined, '8', ' 8', '8x', '', 'many', '0', '-1', '99999'].map(read), [4, 8, 8, 8, 1, 1, 1, 1024, 1024]);
  });

  test('unset, it is set from the cores', () => {
    const env: Record<string, string | undefined> = {};
    assert.deepEqual(threadPool.sizeThreadPool(env, 16), { size: 18, source: 'cores', cores: 16 });
    assert.equal(env.UV_THREADPOOL_SIZE, '18');
  });

  test('the cores are capped by a cgroup v2 or v1 CPU quota, rounded up', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cgroup-'));
    try {
      const files = (name: string, selfCgroup: string) => ({ selfCgroup: join(root, name, 'self'), root: join(root, name, 'fs'), text: selfCgroup });
      const layout = async (name: string, selfCgroup: string, entries: Record<string, string>) => {
        const where = files(name, selfCgroup);
        await mkdir(where.root, { recursive: true });
        await writeFile(where.selfCgroup, selfCgroup);
        for (const [path, text] of Object.entries(entries)) {
          await mkdir(join(where.root, path, '..'), { recursive: true });
          await writeFile(join(where.root, path), text);
        }
        return { selfCgroup: where.selfCgroup, root: where.root };
      };
      const v2 = await layout('v2', '0::/app.slice/serve.service\n', { 'app.slice/serve.service/cpu.max': '150000 100000\n' });
      assert.equal(threadPool.cgroupCpuQuota(v2), 1.5);
      assert.equal(threadPool.usableCores({ parallelism: 16, cgroupFiles: v2 }), 2);
      const container = await layout('container', '0::/\n', { 'cpu.max': '50000 100000\n' });
      assert.equal(threadPool.usableCores({ parallelism: 64, cgroupFiles: container }), 1, 'half a CPU is one lane');
      const unlimited = await layout('unlimited', '0::/\n', { 'cpu.max': 'max 100000\n' });
      assert.equal(threadPool.usableCores({ parallelism: 8, cgroupFiles: unlimited }), 8);
      const v1 = await layout('v1', '4:memory:/x\n1:cpu,cpuacct:/docker/abc\n', { 'cpu/docker/abc/cpu.cfs_quota_us': '300000\n', 'cpu/docker/abc/cpu.cfs_period_us': '100000\n' });
      assert.equal(threadPool.usableCores({ parallelism: 16, cgroupFiles: v1 }), 3);
      const v1None = await layout('v1-none', '1:cpu:/\n', { 'cpu/cpu.cfs_quota_us': '-1\n', 'cpu/cpu.cfs_period_us': '100000\n' });
      assert.equal(threadPool.usableCores({ parallelism: 4, cgroupFiles: v1None }), 4);
      assert.equal(threadPool.usableCores({ parallelism: 4, cgroupFiles: { selfCgroup: join(root, 'absent'), root: join(root, 'absent') } }), 4, 'nothing to read: the CPUs');
      assert.equal(threadPool.usableCores({ parallelism: 0, cgroupFiles: container }), 1);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('the verifier\'s gate follows the pool in effect: one check at a time on a pool of 2, one per core on a larger one', async () => {
    // The verifier reads UV_THREADPOOL_SIZE as libuv read it when the pool started; this process's own pool is not changed.
    const saved = process.env.UV_THREADPOOL_SIZE;
    const stored = { hash: await bcryptHash('right', 4) };
    const runningAtOnce = async (poolSize: string) => {
      process.env.UV_THREADPOOL_SIZE = poolSize;
      const verifier = createPasswordVerifier();
      try {
        const checks = Array.from({ length: 4 }, () => verifier.verify('wrong', stored));
        const { running } = verifier.load(); // the gate admits synchronously, inside verify()
        assert.deepEqual(await Promise.all(checks), [false, false, false, false]);
        return running;
      } finally {
        await verifier.close();
      }
    };
    try {
      assert.equal(await runningAtOnce('2'), 1, 'a pool of 2: one check, one thread kept for the crypto');
      assert.equal(await runningAtOnce('64'), threadPool.usableCores(), 'a large pool: one check per core');
    } finally {
      if (saved === undefined) delete process.env.UV_THREADPOOL_SIZE;
      else process.env.UV_THREADPOOL_SIZE = saved;
    }
  });
});

describe('the launcher sizes the pool before it starts', () => {
  let app: string;
  before(async () => {
    // The layout the image runs (Dockerfile): package.json, bin/, dist/ compiled now from src/, node_modules.
    const dir = await mkdtemp(join(tmpdir(), 'launcher-'));
    app = join(dir, 'app');
    await mkdir(app);
    await cp(join(REPO, 'package.json'), join(app, 'package.json'));
    await cp(join(REPO, 'bin'), join(app, 'bin'), { recursive: true });
    await symlink(join(REPO, 'node_modules'), join(app, 'node_modules'), 'dir');
    // --noCheck: the type check is `npm run typecheck`'s job; this only needs the JavaScript.
    const build = await run(process.execPath, [TSC, '-p', join(REPO, 'tsconfig.build.json'), '--outDir', join(app, 'dist'), '--declaration', 'false', '--sourceMap', 'false', '--noCheck'], {});
    assert.equal(build.code, 0, `compiling src/ into the image layout failed:\n${build.output}`);
  });
  after(async () => {
    if (app) await rm(join(app, '..'), { recursive: true, force: true });
  });

  /** `node bin/entra-migrate.js --help` with the probe preloaded: the pool it really ran with. */
  async function poolOfLauncher(env: Record<string, string>): Promise<number> {
    const result = await run(process.execPath, ['--require', PROBE, join(app, 'bin/entra-migrate.js'), '--help'], env);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Usage: entra-migrate/, 'the CLI ran');
    const measured = /thread pool: (\d+) threads/.exec(result.output);
    assert.ok(measured, `the probe reported the pool:\n${result.output}`);
    return Number(measured[1]);
  }

  test('sized from the cores when UV_THREADPOOL_SIZE is not set (a machine of 8 cores: 10 threads)', async () => {
    const cores = threadPool.usableCores({ parallelism: 8 }); // 8, unless this machine's cgroup quota is smaller
    assert.equal(await poolOfLauncher({ PROBE_CORES: '8' }), threadPool.threadPoolSizeFor(cores));
    if (cores === 8) assert.equal(threadPool.threadPoolSizeFor(cores), 10, 'more than libuv\'s 4: the launcher\'s size took effect');
  });

  test('a UV_THREADPOOL_SIZE the user set wins', async () => {
    assert.equal(await poolOfLauncher({ PROBE_CORES: '8', UV_THREADPOOL_SIZE: '3' }), 3);
    assert.equal(await poolOfLauncher({ PROBE_CORES: '8', UV_THREADPOOL_SIZE: '7' }), 7);
  });

  test('the probe sees the pool an ES module entry point gets: libuv\'s 4, whatever it sets (why the launcher is CommonJS)', async () => {
    const entry = join(app, 'late.mjs');
    await writeFile(entry, "process.env.UV_THREADPOOL_SIZE = '10';\nawait import('./dist/common/logger.js');\n");
    const result = await run(process.execPath, ['--require', PROBE, entry], {});
    assert.match(result.output, /thread pool: 4 threads/);
  });
});

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Only PATH from this process: neither its NODE_OPTIONS (tsx) nor a UV_THREADPOOL_SIZE of its own.
    const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
