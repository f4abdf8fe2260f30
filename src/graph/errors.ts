import { EntraMigrateError } from '../common/errors.js';

export const GraphErrorCode = {
  /** The token endpoint refused the credentials, or gave no token. */
  AUTH_FAILED: 'GRAPH_AUTH_FAILED',
  /** Graph could not be reached, or answered something that is not Graph. */
  UNAVAILABLE: 'GRAPH_UNAVAILABLE',
  /** A request Graph refused for good (not throttling, not a dependency). */
  REQUEST_FAILED: 'GRAPH_REQUEST_FAILED',
} as const;

export type GraphErrorCode = (typeof GraphErrorCode)[keyof typeof GraphErrorCode];

/** The one error class of `graph/`. Never carries a token or a client secret. */
export class GraphError extends EntraMigrateError {
  declare readonly code: GraphErrorCode;

  constructor(code: GraphErrorCode, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
  }
}
