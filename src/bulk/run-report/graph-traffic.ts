import type { GraphBatchClient } from '../../graph/index.js';

/** What a bulk run sent to Graph and how often Graph said "too many": kept in the run's summary, one place. */
export interface GraphTraffic {
  /** Graph requests answered: each `$batch` sub-request counts as one. */
  graphRequests: number;
  /** Answers with HTTP 429 (Too Many Requests). */
  throttled: number;
}

/**
 * A Graph client that counts, into `traffic` (the run's summary), every sub-request Graph answered and every 429
 * among the answers — whatever step sent it: creates, lookups, methods, reads, PATCHes. The steps no longer count
 * 429s themselves, so the summary's `throttled`, the run record and the OpenTelemetry counter cannot disagree.
 *
 * Counted when answered: a batch that never left (aborted while waiting for the pacer) is not traffic. A `$batch`
 * Graph refused as a whole and the client sent again (batch-client.ts) is counted once, with the answers it finally
 * got; 503s, with or without Retry-After, are not 429s.
 *
 * @example
 *   const graph = countedGraph(options.graph, summary); // summary.graphRequests, summary.throttled grow as it sends
 */
export function countedGraph(graph: GraphBatchClient, traffic: GraphTraffic): GraphBatchClient {
  return {
    async send(requests, options) {
      const answers = await graph.send(requests, options);
      traffic.graphRequests += answers.length;
      for (const answer of answers) if (answer.status === 429) traffic.throttled++;
      return answers;
    },
  };
}
