import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import type { Tracer } from '@opentelemetry/api';
import { createLogger } from '../../src/common/logger.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority } from '../../src/legacy/index.js';
import { DEFAULT_OTP_TEMPLATES, type OtpMailer } from '../../src/otp/index.js';
import { createCallerTokenVerifier, generateDecryptionKey, loadKeyRing } from '../../src/security/index.js';
import { buildServer, type ExtensionServer } from '../../src/server/index.js';
import { CANARY_OTP_CODE, CANARY_PASSWORDS } from '../support/canaries.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';
import { APP_ID, calloutBody } from '../server/harness.js';

const OTP_FIXTURE = new URL('../fixtures/entra/otp-send.request.json', import.meta.url);

/** The e-mail of the legacy account the password tests sign in as; a canary too (no e-mail may reach telemetry). */
export const CANARY_EMAIL = 'ada.telemetry-canary@contoso.example';
/** The recipient of the one-time code callouts; a canary too. */
export const CANARY_OTP_RECIPIENT = 'grace.otp-canary@contoso.example';

export interface TracedServer {
  app: ExtensionServer;
  tenant: EmulatedTenant;
  /** Every mail the OTP route sent (to, code), so a test can see the code did travel. */
  mails: string[];
  /** While true, the OTP mailer fails every send (the route answers 502 OTP_PROVIDER_FAILED). */
  mailerFails: boolean;
  /** While true, the OTP mailer never answers (until the handler aborts it at the deadline). */
  mailerHangs: boolean;
  logs(): string;
  token(): Promise<string>;
  /** An OnPasswordSubmit callout for `username` typing `password`, under a fresh correlation id. */
  passwordBody(username: string, password: string): Promise<{ body: Record<string, any>; correlationId: string; jwe: string }>;
  /** Microsoft's published OnOtpSend request sending CANARY_OTP_CODE to `to`, under a fresh correlation id. */
  otpBody(to: string): { body: Record<string, any>; correlationId: string };
  post(path: string, body: unknown, token?: string): Promise<{ statusCode: number; body: string }>;
  close(): Promise<void>;
}

/**
 * The extension server over real keys, real RS256 caller tokens and real bcrypt hashes (an in-memory legacy store
 * holding CANARY_EMAIL with CANARY_PASSWORDS.correct), OnPasswordSubmit and OnOtpSend (a mailer that only records),
 * making its spans with `tracer` when given.
 */
export async function startTracedServer(options: { tracer?: Tracer | undefined; responseDeadlineInMs?: number } = {}): Promise<TracedServer> {
  const tenant = await createTenant();
  const key = await generateDecryptionKey();
  const verifier = createPasswordVerifier();
  const store = createMemoryLegacyStore([
    { username: CANARY_EMAIL, id: 'legacy-1', passwordHash: await bcryptHash(CANARY_PASSWORDS.correct, 4), status: 'active' },
    { username: 'locked.telemetry@contoso.example', id: 'legacy-2', passwordHash: await bcryptHash(CANARY_PASSWORDS.correct, 4), status: 'locked' },
  ]);
  let logText = '';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const { keySource } = tenantSigningKeys(tenant);
  const mails: string[] = [];
  const state = { mailerFails: false, mailerHangs: false };
  const mailer: OtpMailer = {
    kind: 'smtp',
    async send(message, { abortSignal }) {
      if (state.mailerHangs) await new Promise((_resolve, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason), { once: true }));
      if (state.mailerFails) throw Object.assign(new Error('refused'), { code: 'OTP_PROVIDER_FAILED' });
      mails.push(JSON.stringify(message));
    },
    async close() {},
  };
  const responseDeadlineInMs = options.responseDeadlineInMs ?? 1500;
  const app = await buildServer({
    logger,
    clock: Date.now,
    callerTokenVerifier: createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource }),
    passwordSubmit: {
      tenantId: tenant.tenantId,
      extensionAppId: APP_ID,
      keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
      legacy: hashStoreAuthority(store, verifier),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs,
    },
    readiness: [],
    onOutcome: () => undefined,
    otpSend: { deps: { tenantId: tenant.tenantId, mailer, templates: DEFAULT_OTP_TEMPLATES, from: 'Contoso <codes@contoso.example>', clock: Date.now, responseDeadlineInMs } },
    onEventOutcome: () => undefined,
    ...(options.tracer && { tracer: options.tracer }),
  });
  const token = () => mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() });
  const otpFixture = JSON.parse(readFileSync(OTP_FIXTURE, 'utf8'));
  return {
    app,
    tenant,
    mails,
    get mailerFails() {
      return state.mailerFails;
    },
    set mailerFails(value: boolean) {
      state.mailerFails = value;
    },
    get mailerHangs() {
      return state.mailerHangs;
    },
    set mailerHangs(value: boolean) {
      state.mailerHangs = value;
    },
    logs: () => logText,
    token,
    async passwordBody(username, password) {
      const body = await calloutBody({ tenantId: tenant.tenantId, certificatePem: key.certificatePem, username, password });
      const correlationId = randomUUID();
      body.data.authenticationContext.correlationId = correlationId;
      return { body, correlationId, jwe: body.data.encryptedPasswordContext };
    },
    otpBody(to) {
      const body = structuredClone(otpFixture);
      const correlationId = randomUUID();
      body.data.tenantId = tenant.tenantId;
      body.source = `/tenants/${tenant.tenantId}/applications/${APP_ID}`;
      body.data.otpContext = { identifier: to, oneTimeCode: CANARY_OTP_CODE };
      body.data.authenticationContext.correlationId = correlationId;
      return { body, correlationId };
    },
    async post(path, body, bearer) {
      const response = await app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: `Bearer ${bearer ?? (await token())}`, 'content-type': 'application/json' },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { statusCode: response.statusCode, body: response.body };
    },
    async close() {
      await app.close();
      await verifier.close();
    },
  };
}
