import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A PostgreSQL cluster of the test's own, for the fault tests that stop, restart or lock the server: Debian's server
 * binaries (`initdb`, `pg_ctl`) in a temporary directory, listening on a free loopback port with trust
 * authentication, `fsync` off (the machine does not crash, only the server is stopped: every commit survives it). The shared server on 5432 is never touched. As root, the binaries run as the
 * `postgres` user (`runuser`), since PostgreSQL refuses to run as root; the directory is handed to that user.
 * CI has the binaries (the `postgresql` package the shared server comes from); elsewhere the tests skip with the
 * reason from {@link skipUnlessPrivatePostgres}.
 */

const run = promisify(execFile);
const POSTGRES_LIB = '/usr/lib/postgresql';
const RUNUSER = '/usr/sbin/runuser';

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Starts the server again after `stop()` (same data, same port); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it at once (`pg_ctl stop -m immediate`: every connection cut, as a crash would); resolves once it is down. */
  stop(): Promise<void>;
  /** Runs SQL on a connection of its own. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Stops the server and deletes its directory. */
  close(): Promise<void>;
}

/** The newest installed server's binaries, or undefined. */
function binDir(): string | undefined {
  if (!existsSync(POSTGRES_LIB)) return undefined;
  const versions = readdirSync(POSTGRES_LIB).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  const found = versions.map((version) => join(POSTGRES_LIB, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  return found;
}

const isRoot = () => userInfo().uid === 0;

/**
 * Decides whether the private-cluster tests may run. Returns `false` (run) or a skip reason; in CI (`CI=true`)
 * missing binaries are a failure, never a quiet skip: this throws.
 */
export function skipUnlessPrivatePostgres(): string | false {
  const problems: string[] = [];
  if (binDir() === undefined) problems.push(`no PostgreSQL server binaries (initdb, pg_ctl) under ${POSTGRES_LIB}/<version>/bin`);
  if (isRoot() && !existsSync(RUNUSER)) problems.push(`running as root without ${RUNUSER} to run them as the postgres user`);
  if (problems.length === 0) return false;
  const reason = `${problems.join('; ')}; these tests need Debian's postgresql server package (apt-get install postgresql)`;
  if (process.env.CI === 'true') throw new Error(`CI requires ${reason}`);
  return reason;
}

/**
 * Creates and starts a private cluster. `close()` it in an `after` hook; it is also stopped if the process exits.
 *
 * @example
 *   const server = await startPrivatePostgres();
 *   await server.stop(); … await server.start();
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (bin === undefined) throw new Error(`no PostgreSQL server binaries under ${POSTGRES_LIB}`);
  const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-private-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const asServer = async (command: string, args: string[]) => {
    const [file, argv] = isRoot() ? [RUNUSER, ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    try {
      return await run(file, argv, { timeout: 60_000 });
    } catch (error) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`${command} ${args.join(' ')} failed: ${(error as Error).message}\n${log.slice(-2000)}`);
    }
  };
  if (isRoot()) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
  }
  await asServer('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50`;
  let running = false;
  const start = async () => {
    await asServer('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async () => {
    await asServer('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
  };
  const stopAtExit = () => {
    if (!running) return;
    const [file, argv] = isRoot() ? [RUNUSER, ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']] : [join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']];
    try {
      execFileSync(file, argv, { stdio: 'ignore' });
    } catch {
      // already down
    }
  };
  process.once('exit', stopAtExit);
  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    start,
    stop,
    async query(sql, values) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query(sql, values);
      } finally {
        await client.end();
      }
    },
    async close() {
      process.removeListener('exit', stopAtExit);
      if (running) await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
