import { buildConnector } from 'undici';
import type { TlsMaterial } from './tls-files.js';

/**
 * How the pool opens a connection: undici's own connector with our CA, client certificate and key (certificates
 * always verified), plus one fix. In TLS 1.3 a server refuses a client certificate (or its absence) after the client
 * has finished its handshake, with an alert (RFC 8446 §4.4.2.4, https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2.4)
 * that reaches us as the socket's first error, just before the connection ends; undici would report the end ("other
 * side closed", UND_ERR_SOCKET) and lose the alert. Destroying the socket with its first error, as undici would
 * itself a moment later, keeps that error as the request's, so "refused our client certificate" can be said.
 *
 * @example
 *   const agent = new Agent({ connect: tlsConnector(await readTlsMaterial(settings)) });
 */
export function tlsConnector(material: TlsMaterial): buildConnector.connector {
  const connect = buildConnector({ ...material, rejectUnauthorized: true });
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (socket) socket.once('error', (socketError: Error) => socket.destroy(socketError));
      // The callback's two shapes ([null, socket] or [error, null]), passed through as they came.
      (callback as (error: Error | null, socket: unknown) => void)(error, socket);
    });
}
