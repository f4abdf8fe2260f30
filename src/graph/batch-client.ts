import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { answerKind, feedbackOf, headerOf } from './answer-kind.js';
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
   * order. Two kinds of failure are handled here: a batch that fails as a whole (429, 5xx, network) is sent again
   * after Retry-After or a jittered back-off; a request answered with a transient failure (503 without
   * Retry-After, 500, 502, 504) is sent again on its own, after a jittered back-off, up to `transientAttempts`.
   * Throttled requests (429, 503 with Retry-After) are returned for the caller to send again: they have already
   * paused and slowed the pacer.
   */
  send(requests: readonly BatchRequest[], options?: BatchSendOptions): Promise<BatchResponse[]>;
}

export interface BatchSendOptions {
  /**
   * Nothing more is sent once it aborts: a batch still waiting for the pacer or a back-off rejects with its reason
   * (nothing was sent); a batch already answered returns those answers without sending its transient failures again.
   */
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
  /** Attempts for a request answered with a transient failure inside a batch. Default 4 (back-offs < 0.5, 1, 2 s). */
  transientAttempts?: number;
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
  const transientAttempts = Math.max(1, options.transientAttempts ?? 4);

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

  /**
   * Sends again, on their own, the requests answered with a transient failure, after jittered back-offs, until
   * they are answered otherwise or the attempts are spent. At an abort it stops: the answers so far stand.
   */
  const resendTransient = async (requests: readonly BatchRequest[], answers: BatchResponse[], abortSignal: AbortSignal | undefined) => {
    const transient = (i: number) => answerKind(answers[i]!.status, headerOf(answers[i]!, 'retry-after')) === 'transient';
    let again = answers.flatMap((_, i) => (transient(i) ? [i] : []));
    for (let attempt = 1; again.length > 0 && attempt < transientAttempts; attempt++) {
      const ids = new Set(again.map((i) => requests[i]!.id));
      // A dependency answered in an earlier round is met; one sent again stays a dependency.
      const resent = again.map((i) => ({ ...requests[i]!, ...(requests[i]!.dependsOn && { dependsOn: requests[i]!.dependsOn!.filter((id) => ids.has(id)) }) }));
      const retried = await unlessAborted(
        sleepUnlessAborted(options.sleep, backoffInMs(attempt - 1, { random }), abortSignal).then(() => roundTrip(resent, abortSignal)),
        abortSignal,
      );
      if (!retried) return;
      again.forEach((i, j) => (answers[i] = retried[j]!));
      again = again.filter(transient);
    }
  };

  return {
    async send(requests, { abortSignal } = {}) {
      if (requests.length === 0) return [];
      if (requests.length > MAX_BATCH_SIZE) throw new RangeError(`A $batch holds at most ${MAX_BATCH_SIZE} requests; got ${requests.length}.`);
      const answers = await roundTrip(requests, abortSignal);
      await resendTransient(requests, answers, abortSignal);
      return answers;
    },
  };
}

/** The work's result, or undefined when it failed because `abortSignal` aborted. */
function unlessAborted<T>(work: Promise<T>, abortSignal: AbortSignal | undefined): Promise<T | undefined> {
  return work.catch((error: unknown) => (abortSignal?.aborted ? undefined : Promise.reject(error)));
}
