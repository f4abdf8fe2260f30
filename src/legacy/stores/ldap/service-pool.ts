import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { isAbortReason, within, type Bounds } from './bounds.js';
import type { LdapConnection, LdapConnector } from './connection.js';
import { ldapStoreError } from './store-error.js';

/** A pooled connection lent for one operation; `reused` when it served an earlier one (it may have gone stale). */
export interface ServiceLease {
  readonly connection: LdapConnection;
  readonly reused: boolean;
}

/**
 * A few connections bound as the service account (LEGACY_LDAP_BIND_DN), each lent to one search at a time and given
 * back after, so a search that times out or is aborted can close its own connection without touching anyone else's.
 * Connections are opened on demand up to `size`; one that closed (the server hung up) or failed is dropped and
 * replaced on the next lease. Waiting for a free one counts against the caller's deadline.
 *
 * @example
 *   const lease = await pool.lease(bounds);
 *   try { … lease.connection.client.search(…) …; pool.release(lease.connection); } catch (error) { pool.discard(lease.connection); throw error; }
 */
export class ServicePool {
  private readonly idle: LdapConnection[] = [];
  private readonly waiters: (() => void)[] = [];
  private total = 0;
  private closed = false;

  constructor(
    private readonly connector: LdapConnector,
    private readonly credentials: { readonly bindDn: string; readonly bindPassword: string },
    private readonly url: URL,
    private readonly size: number,
  ) {}

  async lease(bounds: Bounds): Promise<ServiceLease> {
    for (;;) {
      if (this.closed) throw closedError();
      const idle = this.takeIdle();
      if (idle !== undefined) return { connection: idle, reused: true };
      if (this.total < this.size) return { connection: await this.openBound(bounds), reused: false };
      await this.waitForTurn(bounds);
    }
  }

  /** Gives a healthy connection back for the next search. */
  release(connection: LdapConnection): void {
    if (this.closed || connection.closed) {
      this.discard(connection);
      return;
    }
    this.idle.push(connection);
    this.wakeOne();
  }

  /** Closes a connection that failed, timed out or was abandoned, and frees its place. */
  discard(connection: LdapConnection): void {
    this.connector.destroy(connection);
    this.total -= 1;
    this.wakeOne();
  }

  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) this.connector.destroy(connection);
    for (const wake of this.waiters.splice(0)) wake();
  }

  private takeIdle(): LdapConnection | undefined {
    for (let connection = this.idle.pop(); connection !== undefined; connection = this.idle.pop()) {
      if (!connection.closed && connection.client.isBound) return connection;
      this.connector.destroy(connection);
      this.total -= 1;
    }
    return undefined;
  }

  private async openBound(bounds: Bounds): Promise<LdapConnection> {
    this.total += 1;
    const connection = this.connector.openConnection();
    try {
      await within(bounds, async () => {
        await this.connector.secure(connection);
        await connection.client.bind(this.credentials.bindDn, this.credentials.bindPassword);
      });
      return connection;
    } catch (error) {
      this.discard(connection);
      throw isAbortReason(bounds, error) ? error : ldapStoreError(error, 'service bind', this.url);
    }
  }

  /** Resolves when a connection may be free; rejects with the bounds' timeout or abort. */
  private async waitForTurn(bounds: Bounds): Promise<void> {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.waiters.push(wake);
    try {
      await within(bounds, () => woken);
    } catch (error) {
      const index = this.waiters.indexOf(wake);
      if (index >= 0) this.waiters.splice(index, 1);
      else this.wakeOne(); // woken as we gave up: hand the turn on, so no one else waits for nothing
      throw error;
    }
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }
}

function closedError(): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The directory legacy store is closed.');
}
