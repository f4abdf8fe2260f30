/**
 * Entra's OpenID metadata and signing keys for the scale bench, counting every fetch. Each replica is given its own
 * metadata URL (`/r<n>/<tenant>/v2.0/.well-known/openid-configuration`, whose `jwks_uri` carries the same `/r<n>`),
 * so the counts say which replica fetched, not only how many fetches there were. The tenant is the emulator's
 * (src/emulator/tenant.ts): real RS256 keys, the real External ID issuer, and `rotateSigningKey()` that publishes a
 * new key beside the old ones, as Entra rolls keys.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createTenant, type EmulatedTenant } from '../../src/emulator/index.js';

export interface FetchCounts {
  metadata: number;
  jwks: number;
}

export interface OpenIdStandIn {
  tenant: EmulatedTenant;
  /** ENTRA_OPENID_CONFIGURATION_URL for replica `replica`. */
  metadataUrlFor(replica: number): string;
  /** Fetches so far, by replica. */
  counts(): Map<number, FetchCounts>;
  close(): Promise<void>;
}

/** Starts the stand-in on a free loopback port. */
export async function startOpenIdStandIn(): Promise<OpenIdStandIn> {
  const tenant = await createTenant({ subdomain: 'scalebench' });
  const counts = new Map<number, FetchCounts>();
  let baseUrl = '';
  const route = new RegExp(`^/r(\\d+)/${tenant.tenantId}/(v2\\.0/\\.well-known/openid-configuration|discovery/v2\\.0/keys)$`);

  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const match = route.exec(request.url ?? '');
    if (request.method !== 'GET' || !match) {
      response.writeHead(404).end();
      return;
    }
    const replica = Number(match[1]);
    const entry = counts.get(replica) ?? { metadata: 0, jwks: 0 };
    counts.set(replica, entry);
    let document: unknown;
    if (match[2]!.startsWith('v2.0')) {
      entry.metadata++;
      document = tenant.openIdConfiguration(`${baseUrl}/r${replica}`);
    } else {
      entry.jwks++;
      document = tenant.jwks();
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  };

  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    tenant,
    metadataUrlFor: (replica) => `${baseUrl}/r${replica}/${tenant.tenantId}/v2.0/.well-known/openid-configuration`,
    counts: () => new Map([...counts].map(([replica, entry]) => [replica, { ...entry }])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Fetches between two readings of `counts()`, summed over replicas and per replica. */
export function fetchesBetween(before: Map<number, FetchCounts>, after: Map<number, FetchCounts>): { total: FetchCounts; byReplica: Map<number, FetchCounts> } {
  const byReplica = new Map<number, FetchCounts>();
  const total = { metadata: 0, jwks: 0 };
  for (const [replica, now] of after) {
    const then = before.get(replica) ?? { metadata: 0, jwks: 0 };
    const delta = { metadata: now.metadata - then.metadata, jwks: now.jwks - then.jwks };
    byReplica.set(replica, delta);
    total.metadata += delta.metadata;
    total.jwks += delta.jwks;
  }
  return { total, byReplica };
}
