/**
 * Debian's nginx as the load balancer in front of the replicas, on loopback, with everything it writes inside the
 * bench's own directory (`-p` prefix, pid file, error log, temp paths): nothing under /etc, /var or /run is read or
 * touched, and it runs in the foreground (`daemon off`) as this process's child, so it ends with the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuTimeInMs } from '../measure.js';

export const NGINX = '/usr/sbin/nginx';

export interface RunningNginx {
  url: string;
  /** CPU time of the master and its workers, in ms. */
  cpuTimeInMs(): number;
  stop(): Promise<void>;
}

/**
 * How the upstream is written, and why:
 * - `least_conn`: a request goes to the replica with the fewest in flight. The replicas share 2 cores with each
 *   other, the driver and nginx, so one of them is often descheduled for a few ms; round robin would keep handing it
 *   its share and let its queue grow, least_conn hands the next request to one that is keeping up. With nothing in
 *   flight (a sequential burst) every replica ties and nginx falls back to round robin, so the burst is spread evenly.
 * - `keepalive`: connections to the replicas are reused (HTTP/1.1, `Connection` cleared), as a production proxy
 *   does; without it each callout would open a TCP connection to a replica.
 * - `keepalive_timeout 4s`: below the replica's own 5 s keep-alive timeout (server/build-server.ts). Otherwise nginx
 *   may send a callout on a connection the replica is closing, and a POST is not retried: a 502 for Entra.
 * - `max_fails=0`: a replica that refuses a connection (while it drains, say) is not taken out of the pool for 10 s.
 */
export function nginxConfig(dir: string, port: number, upstreams: readonly string[], upstreamKeepalive: number): string {
  const servers = upstreams.map((address) => `    server ${address} max_fails=0;`).join('\n');
  return `# written by bench/scale.ts: a loopback load balancer for the serve replicas
daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  client_body_buffer_size 64k;
  upstream replicas {
    least_conn;
${servers}
    keepalive ${upstreamKeepalive};
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`;
}

/**
 * Starts nginx balancing over `upstreams` (`127.0.0.1:port` each) and resolves once it accepts connections.
 * `worker_processes 1`: one event loop proxies thousands of small requests a second, and on 2 cores a second worker
 * would only take time from the replicas.
 */
export async function startNginx(dir: string, upstreams: readonly string[], upstreamKeepalive: number): Promise<RunningNginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: apt-get install -y nginx`);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const port = await freePort();
  const configPath = join(dir, 'nginx.conf');
  await writeFile(configPath, nginxConfig(dir, port, upstreams, upstreamKeepalive));
  const child = spawn(NGINX, ['-p', dir, '-c', configPath, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  try {
    await untilListening(port, child, dir);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const master = child.pid!;
  return {
    url: `http://127.0.0.1:${port}`,
    cpuTimeInMs: () => cpuTimeInMs(master) + childrenOf(master).reduce((sum, pid) => sum + cpuTimeOrZero(pid), 0),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGQUIT'); // graceful: finish the requests in flight, then exit
        const late = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(late);
      }
      process.off('exit', killOnExit);
    },
  };
}

/** A port nothing listens on now (asked of the kernel); nginx binds it a moment later. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilListening(port: number, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${errorLogTail(dir)}`);
    if (await accepts(port)) return;
    await sleep(50);
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within 10 s: ${errorLogTail(dir)}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

function errorLogTail(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no error log)';
  }
}

/** The pids of `pid`'s children (nginx's workers), from /proc (Linux 3.5+). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cpuTimeOrZero(pid: number): number {
  try {
    return cpuTimeInMs(pid);
  } catch {
    return 0; // a worker that ended between the listing and the read
  }
}
