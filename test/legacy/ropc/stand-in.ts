import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the stand-in received. Holds a password: tests assert on it and never print it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StandIn {
  /** `http://127.0.0.1:{port}` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** Connections accepted, and those closed since. */
  readonly connections: { opened: number; closed: number };
  close(): Promise<void>;
}

export type StandInHandler = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

/**
 * A real HTTP server on loopback standing in for an OpenID provider's token endpoint: each test gives the handler
 * that answers as the provider's documentation shows.
 */
export async function startStandIn(handler: StandInHandler): Promise<StandIn> {
  const requests: ReceivedRequest[] = [];
  const connections = { opened: 0, closed: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const received: ReceivedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      void Promise.resolve(handler(received, response)).catch(() => response.destroy());
    });
  });
  server.on('connection', (socket) => {
    connections.opened += 1;
    sockets.add(socket);
    socket.on('close', () => {
      connections.closed += 1;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers JSON with a status, as a provider's token endpoint does. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): StandInHandler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}
