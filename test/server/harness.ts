import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createLogger } from '../../src/common/logger.js';
import { encryptPasswordContext, mintCalloutToken, createTenant, type EmulatedTenant } from '../../src/emulator/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority, type MemoryLegacyStoreOptions } from '../../src/legacy/index.js';
import { createExtensionMetrics, type ExtensionMetrics } from '../../src/metrics/extension-metrics.js';
import { createCallerTokenVerifier, generateDecryptionKey, loadKeyRing, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { buildServer, type ExtensionServer, type SendMargin } from '../../src/server/index.js';
import type { PasswordSubmitOutcome } from '../../src/handlers/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';

export const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';

export interface ServerUnderTest {
  app: ExtensionServer;
  tenant: EmulatedTenant;
  key: GeneratedDecryptionKey;
  store: MemoryLegacyStoreOptions;
  lookups(): number;
  outcomes: PasswordSubmitOutcome[];
  /** The server's metrics, when started with `metrics`. */
  metrics: ExtensionMetrics | undefined;
  logs(): string;
  token(overrides?: { audience?: string }): Promise<string>;
  /** A callout body as Entra sends it, for `username` typing `password`. */
  body(username: string, password: string, options?: { locale?: string; nonce?: string; now?: number }): Promise<Record<string, any>>;
  close(): Promise<void>;
}

/** The extension server over real keys, tokens and hashes, with an in-memory legacy store that can be made slow or failing. */
export async function startServer(
  options: {
    responseDeadlineInMs?: number;
    ready?: boolean;
    hashDefaults?: { scheme: string; params: Record<string, unknown> };
    maxConnections?: number;
    /** The caller-token check waits this long first, like one queued behind an overloaded machine. */
    callerTokenDelayInMs?: number;
    /** Instead of measuring this process's event loop. */
    sendMargin?: SendMargin;
    /** Counts answers in `metrics` and serves `GET /metrics` on the server, behind `token` when given. */
    metrics?: { token?: string };
  } = {},
): Promise<ServerUnderTest> {
  const tenant = await createTenant();
  const key = await generateDecryptionKey();
  const store: MemoryLegacyStoreOptions = {};
  const hashes = {
    strong: await bcryptHash(CANARY_PASSWORDS.correct, 4),
    weak: await bcryptHash(CANARY_PASSWORDS.weak, 4),
  };
  const memory = createMemoryLegacyStore(
    [
      { username: 'ada@contoso.example', id: '1', passwordHash: hashes.strong, status: 'active' },
      { username: 'tim@contoso.example', id: '2', passwordHash: hashes.weak },
      { username: 'mallory@contoso.example', id: '3', passwordHash: hashes.strong, status: 'locked' },
      { username: 'odd@contoso.example', id: '4', passwordHash: '{ROT13}nopqrs' },
      // A home-grown sha256(salt ‖ password), checked through the store-wide default scheme.
      { username: 'plain@contoso.example', id: '5', passwordHash: createHash('sha256').update(`s4lt${CANARY_PASSWORDS.correct}`).digest('hex'), salt: 's4lt' },
    ],
    store,
  );
  let lookups = 0;
  const legacyStore = { ...memory, findAccount: (...args: Parameters<typeof memory.findAccount>) => (lookups++, memory.findAccount(...args)) };
  const verifier = createPasswordVerifier();

  let logText = '';
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }),
  });
  const { keySource } = tenantSigningKeys(tenant);
  const outcomes: PasswordSubmitOutcome[] = [];
  const callerTokenVerifier = createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource });
  const metrics = options.metrics && createExtensionMetrics({}, { processMetrics: false });
  const app = await buildServer({
    logger,
    clock: Date.now,
    callerTokenVerifier: {
      verify: async (...args: Parameters<typeof callerTokenVerifier.verify>) => {
        if (options.callerTokenDelayInMs) await new Promise((resolve) => setTimeout(resolve, options.callerTokenDelayInMs));
        return callerTokenVerifier.verify(...args);
      },
    },
    passwordSubmit: {
      tenantId: tenant.tenantId,
      extensionAppId: APP_ID,
      keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
      legacy: hashStoreAuthority(legacyStore, verifier, options.hashDefaults),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs: options.responseDeadlineInMs ?? 1500,
    },
    readiness: [{ name: 'legacyStore', check: async () => { if (options.ready === false) throw Object.assign(new Error('down'), { code: 'LEGACY_STORE_UNAVAILABLE' }); } }],
    onOutcome: (outcome) => outcomes.push(outcome),
    ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }),
    ...(options.sendMargin && { sendMargin: options.sendMargin }),
    ...(metrics && { metrics: { metrics, token: options.metrics?.token, onCalloutPort: true } }),
  });

  return {
    app,
    tenant,
    key,
    store,
    lookups: () => lookups,
    outcomes,
    metrics,
    logs: () => logText,
    token: (overrides = {}) => mintCalloutToken(tenant, { audience: overrides.audience ?? APP_ID, now: Date.now() }),
    body: (username, password, bodyOptions = {}) =>
      calloutBody({ tenantId: tenant.tenantId, certificatePem: key.certificatePem, username, password, ...bodyOptions }),
    async close() {
      await app.close();
      await verifier.close();
    },
  };
}

/** An OnPasswordSubmit callout body as Entra sends it, its password context encrypted to `certificatePem` for APP_ID. */
export async function calloutBody(options: {
  tenantId: string;
  certificatePem: string;
  username: string;
  password: string;
  locale?: string;
  nonce?: string;
  now?: number;
}): Promise<Record<string, any>> {
  const encryptedPasswordContext = await encryptPasswordContext({
    certificatePem: options.certificatePem,
    appId: APP_ID,
    resourceHost: 'auth.contoso.example',
    password: options.password,
    username: options.username,
    nonce: options.nonce ?? 'nonce-1',
    now: options.now ?? Date.now(),
  });
  return {
    type: 'microsoft.graph.authenticationEvent.passwordSubmit',
    source: `/tenants/${options.tenantId}/applications/${APP_ID}`,
    data: {
      '@odata.type': 'microsoft.graph.onPasswordSubmitCalloutData',
      tenantId: options.tenantId,
      authenticationEventListenerId: '11112222-bbbb-3333-cccc-4444dddd5555',
      customAuthenticationExtensionId: '22223333-cccc-4444-dddd-5555eeee6666',
      encryptedPasswordContext,
      authenticationContext: {
        correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd',
        client: { ip: '127.0.0.1', locale: options.locale ?? 'en-us', market: 'en-us' },
        protocol: 'OAUTH2.0',
        clientServicePrincipal: { id: 'aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb', appId: '00001111-aaaa-2222-bbbb-3333cccc4444', appDisplayName: 'App', displayName: 'App' },
        resourceServicePrincipal: null,
        user: { id: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', mail: options.username, displayName: 'User', userPrincipalName: options.username, userType: 'Member' },
      },
      userSignUpInfo: null,
      otpContext: null,
    },
  };
}
