import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { EmulatedTenant } from '../../src/emulator/index.js';

/**
 * How the stand-in behaves: `up` answers; `failing` answers 503; `hanging` takes each request and never answers;
 * `refusing` does not listen at all (connections are refused), as a host that is down.
 */
export type StandInMode = 'up' | 'failing' | 'hanging' | 'refusing';

export interface OpenIdStandIn {
  /** The tenant's OpenID configuration URL on this stand-in (loopback http, which the signing-key source accepts). */
  readonly metadataUrl: string;
  /** Requests that reached the stand-in, by document (answered or not). */
  fetches(): { metadata: number; jwks: number };
  setMode(mode: StandInMode): Promise<void>;
  close(): Promise<void>;
}

/**
 * Entra's OpenID metadata and key set for an emulated tenant, served over real HTTP on loopback, that a test can take
 * down (refusing, failing or hanging) and bring back on the same port.
 *
 * @example
 *   const standIn = await startOpenIdStandIn(tenant);
 *   createSigningKeySource({ openIdConfigurationUrls: [standIn.metadataUrl] });
 *   await standIn.setMode('hanging');
 */
export async function startOpenIdStandIn(tenant: EmulatedTenant): Promise<OpenIdStandIn> {
  let mode: StandInMode = 'up';
  const counts = { metadata: 0, jwks: 0 };
  const sockets = new Set<Socket>();
  let base = '';
  const metadataPath = `/${tenant.tenantId}/v2.0/.well-known/openid-configuration`;
  const jwksPath = `/${tenant.tenantId}/discovery/v2.0/keys`;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '';
    if (path === metadataPath) counts.metadata++;
    if (path === jwksPath) counts.jwks++;
    if (mode === 'hanging') return; // held until the caller gives up or the stand-in closes
    if (mode === 'failing') return void response.writeHead(503, { 'content-type': 'text/plain' }).end('down');
    const document = path === metadataPath ? tenant.openIdConfiguration(base) : path === jwksPath ? tenant.jwks() : undefined;
    if (!document) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const stopListening = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    metadataUrl: `${base}${metadataPath}`,
    fetches: () => ({ ...counts }),
    async setMode(next) {
      if (next === mode) return;
      // Leaving `hanging`: the held requests are cut, as a host that comes back has no memory of them.
      if (mode === 'hanging') for (const socket of sockets) socket.destroy();
      if (next === 'refusing') await stopListening();
      if (mode === 'refusing') await listen(port);
      mode = next;
    },
    async close() {
      if (mode !== 'refusing') await stopListening();
    },
  };
}
