import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Holds at most `maxConnections` connections open, and at the cap makes room for a new one by closing the oldest
 * connection that has no request in progress: one still sending its headers (or sending nothing), or an idle
 * keep-alive connection. Only when every connection held is in the middle of a request is the new one closed instead.
 *
 * Node's own `server.maxConnections` closes every connection over the cap as it arrives, so a client that holds
 * MAX_CONNECTIONS connections open — trickling its headers a byte at a time, each one cut off by the headers timeout
 * and opened again at once — shuts Entra out for as long as it keeps them up. Here such a client only ever closes its
 * own connections: a connection of Entra's is either answering (kept) or idle and recently used (the newest in the
 * queue, closed last; Entra opens another, as it would after any keep-alive close).
 *
 * @example
 *   capConnections(app.server, 512);
 */
export function capConnections(server: Server, maxConnections: number): void {
  let open = 0;
  // Connections with no request in progress, oldest first (a Set iterates in insertion order; one going idle again
  // after an answer is re-inserted, so it is the newest).
  const withoutRequest = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open++;
    withoutRequest.add(socket);
    socket.once('close', () => {
      open--;
      withoutRequest.delete(socket);
    });
    if (open > maxConnections) {
      // The oldest without a request; when every other connection is mid-request, that is this new one itself.
      withoutRequest.values().next().value?.destroy();
    }
  });
  server.on('request', (request, response) => {
    const socket = request.socket;
    withoutRequest.delete(socket);
    response.once('close', () => {
      if (!socket.destroyed) withoutRequest.add(socket);
    });
  });
}
