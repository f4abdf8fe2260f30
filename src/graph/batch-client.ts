import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { answerKind, feedbackOf } from './answer-kind.js';
import type { TokenCredential } from './client-credentials.js';
import { GraphError, GraphErrorCode } from './errors.js';
import type { Pacer } from './pacer.js';
import { backoffInMs, retryAfterInMs } from './retry-after.js';
import { sleepUnlessAborted, type Sleep } from './sleep.js';
import { unreachable } from './unreachable.js';

/** One request of a `$batch` (Graph JSON batching). URLs are relative to the version: `/users`. */
export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  dependsOn?: string[];
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface GraphBatchClient {
  /**
   * Sends up to 20 requests as one `$batch` after the pacer grants the writes, and answers each request, in request
   * order. A batch that fails as a whole (429, 5xx, network) is sent again here, after Retry-After or a jittered
   * back-off. The answers to single requests are the caller's to act on (`answerKind` says how): throttled ones
   * (429, 503 with Retry-After) have already paused and slowed the pacer; transient failures (503 without
   * Retry-After, 500, 502, 504) have not, and are sent again after a back-off, in a later batch, so that the batch
   * in hand is not held up.
   */
  send(requests: readonly BatchRequest[], options?: BatchSendOptions): Promise<BatchResponse[]>;
}

export interface BatchSendOptions {
  /** Nothing is sent once it aborts: a batch still waiting for the pacer or a back-off rejects with its reason. */
  abortSignal?: AbortSignal;
}

export interface GraphBatchClientOptions {
  /** `GRAPH_BASE_URL`; default https://graph.microsoft.com. */
  baseUrl?: string;
  credential: TokenCredential;
  pacer: Pacer;
  fetch?: typeof globalThis.fetch;
  now?: Clock;
  sleep?: Sleep;
  /** For the back-offs' jitter; default Math.random. */
  random?: () => number;
  /** Attempts for a batch that fails as a whole. Default 6. */
  maxAttempts?: number;
}

/** Graph's limit on requests per `$batch`. */
export const MAX_BATCH_SIZE = 20;
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const TIMEOUT_IN_MS = 60_000;

/**
 * A `$batch` client for one app registration, paced by its pacer.
 *
 * @example
 *   const graph = createGraphBatchClient({ baseUrl, credential, pacer: createPacer({ ratePerSecond: 18 }) });
 *   const [answer] = await graph.send([{ id: '1', method: 'POST', url: '/users', body }]);
 */
export function createGraphBatchClient(options: GraphBatchClientOptions): GraphBatchClient {
  const baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? systemClock;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 6;

  /** One `$batch` that Graph answered as a whole, after retrying a batch that failed as a whole. */
  const roundTrip = async (requests: readonly BatchRequest[], abortSignal: AbortSignal | undefined): Promise<BatchResponse[]> => {
    const writes = requests.filter((request) => request.method !== 'GET').length;
    for (let attempt = 0; ; attempt++) {
      const trip = await options.pacer.acquire(Math.max(1, writes), abortSignal);
      const { token } = await options.credential.getToken(GRAPH_SCOPE);
      let response: Response | undefined;
      try {
        response = await fetchImpl(`${baseUrl}/v1.0/$batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ requests: requests.map((request) => ({ ...request, ...(request.body !== undefined && { headers: { 'content-type': 'application/json' } }) })) }),
          signal: AbortSignal.timeout(TIMEOUT_IN_MS),
        });
      } catch (error) {
        if (attempt + 1 >= maxAttempts) throw unreachable(baseUrl, error, TIMEOUT_IN_MS);
      }
      if (response?.ok) {
        const body = (await response.json()) as { responses?: BatchResponse[] };
        const byId = new Map((body.responses ?? []).map((entry) => [String(entry.id), entry]));
        const answers = requests.map((request) => byId.get(request.id) ?? { id: request.id, status: 500, headers: {}, body: null });
        options.pacer.settle(trip, feedbackOf(answers, now()));
        return answers;
      }
      const status = response?.status ?? 0;
      const retryAfter = response?.headers.get('retry-after');
      const kind = response ? answerKind(status, retryAfter) : 'transient';
      if (kind === 'final') {
        throw new GraphError(GraphErrorCode.REQUEST_FAILED, `Graph refused the $batch with HTTP ${status}.`, { detail: (await response!.text()).slice(0, 500) });
      }
      if (attempt + 1 >= maxAttempts) throw new GraphError(GraphErrorCode.UNAVAILABLE, `Graph kept failing the $batch (last HTTP ${status}) after ${maxAttempts} attempts.`);
      // Throttled: the pacer pauses every batch of this app. Transient: only this one waits.
      if (kind === 'throttled') options.pacer.settle(trip, feedbackOf([{ status, headers: retryAfter ? { 'retry-after': retryAfter } : {} }], now()));
      else await sleepUnlessAborted(options.sleep, retryAfterInMs(retryAfter, now()) ?? backoffInMs(attempt, { random }), abortSignal);
    }
  };

  return {
    async send(requests, { abortSignal } = {}) {
      if (requests.length === 0) return [];
      if (requests.length > MAX_BATCH_SIZE) throw new RangeError(`A $batch holds at most ${MAX_BATCH_SIZE} requests; got ${requests.length}.`);
      return roundTrip(requests, abortSignal);
    },
  };
}

