import type { Logger } from 'pino';
import { silentLogger } from '../common/logger.js';
import { openDirectory, type Directory } from './directory.js';
import { restoreTenant } from './state/restore-tenant.js';
import { openTenantStore } from './state/tenant-store.js';
import { registerPasswordSubmitExtension, type ExtensionSettings, type PasswordSubmitExtension } from './extension-registration.js';
import { buildEmulatorServer } from './http/build-emulator-server.js';
import { createSignInService, type SignInService } from './sign-in.js';
import type { EmulatedTenant } from './tenant.js';
import { createClientApps } from './graph/client-apps.js';
import type { GraphFaults } from './graph/write-admission.js';
import { EMULATOR_SIGN_IN_APP } from './callout-client.js';
import { resolveConfiguredExtension, type ExtensionResolution } from './configured-extension.js';
import { TenantObjects } from './tenant-objects.js';
import { createOtpSender, createTokenIssuer, type OtpSender, type TokenIssuer } from './events/index.js';
import { createReadBudget, type ReadBudgetOptions } from './graph/read-budget.js';
import { createWriteBudget, type WriteBudgetOptions } from './graph/write-budget.js';
import { signUpFlowFromGraph } from './graph/graph-sign-up-flow.js';
import { checkSignUpSettings, createSignUpService, signUpFlowOf, type SignUpFlow, type SignUpService, type SignUpSettings } from './sign-up/index.js';
import { createPasswordResetService, type PasswordResetService } from './password-reset/index.js';
import { createLegacyB2cTenant, runningLegacyB2c, type LegacyB2cOptions, type RunningLegacyB2c } from './legacy-b2c/index.js';

export interface EmulatorOptions {
  tenantId?: string;
  /** Default `contoso` (users' identities are issued by `contoso.onmicrosoft.com`). */
  subdomain?: string;
  /**
   * SQLite file for the directory and the tenant's own records (ids, signing keys, Graph client apps and secrets,
   * applications, service principals, extension properties, grants, custom extensions, listeners, the extension
   * set with `extension`): a restart on the same file is the same tenant. Created with mode 0600. Default
   * `:memory:`, which keeps nothing.
   */
  directoryPath?: string;
  /**
   * The OnPasswordSubmit extension to call, validated before anything starts and kept in the directory file;
   * null forgets the one an earlier start kept. Default: the kept one, if any.
   */
  extension?: EmulatorExtensionSettings | null;
  /** Default 7080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  now?: () => number;
  /** How the emulator calls extensions; default global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Graph's identity-write throttling (defaults: Graph's documented budgets) and injected faults. */
  graph?: { writeBudget?: WriteBudgetOptions; readBudget?: ReadBudgetOptions; faults?: GraphFaults; directoryQuota?: number };
  /**
   * Also serve a legacy Azure AD B2C tenant — an ROPC token endpoint over its own users — as the system a migration
   * starts from. Its users live in memory only: seed them with each start.
   */
  legacyB2c?: LegacyB2cOptions;
}

/** The extension's settings, and the sign-up user flow's attribute collection endpoints that share its app id, timeout and retries. */
export type EmulatorExtensionSettings = ExtensionSettings & { signUp?: SignUpSettings };

/** A running emulator: its address, its tenant and directory, and the extension it calls. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:7080`: the sign-in page. */
  readonly url: string;
  /** Give this to the extension as `ENTRA_OPENID_CONFIGURATION_URL`. */
  readonly openIdConfigurationUrl: string;
  readonly tenant: EmulatedTenant;
  readonly directory: Directory;
  /** True when the directory file already held this tenant (a restart), false for a new one. */
  readonly restored: boolean;
  readonly signIn: SignInService;
  /** The sign-up for an e-mail + password user flow, with its attribute collection events. */
  readonly signUp: SignUpService;
  /** "Forgot password?": a one-time code (through OnOtpSend when a listener applies), then a new password. */
  readonly passwordReset: PasswordResetService;
  /** The id token at the end of each sign-in and sign-up, with the OnTokenIssuanceStart event; `calloutCount()` counts its callouts. */
  readonly tokens: TokenIssuer;
  /** Sends e-mail one-time codes through the OnOtpSend extension when a listener applies; `calloutCount()` counts its callouts. */
  readonly otp: OtpSender;
  /**
   * The sign-up user flow in force: its attributes and the attribute collection endpoints — from the Graph user flow
   * (`identity/authenticationEventsFlows`) linked to the sign-in app when one has attribute collection, otherwise
   * the one `configureExtension({ signUp })` set.
   */
  signUpFlow(): SignUpFlow;
  /**
   * Registers (or replaces) the OnPasswordSubmit extension and its listener, and with `signUp` the sign-up user
   * flow's custom attributes and its OnAttributeCollectionStart/Submit endpoints.
   */
  configureExtension(settings: EmulatorExtensionSettings): PasswordSubmitExtension;
  /** Lets an app call the emulated Graph with client credentials (token at `{url}/{tenantId}/oauth2/v2.0/token`). */
  registerClientApp(clientId: string, clientSecret: string): void;
  /** The secret a client app was registered with (kept across restarts with the directory file). */
  clientSecretOf(clientId: string): string | undefined;
  /** The tenant's configuration objects (applications, service principals, custom extensions, listeners). */
  readonly objects: TenantObjects;
  /** Changes the injected Graph faults (random 503s, latency) while running. */
  setGraphFaults(faults: GraphFaults): void;
  extension(): PasswordSubmitExtension | undefined;
  calloutCount(): number;
  /** The legacy B2C tenant, when started with `legacyB2c`. */
  readonly legacyB2c: RunningLegacyB2c | undefined;
  close(): Promise<void>;
}

/**
 * Starts the local Entra External ID emulator on a real port.
 *
 * @example
 *   const emulator = await startEmulator({ port: 0 });
 *   emulator.configureExtension({ targetUrl: 'http://127.0.0.1:7071/events/password-submit', appId, encryptionCertificatePem });
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const logger = options.logger ?? silentLogger();
  const now = options.now ?? Date.now;
  // Checked before anything opens or listens: a bad setting starts nothing.
  let extension = options.extension ? registerPasswordSubmitExtension(options.extension) : undefined;
  if (options.extension?.signUp) checkSignUpSettings(options.extension.signUp);
  let signUpFlow: SignUpFlow = signUpFlowOf(options.extension?.signUp, extension);
  const directoryPath = options.directoryPath ?? ':memory:';
  const store = openTenantStore(directoryPath);
  let directory: Directory | undefined;
  try {
    const restored = store.entries('tenant').length > 0;
    const tenant = await restoreTenant(store, { ...(options.tenantId && { tenantId: options.tenantId }), ...(options.subdomain && { subdomain: options.subdomain }) });
    const opened = openDirectory(directoryPath, { domain: tenant.domain, now });
    directory = opened;
    const objects = new TenantObjects(store);
    const keepExtension = (settings: EmulatorExtensionSettings | null) => (settings ? store.put('configured-extension', 'current', settings) : store.clear('configured-extension'));
    if (options.extension !== undefined) keepExtension(options.extension);
    else {
      const kept = store.entries<EmulatorExtensionSettings>('configured-extension')[0]?.[1];
      if (kept) {
        extension = registerPasswordSubmitExtension(kept);
        signUpFlow = signUpFlowOf(kept.signUp, extension);
      }
    }
    // An extension set directly (the demo, --extension-url) wins; otherwise the one `setup` configured through Graph.
    const resolveExtension = (clientAppId: string = EMULATOR_SIGN_IN_APP.appId): ExtensionResolution =>
      extension ? { kind: 'ready', extension } : resolveConfiguredExtension(objects, clientAppId);
    const eventDeps = { tenant, objects, now, logger, ...(options.fetch && { fetch: options.fetch }) };
    // OnTokenIssuanceStart ends every successful sign-in and sign-up; OnOtpSend sends every e-mail code.
    const tokens = createTokenIssuer(eventDeps);
    const otp = createOtpSender(eventDeps);
    const signIn = createSignInService({ tenant, directory: opened, extension: resolveExtension, now, logger, tokens, ...(options.fetch && { fetch: options.fetch }) });

    // A sign-up user flow `setup` wrote through Graph (linked to the sign-in app, with attribute collection) wins;
    // otherwise the one configureExtension set.
    const resolveSignUpFlow = (): SignUpFlow => signUpFlowFromGraph(objects, EMULATOR_SIGN_IN_APP.appId) ?? signUpFlow;
    const signUp = createSignUpService({ tenant, directory: opened, flow: resolveSignUpFlow, now, logger, tokens, otp, ...(options.fetch && { fetch: options.fetch }) });
    const passwordReset = createPasswordResetService({ directory: opened, now, logger, otp });

    let url = '';
    const apps = createClientApps(tenant, store);
    let faults: GraphFaults = options.graph?.faults ?? {};
    const legacyB2c = options.legacyB2c ? await createLegacyB2cTenant(options.legacyB2c, now) : undefined;
    const server = await buildEmulatorServer({
      tenant,
      directory: opened,
      signIn,
      signUp,
      passwordReset,
      logger,
      baseUrl: () => url,
      graph: {
        apps,
        objects,
        budget: createWriteBudget(options.graph?.writeBudget),
        readBudget: createReadBudget(options.graph?.readBudget),
        faults: () => faults,
        now,
        ...(options.graph?.directoryQuota !== undefined && { directoryQuota: options.graph.directoryQuota }),
      },
      ...(legacyB2c && { legacyB2c }),
    });
    const address = await server.listen({ port: options.port ?? 7080, host: options.host ?? '127.0.0.1' });
    url = address.replace('://[::1]', '://localhost');

    return {
      url,
      openIdConfigurationUrl: `${url}/${tenant.tenantId}/v2.0/.well-known/openid-configuration`,
      tenant,
      directory: opened,
      restored,
      signIn,
      signUp,
      passwordReset,
      signUpFlow: resolveSignUpFlow,
      tokens,
      otp,
      configureExtension(settings) {
        if (settings.signUp) checkSignUpSettings(settings.signUp);
        extension = registerPasswordSubmitExtension(settings);
        signUpFlow = signUpFlowOf(settings.signUp, extension);
        keepExtension(settings);
        return extension;
      },
      extension: () => {
        const resolution = resolveExtension();
        return resolution.kind === 'ready' ? resolution.extension : undefined;
      },
      objects,
      registerClientApp: (clientId, clientSecret) => apps.register(clientId, clientSecret),
      clientSecretOf: (clientId) => apps.secretOf(clientId),
      setGraphFaults(next) {
        faults = next;
      },
      calloutCount: () => signIn.calloutCount(),
      legacyB2c: legacyB2c && runningLegacyB2c(legacyB2c, url),
      async close() {
        await server.close();
        opened.close();
        store.close();
      },
    };
  } catch (error) {
    directory?.close();
    store.close();
    throw error;
  }
}
