import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One request as the test service saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The client certificate's subject CN, for mutual TLS. */
  peerCommonName: string | undefined;
  /** Resolves when the connection that carried the request closes. */
  connectionClosed: Promise<void>;
}

export type Answer = (request: SeenRequest, response: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

/** A real node:http(s) server on a free loopback port, playing the legacy web service. */
export interface TestService {
  /** `http(s)://127.0.0.1:{port}`. */
  readonly origin: string;
  readonly port: number;
  /** What the next requests get; replace it between tests. Default: 200 `{"valid":true}`. */
  answer: Answer;
  readonly requests: SeenRequest[];
  /** TCP connections accepted so far ('connection' events; for https the TLS socket's underlying one). */
  readonly connections: () => number;
  /** The sockets open now. */
  readonly openSockets: Set<Socket>;
  /** Resolves when every socket open now has closed. */
  socketsClosed(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the service. With `tls`, an https server (pass `requestCert`, `ca` for mutual TLS).
 *
 * @example
 *   const service = await startService();
 *   service.answer = (_request, response) => response.writeHead(401).end();
 */
export async function startService(options: { tls?: HttpsOptions; host?: string } = {}): Promise<TestService> {
  const requests: SeenRequest[] = [];
  const closing = new WeakMap<Socket, Promise<void>>(); // one listener per socket, however many requests it carries
  const closedPromise = (socket: Socket): Promise<void> => {
    let closed = closing.get(socket);
    if (!closed) {
      closed = socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));
      closing.set(socket, closed);
    }
    return closed;
  };
  const openSockets = new Set<Socket>();
  let connections = 0;
  const service = {
    answer: ((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"valid":true}');
    }) as Answer,
  };
  const handle = async (raw: IncomingMessage, response: ServerResponse): Promise<void> => {
    const connectionClosed = closedPromise(raw.socket);
    const chunks: Buffer[] = [];
    for await (const chunk of raw) chunks.push(chunk as Buffer);
    const peer = options.tls ? (raw.socket as TLSSocket).getPeerCertificate?.() : undefined;
    const seen: SeenRequest = {
      method: raw.method ?? '',
      url: raw.url ?? '',
      headers: raw.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      peerCommonName: peer && 'subject' in peer && peer.subject ? String(peer.subject.CN) : undefined,
      connectionClosed,
    };
    requests.push(seen);
    try {
      await service.answer(seen, response, raw);
    } catch {
      response.destroy();
    }
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, (q, s) => void handle(q, s)) : createHttpServer((q, s) => void handle(q, s));
  server.on('connection', (socket: Socket) => {
    connections += 1;
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined); // a refused handshake is what some tests are about
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(service, {
    origin: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    requests,
    connections: () => connections,
    openSockets,
    socketsClosed: () => Promise.all([...openSockets].map((socket) => (socket.closed ? undefined : new Promise((resolve) => socket.once('close', resolve))))).then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const socket of openSockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}

/** An answer handler that writes `status` with a JSON (or text) body. */
export const answerWith =
  (status: number, body?: unknown, headers: Record<string, string> = {}): Answer =>
  (_request, response) => {
    const text = body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    response.writeHead(status, { 'content-type': typeof body === 'object' && !Buffer.isBuffer(body) ? 'application/json' : 'text/plain', ...headers }).end(text);
  };
