import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPasswordVerifier } from '../../../src/legacy/hashes/index.js';
import { hashStoreAuthority, openSqlLegacyStore, type HashDefaults, type LegacyCheck } from '../../../src/legacy/index.js';
import { LEGACY_USER_QUERY } from '../../../src/legacy/import/index.js';

/** test/fixtures/legacy-import/<name>: the exports generate.py writes (see its README). */
export const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/legacy-import/${name}`, import.meta.url));

/** A temporary directory, removed by `remove()`. */
export async function temporaryDirectory(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `legacy-import-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * What `serve` would answer for sign-ins against an imported table: the SQL store on the file with the import's
 * LEGACY_USER_QUERY, the real verifier, the import's store-wide hash parameters — the same objects serve builds.
 */
export async function signInChecker(databaseUrl: string, hashDefaults?: HashDefaults) {
  const store = await openSqlLegacyStore({ url: databaseUrl, query: LEGACY_USER_QUERY });
  const verifier = createPasswordVerifier(hashDefaults ? { hashDefaults } : {});
  const authority = hashStoreAuthority(store, verifier, hashDefaults);
  return {
    check(username: string, password: string): Promise<LegacyCheck> {
      return authority.checkPassword({ username, email: null, objectId: '00000000-0000-0000-0000-000000000000', password }, { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 30_000 });
    },
    async close() {
      await authority.close();
      await verifier.close();
    },
  };
}

const MEASURE_CLI = fileURLToPath(new URL('./measure-cli.ts', import.meta.url));

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the whole process (node, tsx and the import), KiB. */
  maxRssKiB: number;
  elapsedInMs: number;
}

/**
 * Runs `entra-migrate <args>` from source in a child process, like test/support/cli.ts, and reports its peak memory.
 * `onStderr` sees standard error as it comes (to act mid-run); `child` is there to kill it.
 */
export function runMeasuredCli(args: readonly string[], options: { timeoutInMs?: number; onStderr?: (text: string, kill: () => void) => void } = {}): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const measureFile = join(tmpdir(), `legacy-import-measure-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
    const child = spawn(process.execPath, ['--import', 'tsx', '--', MEASURE_CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', MEASURE_FILE: measureFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const kill = () => child.kill('SIGKILL');
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(stderr, kill);
    });
    const timer = setTimeout(kill, options.timeoutInMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      void readFile(measureFile, 'utf8')
        .then((text) => JSON.parse(text) as { maxRssKiB: number; elapsedInMs: number }, () => ({ maxRssKiB: 0, elapsedInMs: 0 }))
        .then(async (measured) => {
          await rm(measureFile, { force: true });
          resolve({ code, stdout, stderr, ...measured });
        });
    });
  });
}

/** Writes `path` from an iterable of text pieces, through a stream: a 100 MB file never sits in memory. */
export async function writeStreamed(path: string, pieces: Iterable<string | Buffer>): Promise<void> {
  const out = createWriteStream(path);
  for (const piece of pieces) if (!out.write(piece)) await once(out, 'drain');
  out.end();
  await once(out, 'close');
}

/** `count` copies of `text`, as pieces of 1 MiB or so. */
export function* repeated(text: string, count: number): Generator<string> {
  const per = Math.max(1, Math.floor((1024 * 1024) / text.length));
  for (let left = count; left > 0; left -= per) yield text.repeat(Math.min(per, left));
}
