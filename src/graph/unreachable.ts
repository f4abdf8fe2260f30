import { GraphError, GraphErrorCode } from './errors.js';

/**
 * The error for a Graph that cannot be reached: it names the address tried, the setting that chose it and what the
 * network said — never a header or a token (fetch failures carry neither).
 *
 * @example
 *   unreachable('http://127.0.0.1:7080', error, 60_000).message
 *   // 'Graph at http://127.0.0.1:7080 cannot be reached (GRAPH_BASE_URL): connect ECONNREFUSED 127.0.0.1:7080'
 */
export function unreachable(baseUrl: string, error: unknown, timeoutInMs: number): GraphError {
  return new GraphError(GraphErrorCode.UNAVAILABLE, `Graph at ${baseUrl} cannot be reached (GRAPH_BASE_URL): ${networkCause(error, timeoutInMs)}`, { cause: error });
}

/** The innermost network message: fetch's own is only "fetch failed". */
function networkCause(error: unknown, timeoutInMs: number): string {
  let innermost = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (innermost as { cause?: unknown } | null)?.cause;
    if (!(cause instanceof Error)) break;
    innermost = cause;
  }
  if (!(innermost instanceof Error)) return String(innermost).slice(0, 200);
  if (innermost.name === 'TimeoutError') return `no answer within ${timeoutInMs / 1000} s`;
  // Happy eyeballs: an AggregateError of one failure per address, with an empty message but a code.
  const nested = innermost instanceof AggregateError ? (innermost.errors as unknown[]).find((entry): entry is Error => entry instanceof Error)?.message : undefined;
  return (innermost.message || nested || String((innermost as { code?: unknown }).code ?? innermost.name)).slice(0, 200);
}
