import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import { LDAP_CA_FILE, type LdapSettings } from '../../../config/legacy-ldap-settings.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { ldapStoreError } from './store-error.js';

/** One connection to the directory: an ldapts client and whether its socket has closed. */
export interface LdapConnection {
  readonly client: Client;
  /** True once the socket closed (the server hung up, or we destroyed it): the client must not be used again. */
  readonly closed: boolean;
}

interface ConnectionState {
  closed: boolean;
  /** The TCP socket and, once StartTLS or ldaps:// wrapped it, the TLS socket: destroyed together. */
  readonly sockets: Socket[];
}

/** TCP keep-alive on every socket, so a pooled connection to a vanished server is noticed. In ms. */
const KEEP_ALIVE_IN_MS = 30_000;

/** What a connection needs of the directory's settings: where, and how it is secured. */
export type ConnectorSettings = Pick<LdapSettings, 'url' | 'startTls' | 'caFile'>;

/**
 * Opens connections to LEGACY_LDAP_URL as the settings say: TLS from the first byte for `ldaps://`, StartTLS for
 * `ldap://` with LEGACY_LDAP_STARTTLS=true, the CA of LEGACY_LDAP_CA_FILE, TLS 1.2 or later. Keeps every connection
 * it opened until it is destroyed, so {@link LdapConnector.destroyAll} leaves no socket behind.
 *
 * @example
 *   const connector = await LdapConnector.create(settings);
 *   const connection = connector.openConnection();
 *   try { await connector.secure(connection); await connection.client.bind(dn, password); } finally { connector.destroy(connection); }
 */
export class LdapConnector {
  private readonly open = new Map<LdapConnection, ConnectionState>();

  private constructor(
    private readonly settings: ConnectorSettings,
    private readonly tls: ConnectionOptions,
  ) {}

  /** Reads LEGACY_LDAP_CA_FILE (rejects with `LEGACY_STORE_OPTIONS_INVALID` naming it when it holds no certificate). */
  static async create(settings: ConnectorSettings): Promise<LdapConnector> {
    const tls: ConnectionOptions = { minVersion: 'TLSv1.2' };
    if (settings.caFile !== undefined) tls.ca = await readCa(settings.caFile);
    return new LdapConnector(settings, tls);
  }

  /** A new connection, not connected yet: ldapts connects on the first operation. */
  openConnection(): LdapConnection {
    const state: ConnectionState = { closed: false, sockets: [] };
    const watch = <S extends Socket>(socket: S): S => {
      state.sockets.push(socket);
      socket.setKeepAlive(true, KEEP_ALIVE_IN_MS);
      socket.setNoDelay(true);
      socket.once('close', () => {
        state.closed = true;
      });
      return socket;
    };
    const hostname = this.settings.url.hostname.replace(/^\[(.*)\]$/, '$1');
    const secure = this.settings.url.protocol === 'ldaps:';
    const client = new Client({
      url: `${this.settings.url.protocol}//${this.settings.url.host}`,
      // tlsOptions switch ldapts to TLS from the first byte, so they are given for ldaps:// only.
      ...(secure && { tlsOptions: { ...this.tls, ...serverName(hostname) } }),
      createConnection: ((port: number, host: string) => watch(netConnect(port, host))) as typeof netConnect,
      createSecureConnection: ((...args: Parameters<typeof tlsConnect>) => watch(tlsConnect(...args))) as typeof tlsConnect,
    });
    const connection: LdapConnection = {
      client,
      get closed() {
        return state.closed;
      },
    };
    this.open.set(connection, state);
    return connection;
  }

  /** Upgrades the connection with StartTLS when LEGACY_LDAP_STARTTLS=true; nothing otherwise. */
  async secure(connection: LdapConnection): Promise<void> {
    if (!this.settings.startTls) return;
    const hostname = this.settings.url.hostname.replace(/^\[(.*)\]$/, '$1');
    try {
      // `host` is what the certificate is checked against (tls.connect over an existing socket has no other).
      await connection.client.startTLS({ ...this.tls, host: hostname, ...serverName(hostname) });
    } catch (error) {
      throw ldapStoreError(error, 'StartTLS', this.settings.url);
    }
  }

  /**
   * Closes the connection at once: an unbind is written (RFC 4511 §4.3) and the sockets are destroyed without
   * waiting for anything, even when the server has stopped answering. Idempotent.
   */
  destroy(connection: LdapConnection): void {
    const state = this.open.get(connection);
    if (state === undefined) return;
    this.open.delete(connection);
    state.closed = true;
    connection.client.unbind().catch(() => undefined);
    for (const socket of state.sockets) socket.destroy();
  }

  destroyAll(): void {
    for (const connection of [...this.open.keys()]) this.destroy(connection);
  }
}

/** SNI for a host name; none for an IP address, which SNI does not allow (RFC 6066 §3). */
function serverName(hostname: string): { servername?: string } {
  return isIP(hostname) ? {} : { servername: hostname };
}

async function readCa(path: string): Promise<Buffer> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    throw new LegacyStoreError(LegacyStoreErrorCode.OPTIONS_INVALID, `${LDAP_CA_FILE} names a file that cannot be read (${code}).`, { cause: error });
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new LegacyStoreError(LegacyStoreErrorCode.OPTIONS_INVALID, `${LDAP_CA_FILE} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  return pem;
}
