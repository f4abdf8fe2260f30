import type { RunningEmulator } from '../../src/emulator/index.js';
import { createClientSecretCredential, createGraphBatchClient, createPacer, type BatchRequest, type GraphBatchClient } from '../../src/graph/index.js';

/**
 * Registers a client app with the emulator and signs a Graph batch client in as it, paced far above any test's needs.
 * `client` is that client; `graph` the same, pushing every request it sends onto `sent` (for tests that count GETs).
 *
 * @example
 *   const { client, graph } = emulatedGraph(emulator, { clientId, secret, sent });
 */
export function emulatedGraph(emulator: RunningEmulator, app: { clientId: string; secret: string; sent: BatchRequest[] }): { client: GraphBatchClient; graph: GraphBatchClient } {
  emulator.registerClientApp(app.clientId, app.secret);
  const client = createGraphBatchClient({
    baseUrl: emulator.url,
    credential: createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: app.clientId, clientSecret: app.secret }),
    pacer: createPacer({ ratePerSecond: 500 }),
  });
  return { client, graph: { send: (requests, options) => (app.sent.push(...requests), client.send(requests, options)) } };
}
