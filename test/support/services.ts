import { Socket } from 'node:net';

/**
 * The real servers the integration tests use, and what each must offer. CI starts them before `npm test`; on a
 * laptop, start them yourself or let those tests skip (they say why).
 */
export const SERVICES = {
  postgres: { host: '127.0.0.1', port: 5432, url: 'postgres://postgres@127.0.0.1:5432/test', needs: 'PostgreSQL on 127.0.0.1:5432 with a database "test" that the user "postgres" reaches without a password (trust auth)' },
  mariadb: { host: '127.0.0.1', port: 3306, url: 'mysql://root@127.0.0.1:3306/test', needs: 'MariaDB or MySQL on 127.0.0.1:3306 with a database "test" and the user "root" with an empty password' },
  redis: { host: '127.0.0.1', port: 6379, url: 'redis://127.0.0.1:6379', needs: 'Redis on 127.0.0.1:6379 without a password' },
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
  const { host, port, needs } = SERVICES[name];
  if (await reachable(host, port)) return false;
  const reason = `${name} is not reachable on ${host}:${port}; these tests need ${needs}`;
  if (process.env.CI === 'true') throw new Error(`CI requires ${reason}`);
  return reason;
}
