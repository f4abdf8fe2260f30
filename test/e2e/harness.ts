import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openExtension, type Extension, type ExtensionOptions } from '../../src/app/index.js';
import { createLogger } from '../../src/common/logger.js';
import { loadServeConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator, type SignUpSettings } from '../../src/emulator/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';

export const EXTENSION_APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
export const FLAG = `extension_${EXTENSION_APP_ID.replace(/-/g, '')}_toBeMigrated`;

/** Everything one end-to-end suite runs: the emulator, the extension on a real port, and what it logged. */
export interface Stack {
  emulator: RunningEmulator;
  extension: Extension;
  /** Every log line the extension wrote, as text, for "no secret in the logs" assertions. */
  logs(): string;
  ledgerUrl: string;
  /** Where the extension listens, e.g. `http://127.0.0.1:41234`. */
  extensionBaseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the emulator and the extension (configured through the `serve` settings, as a deployment would be),
 * connects them, and pre-creates `entraUsers` flagged for migration.
 */
export async function startStack(options: {
  /** The legacy store's settings: LEGACY_DATABASE_URL and LEGACY_USER_QUERY, or another kind's. */
  legacy: Readonly<Record<string, string>>;
  entraUsers: readonly string[];
  responseDeadlineMs?: number;
  /** More `serve` settings, chosen once the emulator runs (SIGNUP_COLLISION, or an attribute it defines). */
  serveSettings?: (emulator: RunningEmulator) => Readonly<Record<string, string>>;
  /**
   * The sign-up user flow's custom attributes: with it, the emulator sends both attribute collection events to the
   * extension's routes.
   */
  signUp?: (emulator: RunningEmulator) => Pick<SignUpSettings, 'customAttributes'>;
  /** OpenTelemetry for the extension, as the CLI passes what it started (`startTelemetry`). */
  telemetry?: ExtensionOptions['telemetry'];
}): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-e2e-'));
  const key = await generateDecryptionKey({ subject: 'CN=e2e' });
  const keyPath = join(dir, 'key.pem');
  await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });

  let logText = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString('utf8');
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });

  const emulator = await startEmulator({ port: 0, logger });
  for (const email of options.entraUsers) {
    await emulator.directory.createUser({
      displayName: email,
      mail: email,
      identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }],
      password: `Random-${Math.random().toString(36).slice(2)}-A1!`,
      extensionAttributes: { [FLAG]: true },
    });
  }

  const ledgerUrl = `sqlite://${join(dir, 'ledger.db')}`;
  const config = loadServeConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ENTRA_TENANT_ID: emulator.tenant.tenantId,
    ENTRA_EXTENSION_APP_ID: EXTENSION_APP_ID,
    ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
    JIT_DECRYPTION_KEY_FILE: keyPath,
    ...options.legacy,
    LEDGER_DATABASE_URL: ledgerUrl,
    ...(options.responseDeadlineMs !== undefined && { RESPONSE_DEADLINE_MS: String(options.responseDeadlineMs) }),
    ...options.serveSettings?.(emulator),
  });
  const extension = await openExtension(config, { logger, ...(options.telemetry && { telemetry: options.telemetry }) });
  const address = await extension.server.listen({ port: 0, host: '127.0.0.1' });
  emulator.configureExtension({
    targetUrl: `${address}/events/password-submit`,
    appId: EXTENSION_APP_ID,
    encryptionCertificatePem: key.certificatePem,
    timeoutInMs: 2000,
    maximumRetries: 0,
    migrationFlagAttribute: FLAG,
    ...(options.signUp && {
      signUp: {
        attributeCollectionStartUrl: `${address}/events/attribute-collection-start`,
        attributeCollectionSubmitUrl: `${address}/events/attribute-collection-submit`,
        ...options.signUp(emulator),
      },
    }),
  });

  return {
    emulator,
    extension,
    ledgerUrl,
    extensionBaseUrl: address,
    logs: () => logText,
    async close() {
      await extension.close();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
