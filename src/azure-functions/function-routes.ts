import type { ServeConfig } from '../config/index.js';

/**
 * One HTTP function of the Function App: its name, the path `serve` answers the same call on, and the deadline it is
 * held to from the moment the worker receives it.
 */
export interface FunctionRoute {
  /** The function's name in the Function App (the portal, the logs, Application Insights). */
  readonly name: string;
  /**
   * The path as `serve` has it (src/server/routes/*.ts), without the leading `/`. host.json sets `routePrefix` to
   * `""`, so a custom extension's `targetUrl` ends the same way whichever of the two answers it.
   */
  readonly route: string;
  readonly methods: readonly ('GET' | 'POST')[];
  /** From arrival at the worker to the answer, in ms: the event's deadline as `serve` holds it, or the probes' bound. */
  deadlineInMs(config: ServeConfig): number;
  /** Whether `serve` answers this path with these settings (OnOtpSend only with OTP_* settings, as its route). */
  answeredWith(config: ServeConfig): boolean;
}

/**
 * How long `healthz` and `readyz` may take, in ms: `readyz` runs `serve`'s checks, each bounded by 1000 ms, and a
 * probe arriving while the extension is still opening waits for it this long; a probe still unanswered is a 503.
 */
export const PROBE_DEADLINE_IN_MS = 2000;

const always = () => true;
const probe = () => PROBE_DEADLINE_IN_MS;

/**
 * The functions registered, as data: one per event (POST the callout, GET the probe `setup` and `doctor` use), and
 * the liveness and readiness probes. Adding an event to `serve` is one entry here.
 */
export const FUNCTION_ROUTES: readonly FunctionRoute[] = Object.freeze([
  { name: 'OnPasswordSubmit', route: 'events/password-submit', methods: ['GET', 'POST'], deadlineInMs: (config) => config.responseDeadlineInMs, answeredWith: always },
  { name: 'OnAttributeCollectionStart', route: 'events/attribute-collection-start', methods: ['GET', 'POST'], deadlineInMs: (config) => config.eventDeadlinesInMs.attributeCollection, answeredWith: always },
  { name: 'OnAttributeCollectionSubmit', route: 'events/attribute-collection-submit', methods: ['GET', 'POST'], deadlineInMs: (config) => config.eventDeadlinesInMs.attributeCollection, answeredWith: always },
  { name: 'OnTokenIssuanceStart', route: 'events/token-issuance-start', methods: ['GET', 'POST'], deadlineInMs: (config) => config.eventDeadlinesInMs.tokenIssuanceStart, answeredWith: always },
  { name: 'OnOtpSend', route: 'events/otp-send', methods: ['GET', 'POST'], deadlineInMs: (config) => config.eventDeadlinesInMs.otpSend, answeredWith: (config) => config.otp !== null },
  { name: 'healthz', route: 'healthz', methods: ['GET'], deadlineInMs: probe, answeredWith: always },
  { name: 'readyz', route: 'readyz', methods: ['GET'], deadlineInMs: probe, answeredWith: always },
] satisfies FunctionRoute[]);
