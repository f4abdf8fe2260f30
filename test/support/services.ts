import { Socket } from 'node:net';

/** The real servers this machine runs for integration tests (see ../shared/ci/start-services.sh). */
export const SERVICES = {
  postgres: { host: '127.0.0.1', port: 5432, url: 'postgres://postgres@127.0.0.1:5432/test' },
  mariadb: { host: '127.0.0.1', port: 3306, url: 'mysql://root@127.0.0.1:3306/test' },
  redis: { host: '127.0.0.1', port: 6379, url: 'redis://127.0.0.1:6379' },
} as const;

export type ServiceName = keyof typeof SERVICES;

function reachable(host: string, port: number, timeoutInMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutInMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * Decides whether a test that needs `name` may run. Returns `false` (run) or a skip reason for `t.skip`/`{ skip }`.
 * In CI (`CI=true`) a missing server is a failure, never a quiet skip: this throws.
 */
export async function skipUnlessService(name: ServiceName): Promise<string | false> {
  const { host, port } = SERVICES[name];
  if (await reachable(host, port)) return false;
  const reason = `${name} is not reachable on ${host}:${port}; run ../shared/ci/start-services.sh to start it`;
  if (process.env.CI === 'true') throw new Error(`CI requires ${reason}`);
  return reason;
}
