import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/common/logger.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import type { EventOutcome } from '../../src/handlers/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority } from '../../src/legacy/index.js';
import type { OtpMailer, OtpTemplateSet } from '../../src/otp/index.js';
import { DEFAULT_OTP_TEMPLATES } from '../../src/otp/index.js';
import { createCallerTokenVerifier, generateDecryptionKey, loadKeyRing } from '../../src/security/index.js';
import { buildServer, type ExtensionServer } from '../../src/server/index.js';
import { CANARY_OTP_CODE } from '../support/canaries.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';

export const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const FIXTURE = new URL('../fixtures/entra/otp-send.request.json', import.meta.url);

export interface OtpServer {
  app: ExtensionServer;
  tenant: EmulatedTenant;
  outcomes: EventOutcome[];
  logs(): string;
  token(): Promise<string>;
  /** Microsoft's published request for this tenant, sending `code` to `to`. */
  body(to: string, options?: { locale?: string; requestType?: string; code?: string }): Record<string, any>;
  post(body: unknown, headers?: Record<string, string>): Promise<{ statusCode: number; body: string; json(): any }>;
  close(): Promise<void>;
}

/**
 * The extension server with `/events/otp-send` over `mailer`, its caller tokens verified against an emulated
 * tenant's keys (real RS256 tokens), everything it logs kept for the tests to search.
 */
export async function startOtpServer(options: { mailer: OtpMailer | null; templates?: OtpTemplateSet; responseDeadlineInMs?: number; logLevel?: string }): Promise<OtpServer> {
  const tenant = await createTenant();
  const key = await generateDecryptionKey();
  let logText = '';
  const logger = createLogger({ level: options.logLevel ?? 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const { keySource } = tenantSigningKeys(tenant);
  const verifier = createPasswordVerifier();
  const outcomes: EventOutcome[] = [];
  const responseDeadlineInMs = options.responseDeadlineInMs ?? 1500;
  const app = await buildServer({
    logger,
    clock: Date.now,
    callerTokenVerifier: createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource }),
    passwordSubmit: {
      tenantId: tenant.tenantId,
      extensionAppId: APP_ID,
      keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
      legacy: hashStoreAuthority(createMemoryLegacyStore([]), verifier),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs,
    },
    readiness: [],
    onOutcome: () => undefined,
    otpSend: {
      deps: { tenantId: tenant.tenantId, mailer: options.mailer, templates: options.templates ?? DEFAULT_OTP_TEMPLATES, from: 'Contoso <codes@contoso.example>', clock: Date.now, responseDeadlineInMs },
    },
    onEventOutcome: (outcome) => outcomes.push(outcome),
  });
  const token = () => mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() });
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  return {
    app,
    tenant,
    outcomes,
    logs: () => logText,
    token,
    body(to, bodyOptions = {}) {
      const body = structuredClone(fixture);
      body.data.tenantId = tenant.tenantId;
      body.source = `/tenants/${tenant.tenantId}/applications/${APP_ID}`;
      body.data.otpContext = { identifier: to, oneTimeCode: bodyOptions.code ?? CANARY_OTP_CODE };
      body.data.authenticationContext.client.locale = bodyOptions.locale ?? 'en-us';
      body.data.authenticationContext.requestType = bodyOptions.requestType ?? 'signUp';
      return body;
    },
    async post(body, headers = {}) {
      return app.inject({
        method: 'POST',
        url: '/events/otp-send',
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json', ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async close() {
      await app.close();
      await verifier.close();
      await options.mailer?.close();
    },
  };
}
