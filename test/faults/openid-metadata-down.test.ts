import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createLogger } from '../../src/common/logger.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority } from '../../src/legacy/index.js';
import { createCallerTokenVerifier, createSigningKeySource, generateDecryptionKey, loadKeyRing, type GeneratedDecryptionKey, type SigningKeySource } from '../../src/security/index.js';
import { buildServer, type ExtensionServer } from '../../src/server/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startOpenIdStandIn, type OpenIdStandIn, type StandInMode } from '../support/openid-stand-in.js';
import { APP_ID, calloutBody } from '../server/harness.js';

/** OnPasswordSubmit's deadline here, in ms: what the product promises to answer within, whatever Entra's metadata does. */
const DEADLINE_IN_MS = 1500;
/** The signing-key refresh cooldown in these tests (30 s in serve), so that recovery is seen in a test's time. */
const COOLDOWN_IN_MS = 300;
const MIGRATE = 'microsoft.graph.passwordSubmit.MigratePassword';
const DOWN_MODES: readonly StandInMode[] = ['refusing', 'failing', 'hanging'];

interface Answer {
  status: number;
  body: any;
  elapsedInMs: number;
  retryAfter: string | undefined;
}

let key: GeneratedDecryptionKey;
let adaHash: string;

before(async () => {
  [key, adaHash] = await Promise.all([generateDecryptionKey(), bcryptHash(CANARY_PASSWORDS.correct, 4)]);
});

/** serve's caller-token check and readiness over a stand-in of Entra's metadata, as app/open-extension.ts wires them. */
async function serveAgainst(
  tenant: EmulatedTenant,
  standIn: OpenIdStandIn,
): Promise<{ app: ExtensionServer; signingKeys: SigningKeySource; metadataRequests(): number; close(): Promise<void> }> {
  // Counted on our side too: a refused connection never reaches the stand-in.
  let metadataRequests = 0;
  const fetch = ((input: string | URL | Request, init?: RequestInit) => {
    if (String(input) === standIn.metadataUrl) metadataRequests++;
    return globalThis.fetch(input, init);
  }) as typeof globalThis.fetch;
  const signingKeys = createSigningKeySource({ openIdConfigurationUrls: [standIn.metadataUrl], fetch, refreshCooldownInMs: COOLDOWN_IN_MS });
  const verifier = createPasswordVerifier();
  const app = await buildServer({
    logger: createLogger({ level: 'silent' }),
    clock: Date.now,
    callerTokenVerifier: createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource: signingKeys }),
    passwordSubmit: {
      tenantId: tenant.tenantId,
      extensionAppId: APP_ID,
      keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
      legacy: hashStoreAuthority(createMemoryLegacyStore([{ username: 'ada@contoso.example', id: '1', passwordHash: adaHash, status: 'active' }]), verifier),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs: DEADLINE_IN_MS,
    },
    // The readiness check open-extension.ts registers for Entra's signing keys.
    readiness: [{ name: 'entraSigningKeys', check: async () => { if (!signingKeys.isReady()) await signingKeys.refresh(); } }],
    onOutcome: () => undefined,
  });
  return {
    app,
    signingKeys,
    metadataRequests: () => metadataRequests,
    async close() {
      await app.close();
      await verifier.close();
    },
  };
}

async function callout(app: ExtensionServer, tenant: EmulatedTenant, token: string): Promise<Answer> {
  const payload = JSON.stringify(await calloutBody({ tenantId: tenant.tenantId, certificatePem: key.certificatePem, username: 'ada@contoso.example', password: CANARY_PASSWORDS.correct }));
  const started = performance.now();
  const response = await app.inject({ method: 'POST', url: '/events/password-submit', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload });
  const retryAfter = response.headers['retry-after'];
  return { status: response.statusCode, body: response.json(), elapsedInMs: performance.now() - started, retryAfter: retryAfter === undefined ? undefined : String(retryAfter) };
}

const tokenOf = (tenant: EmulatedTenant) => mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() });
const readiness = async (app: ExtensionServer) => {
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  return { status: response.statusCode, checks: (response.json() as { checks: Record<string, string> }).checks };
};

function assertInTime(answer: Answer, what: string): void {
  assert.ok(answer.elapsedInMs <= DEADLINE_IN_MS, `${what}: answered in ${Math.round(answer.elapsedInMs)} ms, past the ${DEADLINE_IN_MS} ms deadline`);
}

function assertMigrated(answer: Answer, what: string): void {
  assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.data.actions[0]['@odata.type'], MIGRATE, what);
  assertInTime(answer, what);
}

/**
 * What a caller whose token cannot be checked gets: 503 `SIGNING_KEYS_UNAVAILABLE` with `Retry-After` (no keys at all, or a kid not
 * among the keys held) once the refresh has failed; while a refresh hangs, the deadline guard's 503
 * `DEADLINE_EXCEEDED` at the deadline. Never a sign-in decision.
 */
function assertRefused(answer: Answer, mode: StandInMode, code: 'SIGNING_KEYS_UNAVAILABLE', what: string): void {
  assertInTime(answer, what);
  // A hanging refresh (3 s per document) outlasts the deadline: the guard answers for the token check still waiting.
  const expected = mode === 'hanging' ? 'DEADLINE_EXCEEDED' : code;
  assert.equal(answer.status, 503, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.error.code, expected, what);
  if (expected === 'SIGNING_KEYS_UNAVAILABLE') assert.equal(answer.retryAfter, '30', `${what}: Retry-After, the signing-key refresh cooldown`);
}

/** Sends callouts with `token` until one migrates; the time it took from `since`, in ms. Fails after `timeoutInMs`. */
async function untilMigrated(app: ExtensionServer, tenant: EmulatedTenant, token: string, timeoutInMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const answer = await callout(app, tenant, token);
    assertInTime(answer, 'a callout while recovering');
    if (answer.status === 200) {
      assertMigrated(answer, 'the first callout answered after recovery');
      return performance.now() - started;
    }
    if (performance.now() - started > timeoutInMs) assert.fail(`no callout migrated within ${timeoutInMs} ms of the metadata coming back: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('fault: the OpenID metadata endpoint down at start-up', () => {
  for (const mode of DOWN_MODES) {
    test(`${mode}: callouts are refused inside the deadline and readiness fails; once it is back, callouts migrate without a restart`, async (t) => {
      const tenant = await createTenant();
      const standIn = await startOpenIdStandIn(tenant);
      await standIn.setMode(mode);
      const serving = await serveAgainst(tenant, standIn);
      try {
        const token = await tokenOf(tenant);
        const answers = await Promise.all(Array.from({ length: 8 }, () => callout(serving.app, tenant, token)));
        for (const [index, answer] of answers.entries()) assertRefused(answer, mode, 'SIGNING_KEYS_UNAVAILABLE', `callout ${index} while down`);
        assert.equal(serving.metadataRequests(), 1, 'eight callouts, one metadata request');
        const notReady = await readiness(serving.app);
        assert.equal(notReady.status, 503);
        assert.notEqual(notReady.checks.entraSigningKeys, 'ok');
        assert.equal(serving.signingKeys.isReady(), false);

        await standIn.setMode('up');
        const recoveredInMs = await untilMigrated(serving.app, tenant, token, COOLDOWN_IN_MS + 2000);
        t.diagnostic(`first callout migrated ${Math.round(recoveredInMs)} ms after the metadata came back (cooldown ${COOLDOWN_IN_MS} ms)`);
        assert.equal((await readiness(serving.app)).status, 200);
      } finally {
        await serving.close();
        await standIn.close();
      }
    });
  }
});

describe('fault: the OpenID metadata endpoint down during a signing-key rotation', () => {
  for (const mode of DOWN_MODES) {
    test(`${mode}: old-kid tokens are still accepted, new-kid tokens refused inside the deadline, then accepted once it is back`, async (t) => {
      const tenant = await createTenant();
      const standIn = await startOpenIdStandIn(tenant);
      const serving = await serveAgainst(tenant, standIn);
      try {
        const oldToken = await tokenOf(tenant);
        assertMigrated(await callout(serving.app, tenant, oldToken), 'old kid before the rotation');

        await standIn.setMode(mode);
        await tenant.rotateSigningKey(); // Entra signs with a new kid, published where we cannot fetch it now
        const newToken = await tokenOf(tenant);
        await new Promise((resolve) => setTimeout(resolve, COOLDOWN_IN_MS)); // the start-up fetch's cooldown is over
        const before = serving.metadataRequests();
        const [newKid, oldKid] = await Promise.all([
          Promise.all(Array.from({ length: 6 }, () => callout(serving.app, tenant, newToken))),
          Promise.all(Array.from({ length: 6 }, () => callout(serving.app, tenant, oldToken))),
        ]);
        for (const [index, answer] of newKid.entries()) assertRefused(answer, mode, 'SIGNING_KEYS_UNAVAILABLE', `new kid ${index} while down`);
        for (const [index, answer] of oldKid.entries()) assertMigrated(answer, `old kid ${index} while down`);
        assert.equal(serving.metadataRequests() - before, 1, 'six new-kid callouts, one metadata request');
        assertMigrated(await callout(serving.app, tenant, oldToken), 'old kid after the failed refresh');
        assert.equal((await readiness(serving.app)).status, 200, 'the keys held still verify: ready');

        await standIn.setMode('up');
        const recoveredInMs = await untilMigrated(serving.app, tenant, newToken, COOLDOWN_IN_MS + 2000);
        t.diagnostic(`first new-kid callout migrated ${Math.round(recoveredInMs)} ms after the metadata came back (cooldown ${COOLDOWN_IN_MS} ms)`);
        assertMigrated(await callout(serving.app, tenant, oldToken), 'old kid after recovery (still published)');
      } finally {
        await serving.close();
        await standIn.close();
      }
    });
  }

  test('many concurrent callouts with a new kid cost one metadata and one key-set fetch (no stampede)', async () => {
    const tenant = await createTenant();
    const standIn = await startOpenIdStandIn(tenant);
    const serving = await serveAgainst(tenant, standIn);
    try {
      assertMigrated(await callout(serving.app, tenant, await tokenOf(tenant)), 'before the rotation');
      assert.deepEqual(standIn.fetches(), { metadata: 1, jwks: 1 });
      await tenant.rotateSigningKey();
      const newToken = await tokenOf(tenant);
      await new Promise((resolve) => setTimeout(resolve, COOLDOWN_IN_MS));
      const answers = await Promise.all(Array.from({ length: 40 }, () => callout(serving.app, tenant, newToken)));
      for (const [index, answer] of answers.entries()) assertMigrated(answer, `new kid ${index}`);
      assert.deepEqual(standIn.fetches(), { metadata: 2, jwks: 2 }, 'one refresh for forty callouts');
    } finally {
      await serving.close();
      await standIn.close();
    }
  });
});
