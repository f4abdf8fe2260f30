import type { TokenCredential } from './client-credentials.js';
import { GraphError, GraphErrorCode } from './errors.js';
import { backoffInMs, retryAfterInMs } from './retry-after.js';
import { unreachable } from './unreachable.js';

/** A Graph answer: status and parsed JSON body (null for 204). */
export interface GraphResponse<T = unknown> {
  status: number;
  body: T;
}

export interface GraphClient {
  /**
   * One request; `path` carries the version (`/v1.0/applications`, `/beta/identity/…`). Throttling (429/503/504)
   * and network failures are retried after Retry-After or a jittered back-off; any other status is returned.
   */
  request<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<GraphResponse<T>>;
  /** As `request`, but a status outside 2xx is a `GRAPH_REQUEST_FAILED` with Graph's error code and message. */
  call<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export interface GraphClientOptions {
  baseUrl?: string;
  credential: TokenCredential;
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per request. Default 5. */
  maxAttempts?: number;
}

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const TIMEOUT_IN_MS = 30_000;

/**
 * A plain Graph client for configuration calls (`setup`, `doctor`): one request at a time, JSON in and out,
 * throttling retried. The bearer token never appears in an error.
 *
 * @example
 *   const graph = createGraphClient({ baseUrl, credential });
 *   const { value } = await graph.call<{ value: Application[] }>('GET', "/v1.0/applications?$filter=appId eq '…'");
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = options.maxAttempts ?? 5;

  const request: GraphClient['request'] = async (method, path, body) => {
    for (let attempt = 0; ; attempt++) {
      const { token } = await options.credential.getToken(GRAPH_SCOPE);
      let response: Response | undefined;
      try {
        response = await fetchImpl(`${baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(TIMEOUT_IN_MS),
        });
      } catch (error) {
        if (attempt + 1 >= maxAttempts) throw unreachable(baseUrl, error, TIMEOUT_IN_MS);
      }
      if (response && response.status !== 429 && response.status !== 503 && response.status !== 504) {
        const text = await response.text();
        let parsed: unknown = null;
        try {
          parsed = text === '' ? null : JSON.parse(text);
        } catch {
          throw new GraphError(GraphErrorCode.UNAVAILABLE, `Graph answered ${method} ${pathOnly(path)} with HTTP ${response.status} and a body that is not JSON.`);
        }
        return { status: response.status, body: parsed as never };
      }
      if (attempt + 1 >= maxAttempts) throw new GraphError(GraphErrorCode.UNAVAILABLE, `Graph kept answering ${method} ${pathOnly(path)} with HTTP ${response?.status ?? 'no answer'} after ${maxAttempts} attempts.`);
      await sleep(retryAfterInMs(response?.headers.get('retry-after'), Date.now()) ?? backoffInMs(attempt));
    }
  };

  return {
    request,
    async call(method, path, body) {
      const response = await request(method, path, body);
      if (response.status >= 200 && response.status < 300) return response.body as never;
      const error = (response.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      throw new GraphError(GraphErrorCode.REQUEST_FAILED, `Graph refused ${method} ${pathOnly(path)}: HTTP ${response.status} ${String(error?.code ?? '')}: ${String(error?.message ?? '').slice(0, 300)}`.trim());
    },
  };
}

/** The path without its query: filters may hold e-mail addresses. */
function pathOnly(path: string): string {
  return path.split('?')[0]!;
}
