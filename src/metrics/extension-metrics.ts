import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read at scrape time: the live state of the parts `serve` opened. Each is optional. */
export interface MetricsProbes {
  /** The legacy store's circuit: `closed`, `half-open` or `open`. */
  circuitState?: () => string;
  /** The decryption keys loaded, each with when its certificate ends (ms since the epoch), or null when unknown. */
  decryptionKeys?: () => ReadonlyArray<{ id: string; notAfter: number | null }>;
  /** Password checks running and waiting at the hash verifier's gate. */
  admissionLoad?: () => { running: number; waiting: number };
}

/** One answered callout, as the request log line sees it. */
export interface AnsweredCall {
  /** `OnPasswordSubmit`, `OnTokenIssuanceStart` … or `unmatched` for a path that is no event. */
  event: string;
  /** The action answered (`MigratePassword`, `provideClaimsForToken` …), or `error` for an answer other than 200. */
  action: string;
  status: number;
  /** From arrival to the answer, in seconds. */
  seconds: number;
}

export interface ExtensionMetrics {
  readonly registry: Registry;
  answered(call: AnsweredCall): void;
  /** One legacy-store password check: how long it took and what it said (`correct`, `wrong`, `unknown`, `error` …). */
  legacyCheck(seconds: number, outcome: string): void;
  /** One refresh of Entra's signing keys (the caller-token check's JWKS). */
  signingKeyRefresh(result: 'ok' | 'failed'): void;
  /** The Prometheus text exposition of every metric. */
  text(): Promise<string>;
}

/** Seconds buckets around Entra's 2-second budget: fine below 250 ms, where a healthy answer falls, then up to it. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5];
const CIRCUIT_STATES = ['closed', 'half-open', 'open'] as const;
const DAY_IN_MS = 86_400_000;

/**
 * The extension's Prometheus metrics, in a registry of their own (nothing global, so two servers in one process, as
 * the tests run them, never share counts). Label values are bounded sets — event names, actions, statuses, outcome
 * tokens, key ids — never a user, a correlation id or anything a caller sent.
 *
 * @example
 *   const metrics = createExtensionMetrics({ circuitState: () => authority.circuitState() });
 *   metrics.answered({ event: 'OnPasswordSubmit', action: 'MigratePassword', status: 200, seconds: 0.084 });
 *   reply.type(METRICS_CONTENT_TYPE).send(await metrics.text());
 */
export function createExtensionMetrics(probes: MetricsProbes = {}, options: { clock?: () => number; processMetrics?: boolean } = {}): ExtensionMetrics {
  const clock = options.clock ?? Date.now;
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'entra_migrate_' });

  const answers = new Counter({
    name: 'entra_migrate_answers_total',
    help: 'Callouts answered, by event, action (error for an answer other than 200) and HTTP status.',
    labelNames: ['event', 'action', 'status'] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'entra_migrate_request_duration_seconds',
    help: "From a callout's arrival to its answer, by event; Entra stops waiting at 2 s.",
    labelNames: ['event'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const legacySeconds = new Histogram({
    name: 'entra_migrate_legacy_check_duration_seconds',
    help: 'One password check against the legacy store (look-up and hash verification), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const refreshes = new Counter({
    name: 'entra_migrate_signing_key_refreshes_total',
    help: "Refreshes of Entra's token signing keys, by result.",
    labelNames: ['result'] as const,
    registers: [registry],
  });

  if (probes.circuitState) {
    const read = probes.circuitState;
    new Gauge({
      name: 'entra_migrate_legacy_circuit_state',
      help: "The legacy store's circuit breaker: 1 for the state it is in, 0 for the others.",
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const current = read();
        for (const state of CIRCUIT_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
  }
  if (probes.decryptionKeys) {
    const read = probes.decryptionKeys;
    new Gauge({
      name: 'entra_migrate_decryption_keys',
      help: 'Decryption keys loaded (the key ring).',
      registers: [registry],
      collect() {
        this.set(read().length);
      },
    });
    new Gauge({
      name: 'entra_migrate_decryption_key_days_to_expiry',
      help: "Days until each decryption key's certificate ends (negative once it has); keys with no known end are left out.",
      labelNames: ['key'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const key of read()) if (key.notAfter !== null) this.set({ key: key.id }, Math.floor((key.notAfter - clock()) / DAY_IN_MS));
      },
    });
  }
  if (probes.admissionLoad) {
    const read = probes.admissionLoad;
    new Gauge({
      name: 'entra_migrate_hash_checks',
      help: "Password hash checks at the verifier's gate: running, and waiting for a slot.",
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const { running, waiting } = read();
        this.set({ state: 'running' }, running);
        this.set({ state: 'waiting' }, waiting);
      },
    });
  }

  return {
    registry,
    answered({ event, action, status, seconds }) {
      answers.inc({ event, action, status: String(status) });
      requestSeconds.observe({ event }, seconds);
    },
    legacyCheck(seconds, outcome) {
      legacySeconds.observe({ outcome }, seconds);
    },
    signingKeyRefresh(result) {
      refreshes.inc({ result });
    },
    text: () => registry.metrics(),
  };
}

/** The Content-Type of the text exposition format that `text()` writes. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
