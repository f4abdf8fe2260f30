import { abortableBatchClient, accountEnsurer } from '../bulk/index.js';
import { systemClock, type Clock } from '../common/clock.js';
import { EntraMigrateError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { ServeConfig } from '../config/index.js';
import { GRAPH_DEFAULT_SCOPE } from '../graph/client-credentials.js';
import { appCredential, createPacer } from '../graph/index.js';
import type { EntraAccounts, EventOutcome, PasswordSubmitOutcome } from '../handlers/index.js';
import type { HashCheckObserver } from '../legacy/hashes/verifier.js';
import type { GuardedAuthority } from '../legacy/index.js';
import { MIGRATED_BY_SIGN_UP, SIGN_UP_OBJECT_ID } from '../ledger/decision-record.js';
import type { Meter, Tracer } from '@opentelemetry/api';
import { everyRecorder } from '../metrics/every-recorder.js';
import { createExtensionMetrics, type ExtensionMetrics, type ExtensionMetricsRecorder } from '../metrics/extension-metrics.js';
import { withCheckTiming } from '../metrics/timed-authority.js';
import { eventCallOf, openLedger, openLedgerWriteBehind, type Ledger, type LedgerWriteBehind } from '../ledger/index.js';
import {
  createCallerTokenVerifier,
  createSigningKeySource,
  openIdConfigurationUrlsFor,
  type KeyRing,
  type SigningKeySource,
} from '../security/index.js';
import { buildMetricsServer } from '../server/metrics-server.js';
import { createOtelExtensionMetrics } from '../telemetry/otel-extension-metrics.js';
import { buildServer, runReadinessChecks, type ExtensionServer, type ReadinessCheck, type ReadinessReport } from '../server/index.js';
import { openAttemptLimiter, openStuffingSignal } from './open-attempt-limiter.js';
import { openDecryptionKeys } from './key-files-watch.js';
import { openKeyVaultKey, type KeyUnwrapperFactory } from './key-vault-key.js';
import { openLegacyAuthority } from './open-legacy-authority.js';
import { openLegacyDirectory } from './open-legacy-directory.js';
import { openOtpMailer } from './open-otp-mailer.js';
import { openTokenClaims } from './open-token-claims.js';
import { readMessages } from './read-messages.js';

/**
 * How long each readiness check may take at start, in ms: longer than a probe's 1 s, since fetching Entra's signing
 * keys is two documents of up to 3 s each; a check still silent after this is reported as not answering.
 */
const STARTUP_CHECK_TIMEOUT_IN_MS = 10_000;
/**
 * Identity writes a second for the accounts sign-up creates. An app registration is granted about 20 (DESIGN.md);
 * sign-ups that collide with an account not yet in Entra are few, and a premigrate run beside serve with the same
 * registration keeps the rest. A create the pacer would hold past the deadline is aborted: "try again in a few
 * minutes", and the next attempt finds the budget.
 */
const SIGN_UP_WRITES_PER_SECOND = 5;

export interface ExtensionOptions {
  logger: Logger;
  clock?: Clock;
  /** Used for Entra's OpenID metadata and key sets; tests and the demo may pass their own. */
  fetch?: typeof fetch;
  /** Builds the Key Vault unwrapping client for `JIT_DECRYPTION_KEY_VAULT_KEY_ID`; default @azure/keyvault-keys. */
  keyUnwrapper?: KeyUnwrapperFactory;
  /**
   * OpenTelemetry, as `startTelemetry` started it (OTEL_EXPORTER_OTLP_ENDPOINT, APPLICATIONINSIGHTS_CONNECTION_STRING):
   * a span per callout and per legacy check with `tracer`, the extension's metrics exported through `meter`. Without
   * it, no span is made and only the Prometheus metrics (if asked for) are recorded.
   */
  telemetry?: { tracer?: Tracer | undefined; meter?: Meter | undefined };
}

/** The running parts of `serve`, opened from one validated configuration. */
export interface Extension {
  server: ExtensionServer;
  keyRing: KeyRing;
  /** The legacy system that checks passwords, behind its circuit breaker. */
  legacy: GuardedAuthority;
  ledger: Ledger;
  /**
   * The queue the answers' decisions and event calls go through to `ledger`, off the request path; its `stats()` are
   * the rows held and dropped, and `flush()` writes what is held now (tests read the ledger after it).
   */
  ledgerWrites: LedgerWriteBehind;
  signingKeys: SigningKeySource;
  /**
   * The Prometheus metrics, when METRICS_TOKEN or METRICS_PORT asks for them (`GET /metrics` on the server, or on
   * `metricsServer`); undefined otherwise. With neither these nor `options.telemetry`'s meter, nothing is counted or
   * timed.
   */
  metrics: ExtensionMetrics | undefined;
  /** The server of METRICS_PORT (`GET /metrics` alone), not yet listening; undefined without METRICS_PORT. */
  metricsServer: Awaited<ReturnType<typeof buildMetricsServer>> | undefined;
  /** The readiness checks run once at start; settles when all have answered (each failure is already logged). */
  startupReadiness: Promise<ReadinessReport>;
  /** Stops accepting requests, lets in-flight ones finish, then closes pools and files. */
  close(): Promise<void>;
}

/**
 * Opens everything `serve` needs — keys, legacy store (with its hash verifier when it holds hashes), ledger, Entra's signing keys — and builds
 * the HTTP server over them. The composition root: the CLI, the demo and the end-to-end tests call this.
 *
 * @example
 *   const extension = await openExtension(loadServeConfig(process.env), { logger });
 *   await extension.server.listen({ port: 7071 });
 */
export async function openExtension(config: ServeConfig, options: ExtensionOptions): Promise<Extension> {
  const clock = options.clock ?? systemClock;
  const log = options.logger.child({ name: 'extension' });
  const messages = await readMessages(config.messagesFile);
  // JIT_DECRYPTION_KEY_FILE is watched while serving: a replaced file is reloaded (app/key-files-watch.ts).
  const decryptionKeys = await openDecryptionKeys(config.decryptionKeys, await openKeyVaultKey(config.decryptionKeyVault, options.keyUnwrapper), {
    logger: options.logger.child({ name: 'keys' }),
  });
  const keyRing = decryptionKeys.keyRing;

  const opened: Array<{ close(): Promise<void> }> = [decryptionKeys];
  const closeAll = async () => {
    for (const part of opened.reverse()) await part.close().catch(() => undefined);
  };
  try {
    const prometheusWanted = config.metrics.token !== undefined || config.metrics.port !== undefined;
    const otelMetrics = options.telemetry?.meter && createOtelExtensionMetrics(options.telemetry.meter);
    // A SQL store's hash verifier is made as the store opens, before the metrics (whose probes read the store), so it
    // reports to them through `verifierReports`, set once they exist. Without metrics it gets no observer at all and
    // reads no clock.
    let verifierReports: ExtensionMetricsRecorder | undefined;
    const hashChecks: HashCheckObserver | undefined = prometheusWanted || otelMetrics
      ? {
          hashComputed: (seconds, format) => verifierReports?.hashVerify(seconds, format),
          checkRejected: (reason) => verifierReports?.admissionRejected(reason),
        }
      : undefined;
    const legacy = await openLegacyAuthority(config, options.logger.child({ name: 'legacy' }), hashChecks ? { hashChecks } : {});
    opened.push(legacy);
    const directory = await openLegacyDirectory(config, legacy);
    if (directory) opened.push(directory);
    const ledger = await openLedger(config.ledgerDatabaseUrl);
    opened.push(ledger);
    // Closed before the ledger (`closeAll` closes in reverse): it writes what it holds first.
    const ledgerWrites = openLedgerWriteBehind(ledger, { logger: options.logger, clock });
    opened.push(ledgerWrites);
    const tokenClaims = config.tokenClaims && (await openTokenClaims(config.tokenClaims, { queryTimeoutInMs: config.eventDeadlinesInMs.tokenIssuanceStart, circuit: legacy, now: clock }));
    if (tokenClaims) opened.push(tokenClaims);
    const otp = config.otp && openOtpMailer(config.otp, { timeoutInMs: config.eventDeadlinesInMs.otpSend });
    if (otp) opened.push(otp);
    const attemptLimiter = openAttemptLimiter(config.attemptLimits, { clock, logger: options.logger });
    if (attemptLimiter) opened.push(attemptLimiter);
    const entraAccounts = config.signUp.collision === 'block' ? openEntraAccounts(config, ledger, options.logger, clock) : undefined;
    if (config.signUp.collision === 'block' && entraAccounts === undefined) {
      log.info(
        { signUpCollision: 'block' },
        'sign-up collisions are blocked without creating the legacy account in Entra (serve has no Graph client): run premigrate for accounts added to the legacy system since, or set ENTRA_TENANT_DOMAIN and MIGRATION_FLAG_ATTRIBUTE with the Graph access settings',
      );
    } else if (entraAccounts !== undefined) {
      log.info(
        { signUpCollision: 'block', graphBaseUrl: config.signUpGraph?.graphBaseUrl },
        'sign-up collisions are blocked, and a colliding legacy account not yet in Entra is created there first, as premigrate would (random password, migration flag true, ledger row)',
      );
    }

    const metrics = prometheusWanted
      ? createExtensionMetrics(
          {
            circuitState: () => legacy.circuitState(),
            decryptionKeys: () => keyRing.keys.map((key) => ({ id: key.id, notAfter: key.notAfter?.getTime() ?? null })),
            ...(legacy.hashCheckLoad && { admissionLoad: legacy.hashCheckLoad }),
            ledgerWrites: () => ledgerWrites.stats(),
          },
          { clock },
        )
      : undefined;
    // Prometheus, OpenTelemetry, both or neither: every recording point below tells `recorder`, absent when neither.
    const recorder = everyRecorder([metrics, otelMetrics]);
    verifierReports = recorder;
    const signingKeys = createSigningKeySource({
      openIdConfigurationUrls: config.openIdConfigurationUrl ? [config.openIdConfigurationUrl] : openIdConfigurationUrlsFor(config.tenantId),
      ...(options.fetch && { fetch: options.fetch }),
      now: clock,
      ...(recorder && { onRefresh: (result: 'ok' | 'failed') => recorder.signingKeyRefresh(result) }),
    });
    const readiness: ReadinessCheck[] = [
      { name: 'decryptionKeys', check: async () => { if (keyRing.keys.length === 0) throw new Error('no decryption key loaded'); } },
      { name: 'entraSigningKeys', check: async () => { if (!signingKeys.isReady()) await signingKeys.refresh(); } },
      { name: 'legacyStore', check: ({ abortSignal }) => legacy.ping({ abortSignal }) },
    ];
    // The ledger is not a readiness check: a ledger that stops answering does not make serve unready, since its rows
    // are held by `ledgerWrites` and every callout is still answered (docs/serve.md, "When the ledger is down");
    // taking every replica out of rotation would fail the sign-ins themselves. The outage is one warning line and
    // the held-rows count. At start the ledger was just opened (its migrations ran), so asking it once more is cheap
    // and says at once when it has already gone.
    const startupChecks: ReadinessCheck[] = [...readiness, { name: 'ledger', check: () => ledger.ping() }];

    // Every check runs once at start, in the background (this also starts fetching Entra's signing keys; the first
    // callout waits for them if they are still on their way). A failing one is one warning line naming it and why,
    // so a deployment that cannot answer says so next to "listening" rather than at its first sign-ins.
    const startupReadiness = runReadinessChecks(startupChecks, STARTUP_CHECK_TIMEOUT_IN_MS).then((report) => {
      for (const { name, reason } of report.failures) log.warn({ check: name, reason }, `not ready: ${name} (${reason})`);
      return report;
    });

    const stuffingSignal = openStuffingSignal(config.attemptLimits.stuffingSignal, {
      clock,
      logger: options.logger,
      recorder,
      onRecord: (record) => {
        ledger.recordSecuritySignal(record).catch((error: unknown) => log.error({ code: codeOf(error), kind: record.kind, state: record.state }, 'ledger write failed: a security signal could not be recorded'));
      },
    });
    const onOutcome = (outcome: PasswordSubmitOutcome) => {
      stuffingSignal?.record(outcome.reason);
      ledgerWrites.recordDecision({
        at: new Date(clock()),
        correlationId: outcome.correlationId,
        objectId: outcome.objectId,
        legacyId: outcome.legacyId,
        action: outcome.action,
        reason: outcome.reason,
        latencyInMs: outcome.latencyInMs,
        legacyLatencyInMs: outcome.legacyLatencyInMs,
      });
    };

    // Every event call but OnPasswordSubmit's (jit_decisions above) leaves one audit row; a link also leaves the
    // decision that makes the account "migrated by sign-up".
    const onEventOutcome = (outcome: EventOutcome) => {
      ledgerWrites.recordEventCall(eventCallOf(outcome, new Date(clock())));
      if (outcome.reason !== MIGRATED_BY_SIGN_UP) return;
      ledgerWrites.recordDecision({
        at: new Date(clock()),
        correlationId: outcome.correlationId,
        objectId: SIGN_UP_OBJECT_ID,
        legacyId: outcome.legacyId,
        action: 'modifyAttributeValues',
        reason: outcome.reason,
        latencyInMs: outcome.latencyInMs,
      });
    };

    const server = await buildServer({
      logger: options.logger,
      clock,
      callerTokenVerifier: createCallerTokenVerifier({
        tenantId: config.tenantId,
        extensionAppId: config.extensionAppId,
        extensionResourceId: config.extensionResourceId,
        keySource: signingKeys,
        now: clock,
      }),
      passwordSubmit: {
        tenantId: config.tenantId,
        extensionAppId: config.extensionAppId,
        extensionResourceId: config.extensionResourceId,
        keyRing,
        legacy: recorder ? withCheckTiming(legacy, (seconds, outcome) => recorder.legacyCheck(seconds, outcome)) : legacy,
        messages,
        clock,
        responseDeadlineInMs: config.responseDeadlineInMs,
        ...(recorder && { onDecryption: (seconds: number, result: 'ok' | 'failed') => recorder.decryption(seconds, result) }),
        attemptLimiter,
        ...(stuffingSignal && config.attemptLimits.stuffingSignal?.mode === 'block' && { stuffingSuspected: () => stuffingSignal.isRaised() }),
      },
      readiness,
      onOutcome,
      signUp: {
        deps: {
          tenantId: config.tenantId,
          directory,
          collision: config.signUp.collision,
          prefill: config.signUp.prefill,
          legacyIdAttribute: config.signUp.legacyIdAttribute,
          entraAccounts,
          messages,
          clock,
          responseDeadlineInMs: config.eventDeadlinesInMs.attributeCollection,
        },
      },
      tokenIssuanceStart: {
        deps: {
          tenantId: config.tenantId,
          clock,
          responseDeadlineInMs: config.eventDeadlinesInMs.tokenIssuanceStart,
          legacyIdOf: (objectId) => ledger.legacyIdForObjectId(objectId),
          claims: tokenClaims?.source ?? null,
          onLegacyFailure: config.tokenClaims?.onLegacyFailure ?? 'empty',
        },
      },
      ...(otp && {
        otpSend: {
          deps: { tenantId: config.tenantId, mailer: otp.mailer, templates: otp.templates, from: otp.from, clock, responseDeadlineInMs: config.eventDeadlinesInMs.otpSend },
        },
      }),
      onEventOutcome,
      maxConnections: config.maxConnections,
      ...(metrics && { metrics: { metrics, token: config.metrics.token, onCalloutPort: config.metrics.port === undefined } }),
      ...(recorder && { recorder }),
      ...(options.telemetry?.tracer && { tracer: options.telemetry.tracer }),
    });

    const metricsServer = metrics && config.metrics.port !== undefined ? await buildMetricsServer({ metrics, token: config.metrics.token, logger: options.logger }) : undefined;
    if (metricsServer) opened.push(metricsServer);

    return {
      server,
      metricsServer,
      keyRing,
      legacy,
      ledger,
      ledgerWrites,
      signingKeys,
      metrics,
      startupReadiness,
      async close() {
        await server.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The `block` policy's account creation, when its Graph settings are given (docs/sign-up.md): the app registration
 * premigrate signs in as, a pacer of its own, and the ledger serve records in. The token is fetched once at start,
 * in the background, so the first collision does not pay for it; a refusal is one warning naming why (the
 * collisions then get "try again in a few minutes" until it is fixed).
 */
function openEntraAccounts(config: ServeConfig, ledger: Ledger, logger: Logger, clock: Clock): EntraAccounts | undefined {
  const settings = config.signUpGraph;
  if (settings === null) return undefined;
  const { credential } = appCredential({ authorityHost: settings.authorityHost, tenantId: settings.tokenTenantId, ...settings.app });
  const log = logger.child({ name: 'sign-up' });
  credential.getToken(GRAPH_DEFAULT_SCOPE).catch((error: unknown) => {
    log.warn({ code: codeOf(error), reason: error instanceof EntraMigrateError ? error.publicMessage : undefined }, 'sign-up cannot create accounts in Entra: no Graph token');
  });
  return accountEnsurer({
    graph: abortableBatchClient({ baseUrl: settings.graphBaseUrl, credential, pacer: createPacer({ ratePerSecond: SIGN_UP_WRITES_PER_SECOND, now: clock }), now: clock }),
    ledger,
    userBody: {
      tenantDomain: settings.tenantDomain,
      flagAttribute: settings.flagAttribute,
      ...(config.signUp.legacyIdAttribute !== undefined && { legacyIdAttribute: config.signUp.legacyIdAttribute }),
    },
    logger,
    now: clock,
  });
}

function codeOf(error: unknown): string {
  return error instanceof EntraMigrateError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}
