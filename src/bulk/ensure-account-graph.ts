import { createGraphBatchClient, type GraphBatchClient, type GraphBatchClientOptions } from '../graph/index.js';

/**
 * A `$batch` client whose abort signal also ends the HTTP request in flight, not only the waits before it (the
 * pacer, a back-off): a sign-up's lookup or create must stop at the callout's deadline, not 60 s later. The
 * credential and the pacer in `options` are shared by every call; each call sends through a client whose `fetch`
 * carries that call's signal.
 *
 * Only here: `premigrate` and `reconcile` pass their interrupt as the abort signal too, and for them a `$batch`
 * already sent must finish and be recorded (Graph may have created the users), so the shared client aborts only the
 * waits. A sign-up's create that Graph finishes after we stopped waiting leaves the account `pending`, which the
 * next attempt or premigrate run resolves by a lookup.
 *
 * @example
 *   const graph = abortableBatchClient({ baseUrl, credential, pacer: createPacer({ ratePerSecond: 10 }) });
 *   await graph.send([{ id: '1', method: 'POST', url: '/users', body }], { abortSignal: AbortSignal.timeout(800) });
 */
export function abortableBatchClient(options: GraphBatchClientOptions): GraphBatchClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const unbound = createGraphBatchClient(options);
  return {
    send(requests, sendOptions = {}) {
      const { abortSignal } = sendOptions;
      if (abortSignal === undefined) return unbound.send(requests);
      const fetch: typeof globalThis.fetch = (input, init) =>
        fetchImpl(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, abortSignal]) : abortSignal });
      return createGraphBatchClient({ ...options, fetch }).send(requests, { abortSignal });
    },
  };
}
