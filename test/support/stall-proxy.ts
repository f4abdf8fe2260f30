import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/** One client connection through the proxy and its upstream twin. */
interface Link {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
  closed: boolean;
}

/** A TCP proxy a test controls; see {@link startStallProxy}. */
export interface StallProxy {
  /** The loopback port clients connect to. */
  readonly port: number;
  /**
   * Stalls every connection open now: from here on their bytes are read and dropped in both directions and
   * nothing is answered, but both sockets stay open (a server that hangs with TCP up). Connections made later
   * are forwarded normally. Returns how many connections it stalled.
   */
  stall(): number;
  /** How many stalled connections the client side has not closed yet. */
  stalledOpen(): number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Resolves once the client side has closed every stalled connection; rejects after `timeoutInMs`. */
  stalledClosed(timeoutInMs: number): Promise<void>;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 (a free port) in front of `target`, for tests that need a database connection to
 * stop answering while new connections still work.
 *
 * @example
 *   const proxy = await startStallProxy({ host: '127.0.0.1', port: 5432 });
 *   await store.ping();            // one pooled connection through the proxy
 *   proxy.stall();                 // that connection now swallows everything
 *   await proxy.stalledClosed(2000); // the store closed it
 */
export async function startStallProxy(target: { host: string; port: number }): Promise<StallProxy> {
  const links = new Set<Link>();
  let accepted = 0;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };

  const server = createServer((client) => {
    accepted += 1;
    const upstream = createConnection(target);
    const link: Link = { client, upstream, stalled: false, closed: false };
    links.add(link);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!link.stalled) to.write(chunk);
      });
      from.on('end', () => {
        if (!link.stalled) to.end();
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => {
      link.closed = true;
      upstream.destroy();
      links.delete(link);
      notify();
    });
    upstream.on('close', () => {
      if (!link.stalled) client.destroy();
    });
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stalledOpen = () => [...links].filter((link) => link.stalled && !link.closed).length;

  return {
    port: (server.address() as AddressInfo).port,
    stall() {
      let count = 0;
      for (const link of links) {
        if (link.closed || link.stalled) continue;
        link.stalled = true;
        count += 1;
      }
      return count;
    },
    stalledOpen,
    accepted: () => accepted,
    stalledClosed(timeoutInMs) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (stalledOpen() > 0) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${stalledOpen()} stalled connection(s) still open after ${timeoutInMs} ms`));
        }, timeoutInMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * `promise`, or a rejection naming `what` when it is still pending after `limitInMs`: a call that would wait on a
 * stalled connection forever fails its test instead of hanging the run.
 *
 * @example
 *   await settlesWithin(ledger.ping(), 3000, 'the ping');
 */
export function settlesWithin<T>(promise: Promise<T>, limitInMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was still pending after ${limitInMs} ms`)), limitInMs);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}
