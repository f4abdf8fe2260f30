import type { GraphBatchClient } from './batch-client.js';

/**
 * Spreads `$batch` requests over several app registrations' clients, each with its own pacer (Graph's write budget
 * is per app registration, ~20/s; the tenant allows ~60/s). Each batch goes to the client with the fewest batches
 * in flight, ties taken in turn, so a throttled app registration — whose pacer makes its batches wait — receives
 * less work while the others carry on.
 *
 * @example
 *   const graph = createGraphClientPool(credentials.map((credential) => createGraphBatchClient({ credential, pacer: createPacer({ ratePerSecond: 18 }) })));
 */
export function createGraphClientPool(clients: readonly GraphBatchClient[]): GraphBatchClient {
  if (clients.length === 0) throw new RangeError('A Graph client pool needs at least one client.');
  if (clients.length === 1) return clients[0]!;
  const inFlight = clients.map(() => 0);
  let next = 0;
  return {
    async send(requests, options) {
      let chosen = next;
      for (let offset = 0; offset < clients.length; offset++) {
        const i = (next + offset) % clients.length;
        if (inFlight[i]! < inFlight[chosen]!) chosen = i;
      }
      next = (chosen + 1) % clients.length;
      inFlight[chosen]!++;
      try {
        return await clients[chosen]!.send(requests, options);
      } finally {
        inFlight[chosen]!--;
      }
    },
  };
}
