import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import type { TokenCredential } from './client-credentials.js';
import { GraphError, GraphErrorCode } from './errors.js';
import type { Pacer } from './pacer.js';
import { backoffInMs, retryAfterInMs } from './retry-after.js';

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
   * Sends up to 20 requests as one `$batch` after the pacer grants the writes. A throttled or failed batch as a
   * whole (429, 503, network) is retried after Retry-After or a jittered back-off; the answers to individual
   * requests are returned as they are, in request order, for the caller to handle one by one (throttled ones have
   * already slowed the pacer).
   */
  send(requests: readonly BatchRequest[]): Promise<BatchResponse[]>;
}

export interface GraphBatchClientOptions {
  /** `GRAPH_BASE_URL`; default https://graph.microsoft.com. */
  baseUrl?: string;
  credential: TokenCredential;
  pacer: Pacer;
  fetch?: typeof globalThis.fetch;
  now?: Clock;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts for a batch that fails as a whole. Default 6. */
  maxAttempts?: number;
}

/** Graph's limit on requests per `$batch`. */
export const MAX_BATCH_SIZE = 20;
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export function createGraphBatchClient(options: GraphBatchClientOptions): GraphBatchClient {
  const baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? systemClock;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = options.maxAttempts ?? 6;

  return {
    async send(requests) {
      if (requests.length === 0) return [];
      if (requests.length > MAX_BATCH_SIZE) throw new RangeError(`A $batch holds at most ${MAX_BATCH_SIZE} requests; got ${requests.length}.`);
      const writes = requests.filter((request) => request.method !== 'GET').length;
      for (let attempt = 0; ; attempt++) {
        await options.pacer.acquire(Math.max(1, writes));
        const { token } = await options.credential.getToken(GRAPH_SCOPE);
        let response: Response | undefined;
        try {
          response = await fetchImpl(`${baseUrl}/v1.0/$batch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ requests: requests.map((request) => ({ ...request, ...(request.body !== undefined && { headers: { 'content-type': 'application/json' } }) })) }),
            signal: AbortSignal.timeout(60_000),
          });
        } catch (error) {
          if (attempt + 1 >= maxAttempts) throw new GraphError(GraphErrorCode.UNAVAILABLE, `Graph at ${baseUrl} cannot be reached.`, { cause: error });
        }
        if (response?.ok) {
          const body = (await response.json()) as { responses?: BatchResponse[] };
          const byId = new Map((body.responses ?? []).map((entry) => [String(entry.id), entry]));
          const answers = requests.map((request) => byId.get(request.id) ?? { id: request.id, status: 500, headers: {}, body: null });
          // Throttled inner requests slow this app registration's pacer, by the longest Retry-After among them.
          const throttled = answers.filter((answer) => answer.status === 429 || answer.status === 503);
          if (throttled.length > 0) options.pacer.throttled(Math.max(...throttled.map((answer) => retryAfterInMs(headerOf(answer, 'retry-after'), now()) ?? 1000)));
          return answers;
        }
        const status = response?.status ?? 0;
        if (response && status !== 429 && status !== 503 && status !== 504 && status < 500) {
          throw new GraphError(GraphErrorCode.REQUEST_FAILED, `Graph refused the $batch with HTTP ${status}.`, { detail: (await response.text()).slice(0, 500) });
        }
        if (attempt + 1 >= maxAttempts) throw new GraphError(GraphErrorCode.UNAVAILABLE, `Graph kept failing the $batch (last HTTP ${status}) after ${maxAttempts} attempts.`);
        const wait = retryAfterInMs(response?.headers.get('retry-after'), now()) ?? backoffInMs(attempt);
        if (status === 429 || status === 503) options.pacer.throttled(wait);
        else await sleep(wait);
      }
    },
  };
}

/** A response header by name, whatever case Graph used. */
function headerOf(response: BatchResponse, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(response.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
