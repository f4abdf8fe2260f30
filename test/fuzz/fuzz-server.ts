import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { SignJWT } from 'jose';
import { createLogger } from '../../src/common/logger.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import type { OtpMailer } from '../../src/otp/index.js';
import { DEFAULT_OTP_TEMPLATES } from '../../src/otp/index.js';
import type { LegacyClaims, TokenClaimsSource } from '../../src/legacy/claims/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority } from '../../src/legacy/index.js';
import { sqlLegacyDirectory } from '../../src/legacy/stores/sql/sql-directory.js';
import { createCallerTokenVerifier, generateDecryptionKey, loadKeyRing } from '../../src/security/index.js';
import { buildServer, type ExtensionServer } from '../../src/server/index.js';
import { calloutBody } from '../server/harness.js';
import { CANARY_OTP_CODE, CANARY_PASSWORDS } from '../support/canaries.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';

export const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const FIXTURES = new URL('../fixtures/entra/', import.meta.url);

/** Every event route the server answers, and the fixture its valid bodies start from. */
export const EVENT_ROUTES = [
  { path: '/events/password-submit', event: 'OnPasswordSubmit' },
  { path: '/events/attribute-collection-start', event: 'OnAttributeCollectionStart' },
  { path: '/events/attribute-collection-submit', event: 'OnAttributeCollectionSubmit' },
  { path: '/events/token-issuance-start', event: 'OnTokenIssuanceStart' },
  { path: '/events/otp-send', event: 'OnOtpSend' },
] as const;
export type EventPath = (typeof EVENT_ROUTES)[number]['path'];

/** Authorization headers a caller might send, valid and hostile, made once per run (RS256 signing is not free). */
export interface TokenSet {
  valid: string[];
  expired: string;
  notYetValid: string;
  otherTenant: string;
  wrongAudience: string;
  /** A token of this tenant's shape, header `alg: none`, no signature. */
  algNone: string;
  /** HS256 over the same claims, keyed with a string an attacker might guess. */
  hs256: string;
  /** Signed with a key of the right `kid` name that is not the tenant's. */
  foreignKey: string;
}

export interface FuzzServer {
  app: ExtensionServer;
  tenant: EmulatedTenant;
  responseDeadlineInMs: number;
  tokens: TokenSet;
  /** Valid OnPasswordSubmit bodies (fresh contexts for known, unknown, locked and odd users, right and wrong passwords). */
  passwordBodies: Record<string, any>[];
  /** The nonce inside each of `passwordBodies`' contexts, which a 200 must echo. */
  passwordNonces: string[];
  /** Mints tokens and contexts again when they are older than `ageInMs` (a long run outlives them). */
  refreshIfOlderThan(ageInMs: number): Promise<void>;
  /** A valid body of the event at `path` (a fresh copy each call). */
  validBody(path: Exclude<EventPath, '/events/password-submit'>): Record<string, any>;
  /** Log lines at error level or above (the server's "unexpected error" and "could not build an answer"). */
  errorLines(): string[];
  mailsSent(): number;
  close(): Promise<void>;
}

/**
 * The extension server with every event route on, for fuzzing: real caller tokens of an emulated tenant, a real
 * decryption key, an in-memory legacy store with cheap bcrypt-4 hashes (fast checks), an in-memory directory, claims
 * source and mailer. Logs are kept only at error level, so a long run does not grow the heap with them.
 */
export async function startFuzzServer(options: { responseDeadlineInMs?: number } = {}): Promise<FuzzServer> {
  const responseDeadlineInMs = options.responseDeadlineInMs ?? 1000;
  const [tenant, otherTenant, key] = await Promise.all([createTenant(), createTenant(), generateDecryptionKey()]);
  const strong = await bcryptHash(CANARY_PASSWORDS.correct, 4);
  const weak = await bcryptHash(CANARY_PASSWORDS.weak, 4);
  const accounts = [
    { username: 'ada@contoso.example', email: 'ada@contoso.example', id: '1', passwordHash: strong, status: 'active' },
    { username: 'tim@contoso.example', email: 'tim@contoso.example', id: '2', passwordHash: weak },
    { username: 'mallory@contoso.example', email: 'mallory@contoso.example', id: '3', passwordHash: strong, status: 'locked' },
    { username: 'odd@contoso.example', email: 'odd@contoso.example', id: '4', passwordHash: '{ROT13}nopqrs' },
    { username: 'someone@example.com', email: 'someone@example.com', id: '5', passwordHash: strong },
  ];
  const legacyStore = createMemoryLegacyStore(accounts);
  const directoryStore = createMemoryLegacyStore(accounts);
  const verifier = createPasswordVerifier();

  const errors: string[] = [];
  const logger = createLogger({
    level: 'error',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (errors.push(chunk.toString().slice(0, 2000)), done()) }),
  });
  const { keySource } = tenantSigningKeys(tenant);
  const claims: TokenClaimsSource = {
    kind: 'memory',
    async claimsFor(subject) {
      const claimSets: Record<string, LegacyClaims> = { '1': { department: 'R&D', roles: ['Writer', 'Editor'] }, '5': {} };
      return subject.legacyId === null ? {} : (claimSets[subject.legacyId] ?? {});
    },
    async close() {},
  };
  let mails = 0;
  const mailer: OtpMailer = {
    kind: 'smtp',
    async send() {
      mails++;
    },
    async close() {},
  };
  const app = await buildServer({
    logger,
    clock: Date.now,
    callerTokenVerifier: createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource }),
    passwordSubmit: {
      tenantId: tenant.tenantId,
      extensionAppId: APP_ID,
      keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'fuzz' }]),
      legacy: hashStoreAuthority(legacyStore, verifier),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs,
    },
    readiness: [],
    onOutcome: () => undefined,
    signUp: {
      deps: {
        tenantId: tenant.tenantId,
        directory: sqlLegacyDirectory(directoryStore),
        collision: 'block',
        prefill: true,
        legacyIdAttribute: undefined,
        messages: DEFAULT_MESSAGES,
        clock: Date.now,
        responseDeadlineInMs,
      },
    },
    tokenIssuanceStart: {
      deps: {
        tenantId: tenant.tenantId,
        clock: Date.now,
        responseDeadlineInMs,
        legacyIdOf: async (objectId) => (objectId === '90847c2a-e29d-4d2f-9f54-c5b4d3f26471' ? '1' : null),
        claims,
        onLegacyFailure: 'empty',
      },
    },
    otpSend: {
      deps: { tenantId: tenant.tenantId, mailer, templates: DEFAULT_OTP_TEMPLATES, from: 'Contoso <codes@contoso.example>', clock: Date.now, responseDeadlineInMs },
    },
    onEventOutcome: () => undefined,
  });

  const users = ['ada@contoso.example', 'tim@contoso.example', 'mallory@contoso.example', 'odd@contoso.example', 'nobody@contoso.example'];
  const passwords = [CANARY_PASSWORDS.correct, CANARY_PASSWORDS.wrong, CANARY_PASSWORDS.weak, CANARY_PASSWORDS.unicode];
  const passwordNonces = users.flatMap((_user, u) => passwords.map((_password, p) => `nonce-${u}-${p}`));
  /** Tokens and password contexts expire (an hour, ten minutes): made again when a long run has aged them. */
  const mint = async () => {
    const now = Date.now();
    const valid = await Promise.all([0, 1, 2].map(() => mintCalloutToken(tenant, { audience: APP_ID, now })));
    const tokens: TokenSet = {
      valid,
      expired: await mintCalloutToken(tenant, { audience: APP_ID, now: now - 2 * 3600_000 }),
      notYetValid: await mintCalloutToken(tenant, { audience: APP_ID, now: now + 2 * 3600_000 }),
      otherTenant: await mintCalloutToken(otherTenant, { audience: APP_ID, now }),
      wrongAudience: await mintCalloutToken(tenant, { audience: '00000000-1111-2222-3333-444444444444', now }),
      algNone: algNoneOf(valid[0]!),
      hs256: await new SignJWT(claimsOf(valid[0]!))
        .setProtectedHeader({ alg: 'HS256', kid: tenant.signingKey().kid })
        .sign(new TextEncoder().encode('secret-an-attacker-might-guess-0123456789')),
      foreignKey: await new SignJWT(claimsOf(valid[0]!))
        .setProtectedHeader({ alg: 'RS256', kid: tenant.signingKey().kid, typ: 'JWT' })
        .sign(otherTenant.signingKey().privateKey),
    };
    const bodies: Record<string, any>[] = [];
    for (const [u, username] of users.entries()) {
      for (const [p, password] of passwords.entries()) {
        bodies.push(
          await calloutBody({ tenantId: tenant.tenantId, certificatePem: key.certificatePem, username, password, nonce: `nonce-${u}-${p}`, locale: ['en-us', 'de-de', 'fr', 'xx-yy'][p]!, now }),
        );
      }
    }
    return { tokens, bodies, madeAt: now };
  };
  let minted = await mint();

  const fixtures = {
    '/events/attribute-collection-start': readFixture('attribute-collection-start.request.json'),
    '/events/attribute-collection-submit': readFixture('attribute-collection-submit.request.json'),
    '/events/token-issuance-start': readFixture('token-issuance-start.request.json'),
    '/events/otp-send': readFixture('otp-send.request.json'),
  };
  return {
    app,
    tenant,
    responseDeadlineInMs,
    get tokens() {
      return minted.tokens;
    },
    get passwordBodies() {
      return minted.bodies;
    },
    passwordNonces,
    async refreshIfOlderThan(ageInMs) {
      if (Date.now() - minted.madeAt > ageInMs) minted = await mint();
    },
    validBody(path) {
      const body = structuredClone(fixtures[path]);
      body.data.tenantId = tenant.tenantId;
      body.source = `/tenants/${tenant.tenantId}/applications/${APP_ID}`;
      if (body.data.authenticationContext) body.data.authenticationContext.correlationId = '00000000-0000-4000-8000-000000000042';
      if (path === '/events/otp-send') body.data.otpContext = { identifier: 'someone@example.com', oneTimeCode: CANARY_OTP_CODE };
      if (path.startsWith('/events/attribute-collection')) body.data.userSignUpInfo.identities[0].issuerAssignedId = 'ada@contoso.example';
      return body;
    },
    errorLines: () => errors,
    mailsSent: () => mails,
    async close() {
      await app.close();
      await verifier.close();
    },
  };
}

function readFixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

/** The same claims under `{"alg":"none"}` with an empty signature (RFC 7519 §6), the classic forgery. */
function algNoneOf(token: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${token.split('.')[1]}.`;
}
