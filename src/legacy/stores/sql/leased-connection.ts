import { withDeadline, type DeadlineOptions } from './deadline.js';

/** How a driver's pool lends one connection, and the two ways to give it back. */
export interface ConnectionLease<C> {
  /** Checks a connection out of the pool (connecting a new one when none is idle). */
  acquire(): Promise<C>;
  /** Returns a connection in a known, idle state to the pool. */
  release(connection: C): void;
  /** Takes a connection out of the pool and closes its socket at once, whatever it is doing. */
  destroy(connection: C): void;
}

/**
 * Checks a connection out, runs `use` on it and gives it back, all within `deadline` (connection wait included).
 * A connection whose work is abandoned — the timeout passes or the signal aborts while `use` runs — is destroyed at
 * once, never released: its statement is still on the wire and the server may never answer (a stalled TCP
 * connection), so handing it out again would fail every later call that draws it. A connection whose work failed
 * is destroyed too (its state is unknown); one that arrives after the call was abandoned is released unused.
 *
 * @example
 *   const rows = await withLeasedConnection(
 *     { acquire: () => pool.connect(), release: (client) => client.release(), destroy: (client) => client.release(true) },
 *     (client) => client.query(sql, values),
 *     { timeoutInMs: 1000, abortSignal, timeoutError: () => storeTimedOut(url, 1000) },
 *   );
 */
export async function withLeasedConnection<C, T>(
  lease: ConnectionLease<C>,
  use: (connection: C) => Promise<T>,
  deadline: DeadlineOptions,
): Promise<T> {
  let abandoned = false;
  /** The connection while `use` runs on it; whoever clears it (work or abandonment) gives it back, exactly once. */
  let lent: C | undefined;
  const giveBack = (how: 'release' | 'destroy'): void => {
    const connection = lent;
    if (connection === undefined) return;
    lent = undefined;
    lease[how](connection);
  };

  const work = async (): Promise<T> => {
    const connection = await lease.acquire();
    if (abandoned) {
      lease.release(connection); // never used, so still healthy; this late result is ignored by withDeadline
      throw new Error('abandoned before a connection was available');
    }
    lent = connection;
    try {
      const result = await use(connection);
      giveBack('release');
      return result;
    } catch (error) {
      giveBack('destroy');
      throw error;
    }
  };

  try {
    return await withDeadline(work, deadline);
  } catch (error) {
    abandoned = true;
    giveBack('destroy'); // a no-op when the work failed by itself: it has given the connection back already
    throw error;
  }
}
