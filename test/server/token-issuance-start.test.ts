import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createLogger } from '../../src/common/logger.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import { buildTokenIssuanceStartResponse } from '../../src/events/index.js';
import type { EventOutcome, TokenIssuanceStartDeps } from '../../src/handlers/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { cachedClaimsSource, openSqlClaimsSource, type CachedClaimsSource } from '../../src/legacy/claims/index.js';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority } from '../../src/legacy/index.js';
import { createCallerTokenVerifier, generateDecryptionKey, loadKeyRing } from '../../src/security/index.js';
import { buildServer, type ExtensionServer } from '../../src/server/index.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const OBJECT_ID = '90847c2a-e29d-4d2f-9f54-c5b4d3f26471';
/** A claim value the log must never hold. */
const CANARY_ROLE = 'role-canary-3b7f';
const fixture = JSON.parse(readFileSync(new URL('../fixtures/entra/token-issuance-start.request.json', import.meta.url), 'utf8'));

describe('POST /events/token-issuance-start through buildServer', () => {
  let tenant: EmulatedTenant;
  let app: ExtensionServer;
  let claims: CachedClaimsSource;
  let dir: string;
  let logText = '';
  const outcomes: EventOutcome[] = [];
  const verifier = createPasswordVerifier();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-claims-'));
    const db = new Database(join(dir, 'legacy.db'));
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, department TEXT, roles TEXT)');
    db.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run(42, 'casey@contoso.com', 'R&D', JSON.stringify([CANARY_ROLE, 'Editor']));
    db.close();
    claims = cachedClaimsSource(await openSqlClaimsSource({ url: `sqlite://${join(dir, 'legacy.db')}`, query: 'SELECT department, roles FROM users WHERE id = :legacyId' }), { ttlInMs: 300_000, now: Date.now });

    tenant = await createTenant();
    const key = await generateDecryptionKey();
    const { keySource } = tenantSigningKeys(tenant);
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
    const deps: TokenIssuanceStartDeps = {
      tenantId: tenant.tenantId,
      clock: Date.now,
      responseDeadlineInMs: 1500,
      legacyIdOf: async (objectId) => (objectId === OBJECT_ID ? '42' : null),
      claims,
      onLegacyFailure: 'empty',
    };
    app = await buildServer({
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
        responseDeadlineInMs: 1500,
      },
      readiness: [],
      onOutcome: () => undefined,
      tokenIssuanceStart: { deps },
      onEventOutcome: (outcome) => outcomes.push(outcome),
    });
  });

  after(async () => {
    await app?.close();
    await claims?.close();
    await verifier.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = (): any => {
    const copy = structuredClone(fixture);
    copy.data.tenantId = tenant.tenantId;
    copy.data.authenticationContext.correlationId = '00000000-0000-4000-8000-000000000012';
    return copy;
  };
  const post = async (payload: unknown, headers: Record<string, string | undefined> = {}) => {
    const token = await mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() });
    const all = { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers };
    return app.inject({ method: 'POST', url: '/events/token-issuance-start', headers: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<string, string>, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  };

  test('200 with exactly the builder\'s body: the legacy claims and legacyId; one outcome, no claim value in the log', async () => {
    const response = await post(body());
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.deepEqual(response.json(), buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: { department: 'R&D', roles: [CANARY_ROLE, 'Editor'], legacyId: '42' } }));
    const outcome = outcomes.at(-1)!;
    assert.equal(outcome.event, 'OnTokenIssuanceStart');
    assert.equal(outcome.reason, 'claims-from-legacy');
    assert.equal(outcome.objectId, OBJECT_ID);
    assert.ok(!logText.includes(CANARY_ROLE), 'a claim value reached the log');
  });

  test('a second token for the same user is answered from the cache', async () => {
    const before = claims.stats().hits;
    const response = await post(body());
    assert.equal(response.statusCode, 200);
    assert.equal(claims.stats().hits, before + 1);
  });

  test('a user the ledger does not know: claims {}', async () => {
    const unknown = body();
    unknown.data.authenticationContext.user.id = '00000000-1111-2222-3333-444444444444';
    const response = await post(unknown);
    assert.deepEqual(response.json().data.actions[0].claims, {});
  });

  test('401 without a caller token, or with a garbage one; nothing asked', async () => {
    const before = claims.stats();
    for (const authorization of [undefined, 'Bearer not-a-token', 'Basic abc']) {
      const response = await post(body(), { authorization });
      assert.equal(response.statusCode, 401, String(authorization));
      assert.equal(typeof response.json().error.code, 'string');
    }
    assert.deepEqual(claims.stats(), before);
  });

  test('400 for a malformed body: not JSON, another event, another tenant, a missing user', async () => {
    const other = body();
    other.data.tenantId = '00000000-0000-0000-0000-000000000000';
    const noUser = body();
    delete noUser.data.authenticationContext.user;
    for (const payload of ['{"data":', { ...body(), type: 'microsoft.graph.authenticationEvent.passwordSubmit' }, other, noUser, []]) {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload).slice(0, 80));
      assert.ok(response.json().error.code);
    }
  });

  test('413 for an oversized body', async () => {
    const big = body();
    big.data.authenticationContext.user.displayName = 'x'.repeat(70 * 1024);
    const response = await post(big);
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().error.code, 'BODY_TOO_LARGE');
  });

  test('GET probe answers without a token', async () => {
    const response = await app.inject({ method: 'GET', url: '/events/token-issuance-start' });
    assert.deepEqual(response.json(), { status: 'ok', event: 'OnTokenIssuanceStart' });
  });
});
