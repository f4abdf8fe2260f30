/** What `openWebServiceAuthority` takes besides the settings. Every field has a default. */
export interface WebServiceAuthorityOptions {
  /**
   * Connections kept to the service at most, in-flight checks beyond it wait for one (within their deadline).
   * Default 100: Entra calls at most 50 times a second per tenant and waits at most 2 s, so about 100 checks are
   * ever in flight at once.
   */
  maxConnections?: number;
  /** How long `ping` waits for the service when no abort signal ends it sooner, in ms. Default 2000. */
  pingTimeoutInMs?: number;
  /** The clock that `deadlineAt` is measured against, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * The largest answer read, in bytes: a verdict is a few dozen bytes, and 64 KiB leaves room for a service that adds
 * fields of its own while keeping a runaway or hostile answer from filling memory (issue 10: "a body over 64 KiB →
 * unavailable"). Reading stops at the first byte beyond it.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** See {@link WebServiceAuthorityOptions.maxConnections}. */
export const DEFAULT_MAX_CONNECTIONS = 100;
/** See {@link WebServiceAuthorityOptions.pingTimeoutInMs}: readiness probes are retried, so 2 s is plenty. */
export const DEFAULT_PING_TIMEOUT_IN_MS = 2000;
