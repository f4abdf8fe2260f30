import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read at scrape time: the live state of the parts `serve` opened. Each is optional. */
export interface MetricsProbes {
  /** The legacy store's circuit: `closed`, `half-open` or `open`. */
  circuitState?: () => string;
  /** The decryption keys loaded, each with when its certificate ends (ms since the epoch), or null when unknown. */
  decryptionKeys?: () => ReadonlyArray<{ id: string; notAfter: number | null }>;
  /** Password checks running and waiting at the hash verifier's gate. */
  admissionLoad?: () => { running: number; waiting: number };
  /** The ledger's write-behind queue: rows held, written and dropped so far, and whether writes are failing now. */
  ledgerWrites?: () => { heldRows: number; writtenRows: number; droppedRows: number; failing: boolean };
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
  /**
   * One password hash computed by the hash verifier (SQL legacy stores): `seconds` from the moment the check was given
   * a slot at the verifier's gate to its result — the wait for a slot is not in it — and `format`, the id of the
   * catalogue format computed (`bcrypt`, `argon2`, `pbkdf2`, `sha-crypt` …; src/legacy/hashes/formats, a fixed set).
   * The stand-in checks that make unknown users cost what real ones do are included, under the stand-in's format.
   */
  hashVerify(seconds: number, format: string): void;
  /**
   * One OnPasswordSubmit password context decrypted (JWE unwrap with the local key or Key Vault, content decryption,
   * the context's claims checked): `seconds` it took, and whether it gave a context (`ok`) or was refused
   * (`failed`: no key for its thumbprint, a broken or foreign JWE, an expired context, Key Vault unavailable).
   */
  decryption(seconds: number, result: 'ok' | 'failed'): void;
  /**
   * One password check the hash verifier's gate turned away without hashing: `busy` when its queue was full (the
   * callout is answered "temporarily unavailable", HASH_VERIFIER_BUSY), `expired` when the check's deadline passed
   * before it was given a slot.
   */
  admissionRejected(reason: 'busy' | 'expired'): void;
  /**
   * One credential-stuffing signal raised: the share of wrong passwords over the last minute reached
   * STUFFING_SIGNAL_WRONG_PERCENT with at least STUFFING_SIGNAL_MIN_ATTEMPTS attempts (limits/stuffing-signal.ts).
   */
  credentialStuffingSignal(): void;
  /** The Prometheus text exposition of every metric. */
  text(): Promise<string>;
}

/**
 * The recording side of the extension's metrics: everything the server, the legacy check, the hash verifier and the
 * decryption tell them (not the Prometheus registry and its text). The OpenTelemetry recorder
 * (telemetry/otel-extension-metrics.ts) implements it too, so a method added here must be added there: the compiler
 * says so.
 */
export type ExtensionMetricsRecorder = Omit<ExtensionMetrics, 'registry' | 'text'>;

/** Seconds buckets around Entra's 2-second budget: fine below 250 ms, where a healthy answer falls, then up to it. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5];
/**
 * The same, with three finer buckets below 5 ms for the steps that take about a millisecond: an RSA-2048 unwrap with a
 * local key, a salted digest or a low-cost PBKDF2 in a worker.
 */
const STEP_BUCKETS = [0.0005, 0.001, 0.0025, ...LATENCY_BUCKETS];
const ADMISSION_REJECTIONS = ['busy', 'expired'] as const;
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
  const hashSeconds = new Histogram({
    name: 'entra_migrate_hash_verify_duration_seconds',
    help: "One password hash computed by the verifier, from its slot at the gate to its result (no queue wait), by the hash's format.",
    labelNames: ['format'] as const,
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const decryptionSeconds = new Histogram({
    name: 'entra_migrate_decryption_duration_seconds',
    help: 'One password context decrypted and its claims checked (Key Vault round trip included), by result.',
    labelNames: ['result'] as const,
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'entra_migrate_hash_checks_rejected_total',
    help: "Password checks the hash verifier's gate turned away unhashed: busy (queue full) or expired (deadline passed before a slot).",
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  const stuffingSignals = new Counter({
    name: 'entra_migrate_credential_stuffing_signals_total',
    help: "Credential-stuffing signals raised: the last minute's share of wrong passwords at or over STUFFING_SIGNAL_WRONG_PERCENT (at most one a minute).",
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
    // There is a verifier: both reasons exist from the start at 0, so rate() and increase() see the first rejection.
    for (const reason of ADMISSION_REJECTIONS) rejections.inc({ reason }, 0);
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

  if (probes.ledgerWrites) {
    const read = probes.ledgerWrites;
    new Gauge({
      name: 'entra_migrate_ledger_rows_held',
      help: 'Ledger rows (decisions, event calls) waiting to be written: they grow while the ledger cannot be written (docs/serve.md, "When the ledger is down").',
      registers: [registry],
      collect() {
        this.set(read().heldRows);
      },
    });
    new Gauge({
      name: 'entra_migrate_ledger_writes_failing',
      help: "1 while the ledger's last write failed and rows are held and retried, else 0.",
      registers: [registry],
      collect() {
        this.set(read().failing ? 1 : 0);
      },
    });
    // The queue keeps running totals; each scrape adds what was written or dropped since the last one.
    for (const [name, help, total] of [
      ['entra_migrate_ledger_rows_written_total', 'Ledger rows written.', (stats: ReturnType<typeof read>) => stats.writtenRows],
      ['entra_migrate_ledger_rows_dropped_total', 'Ledger rows that could not be recorded (each logged with its correlation id): over the held-rows bound, refused by the database, or left at stop.', (stats: ReturnType<typeof read>) => stats.droppedRows],
    ] as const) {
      let counted = 0;
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          const now = total(read());
          if (now > counted) this.inc(now - counted);
          counted = now;
        },
      });
    }
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
    hashVerify(seconds, format) {
      hashSeconds.observe({ format }, seconds);
    },
    decryption(seconds, result) {
      decryptionSeconds.observe({ result }, seconds);
    },
    admissionRejected(reason) {
      rejections.inc({ reason });
    },
    credentialStuffingSignal() {
      stuffingSignals.inc();
    },
    text: () => registry.metrics(),
  };
}

/** The Content-Type of the text exposition format that `text()` writes. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
