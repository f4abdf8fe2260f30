import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createLegacyB2cTenant, startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { openRopcAuthority } from '../../../src/legacy/stores/ropc/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { attempt, rejectionOf, settingsFor, shownText } from './fixtures.js';

const CLIENT_ID = '5a1d6e2b-7c3f-4e8a-9b0d-1f2e3c4d5a6b';
const ADA = { name: 'ada@fabrikam.example', objectId: '7d2b1e8f-6a90-4c55-8a9e-2f0a3c1b7d21' };
const GRACE = { name: 'grace@fabrikam.example', objectId: '1c7e9a44-1b2c-4d3e-8f90-a1b2c3d4e5f6' };
const LINUS = { name: 'linus@fabrikam.example', objectId: '2d8f0b55-2c3d-4e4f-9a01-b2c3d4e5f6a7' };
const DISABLED = 'dora.disabled@fabrikam.example';
const LOCKED = 'lou.locked@fabrikam.example';
const LOCKOUT_THRESHOLD = 3;

describe("the emulator's legacy B2C tenant, through the OIDC password-grant store", () => {
  let emulator: RunningEmulator;
  let clock = Date.parse('2025-03-01T09:00:00Z');
  let tokenUrl: string;

  before(async () => {
    emulator = await startEmulator({
      port: 0,
      now: () => clock,
      legacyB2c: {
        tenantName: 'fabrikamb2c',
        clientId: CLIENT_ID,
        lockout: { threshold: LOCKOUT_THRESHOLD, durationInMs: 60_000 },
        users: [
          { signInNames: [ADA.name, 'ada'], objectId: ADA.objectId, password: CANARY_PASSWORDS.correct, displayName: 'Ada Lovelace' },
          // An unsalted SHA-256, as some old systems kept them.
          { signInNames: [GRACE.name], objectId: GRACE.objectId, passwordHash: `sha256:${createHash('sha256').update(CANARY_PASSWORDS.unicode).digest('hex')}` },
          // PHP's $2y$ bcrypt.
          { signInNames: [LINUS.name], objectId: LINUS.objectId, passwordHash: (await bcryptHash(CANARY_PASSWORDS.correct, 4)).replace(/^\$2b\$/, '$2y$') },
          { signInNames: [DISABLED], password: CANARY_PASSWORDS.correct, accountEnabled: false },
          { signInNames: [LOCKED], password: CANARY_PASSWORDS.correct, locked: true },
        ],
      },
    });
    tokenUrl = emulator.legacyB2c!.tokenUrl;
  });
  after(() => emulator.close());

  const check = async (username: string, password: string, settings: Parameters<typeof settingsFor>[1] = {}, url = tokenUrl) => {
    const authority = openRopcAuthority(settingsFor(url, { clientId: CLIENT_ID, ...settings }));
    try {
      return await authority.checkPassword(attempt(password, username), { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 5000 });
    } finally {
      await authority.close();
    }
  };
  /** Posts a form to the emulator's token endpoint directly, to see B2C's own answer. */
  const post = async (form: Record<string, string>, url = tokenUrl) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  const ropcForm = (username: string, password: string) => ({
    username,
    password,
    grant_type: 'password',
    scope: `openid ${CLIENT_ID} offline_access`,
    client_id: CLIENT_ID,
    response_type: 'token id_token',
  });

  test('the serve settings it hands out point at B2C\'s token path', () => {
    assert.equal(tokenUrl, `${emulator.url}/fabrikamb2c.onmicrosoft.com/B2C_1_ROPC_Auth/oauth2/v2.0/token`);
    assert.deepEqual(emulator.legacyB2c!.ropcSettings, { LEGACY_ROPC_TOKEN_URL: tokenUrl, LEGACY_ROPC_CLIENT_ID: CLIENT_ID });
  });

  test('a correct password → correct, with the object id (oid) as the legacy id', async () => {
    assert.deepEqual(await check(ADA.name, CANARY_PASSWORDS.correct), { outcome: 'correct', legacyId: ADA.objectId, mustChangePassword: false });
  });

  test('sign-in names are matched case-blind, and a second name reaches the same account', async () => {
    assert.deepEqual(await check('ADA@Fabrikam.Example', CANARY_PASSWORDS.correct), { outcome: 'correct', legacyId: ADA.objectId, mustChangePassword: false });
    assert.deepEqual(await check('ada', CANARY_PASSWORDS.correct), { outcome: 'correct', legacyId: ADA.objectId, mustChangePassword: false });
  });

  test('seeded sha256 and $2y$ bcrypt hashes verify', async () => {
    assert.equal((await check(GRACE.name, CANARY_PASSWORDS.unicode)).outcome, 'correct');
    assert.equal((await check(GRACE.name, CANARY_PASSWORDS.wrong)).outcome, 'wrong');
    assert.deepEqual(await check(LINUS.name, CANARY_PASSWORDS.correct), { outcome: 'correct', legacyId: LINUS.objectId, mustChangePassword: false });
  });

  test('the tokens are B2C-shaped and signed with the key its metadata publishes', async () => {
    const { status, body } = await post(ropcForm(ADA.name, CANARY_PASSWORDS.correct));
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, '3600');
    const metadata = (await (await fetch(emulator.legacyB2c!.openIdConfigurationUrl)).json()) as Record<string, string>;
    assert.equal(metadata.token_endpoint, tokenUrl);
    const jwks = await (await fetch(metadata.jwks_uri!)).json();
    const { payload } = await jwtVerify(body.id_token!, createLocalJWKSet(jwks as never), { issuer: metadata.issuer, audience: CLIENT_ID, currentDate: new Date(clock) });
    assert.equal(payload.oid, ADA.objectId);
    assert.equal(payload.tfp, 'B2C_1_ROPC_Auth');
  });

  test('a wrong password: B2C answers AADB2C90225 with access_denied → wrong', async () => {
    const { status, body } = await post(ropcForm(ADA.name, CANARY_PASSWORDS.wrong));
    assert.equal(status, 400);
    assert.equal(body.error, 'access_denied');
    assert.match(body.error_description!, /^AADB2C90225: The username or password provided in the request are invalid\.\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: 2025-03-01 09:00:00Z\r\n$/);
    assert.deepEqual(await check(ADA.name, CANARY_PASSWORDS.wrong), { outcome: 'wrong', legacyId: null });
  });

  test('an unknown user: AADB2C90225 with invalid_grant → wrong (B2C does not tell the two apart)', async () => {
    const { body } = await post(ropcForm('nobody@fabrikam.example', CANARY_PASSWORDS.wrong));
    assert.equal(body.error, 'invalid_grant');
    assert.match(body.error_description!, /^AADB2C90225: /);
    assert.deepEqual(await check('nobody@fabrikam.example', CANARY_PASSWORDS.wrong), { outcome: 'wrong', legacyId: null });
  });

  test('a disabled account: AADB2C90111 → blocked, disabled, even with the right password', async () => {
    const { body } = await post(ropcForm(DISABLED, CANARY_PASSWORDS.correct));
    assert.match(body.error_description!, /^AADB2C90111: Your account has been locked\. Contact your support person to unlock it, then try again\.\r\n/);
    assert.deepEqual(await check(DISABLED, CANARY_PASSWORDS.correct), { outcome: 'blocked', legacyId: null, status: 'disabled' });
  });

  test('a locked account: AADB2C90114 → blocked, locked', async () => {
    const { body } = await post(ropcForm(LOCKED, CANARY_PASSWORDS.correct));
    assert.match(body.error_description!, /^AADB2C90114: Your account is temporarily locked to prevent unauthorized use\. Try again later\.\r\n/);
    assert.deepEqual(await check(LOCKED, CANARY_PASSWORDS.correct), { outcome: 'blocked', legacyId: null, status: 'locked' });
  });

  test('smart lockout: after the threshold of wrong passwords the right one is refused until the lock ends', async () => {
    for (let i = 0; i < LOCKOUT_THRESHOLD; i += 1) assert.equal((await check(LINUS.name, CANARY_PASSWORDS.wrong)).outcome, 'wrong');
    assert.deepEqual(await check(LINUS.name, CANARY_PASSWORDS.correct), { outcome: 'blocked', legacyId: null, status: 'locked' });
    clock += 61_000;
    assert.equal((await check(LINUS.name, CANARY_PASSWORDS.correct)).outcome, 'correct');
  });

  describe('misconfiguration is unavailable, with a message naming the setting', () => {
    const misconfigured = async (promise: Promise<unknown>, setting: RegExp) => {
      const error = await rejectionOf(promise);
      assert.equal(error.code, 'LEGACY_STORE_MISCONFIGURED');
      assert.match(error.message, setting);
      assert.ok(!shownText(error).includes(CANARY_PASSWORDS.correct));
      assert.ok(!shownText(error).includes(ADA.name));
    };
    test('an unknown client id (AADB2C90018) names LEGACY_ROPC_CLIENT_ID', async () => {
      await misconfigured(check(ADA.name, CANARY_PASSWORDS.correct, { clientId: '99999999-9999-4999-8999-999999999999' }), /LEGACY_ROPC_CLIENT_ID/);
    });
    test('a client secret sent to a public client (AADB2C90084) names LEGACY_ROPC_CLIENT_SECRET', async () => {
      await misconfigured(check(ADA.name, CANARY_PASSWORDS.correct, { clientSecret: 'not-for-public-clients' }), /unset LEGACY_ROPC_CLIENT_SECRET/);
    });
    test('a policy that does not exist (AADB2C90022) names LEGACY_ROPC_TOKEN_URL', async () => {
      await misconfigured(check(ADA.name, CANARY_PASSWORDS.correct, {}, tokenUrl.replace('B2C_1_ROPC_Auth', 'B2C_1_SignUpSignIn')), /LEGACY_ROPC_TOKEN_URL/);
    });
    test('a scope without a resource for B2C (AADB2C90055) names LEGACY_ROPC_SCOPE', async () => {
      await misconfigured(check(ADA.name, CANARY_PASSWORDS.correct, { scope: 'openid' }), /LEGACY_ROPC_SCOPE/);
    });
  });

  describe("strict like B2C: the endpoint's own answers to a malformed request", () => {
    test('a grant type other than password → unsupported_grant_type AADB2C90086', async () => {
      const { status, body } = await post({ ...ropcForm(ADA.name, CANARY_PASSWORDS.correct), grant_type: 'client_credentials' });
      assert.equal(status, 400);
      assert.equal(body.error, 'unsupported_grant_type');
      assert.match(body.error_description!, /^AADB2C90086: The supplied grant_type \[client_credentials\] is not supported\.\r\n/);
    });
    test('no client_id → AADB2C90008', async () => {
      const { client_id: _dropped, ...form } = ropcForm(ADA.name, CANARY_PASSWORDS.correct);
      const { status, body } = await post(form);
      assert.equal(status, 400);
      assert.match(body.error_description!, /^AADB2C90008: The request does not contain a client ID parameter\.\r\n/);
    });
    test('an unknown client → AADB2C90018 naming the tenant', async () => {
      const { body } = await post({ ...ropcForm(ADA.name, CANARY_PASSWORDS.correct), client_id: 'someone-else' });
      assert.match(body.error_description!, /^AADB2C90018: The client ID 'someone-else' specified in the request is not registered in tenant 'fabrikamb2c\.onmicrosoft\.com'\.\r\n/);
    });
    test('no grant_type, or a JSON body instead of a form → AADB2C90083', async () => {
      const { grant_type: _dropped, ...form } = ropcForm(ADA.name, CANARY_PASSWORDS.correct);
      assert.match((await post(form)).body.error_description!, /^AADB2C90083: The request is missing required parameter: grant_type\./);
      const response = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ropcForm(ADA.name, CANARY_PASSWORDS.correct)) });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as Record<string, string>).error_description!, /^AADB2C90083: /);
    });
    test("a response type B2C does not know → AADB2C90013; id_token without openid → AADB2C90110", async () => {
      assert.match((await post({ ...ropcForm(ADA.name, CANARY_PASSWORDS.correct), response_type: 'code' })).body.error_description!, /^AADB2C90013: /);
      assert.match((await post({ ...ropcForm(ADA.name, CANARY_PASSWORDS.correct), scope: CLIENT_ID })).body.error_description!, /^AADB2C90110: /);
    });
  });

  describe('ping reads the policy\'s OpenID metadata', () => {
    test('the configured policy answers', async () => {
      const authority = openRopcAuthority(settingsFor(tokenUrl, { clientId: CLIENT_ID }));
      try {
        await authority.ping();
      } finally {
        await authority.close();
      }
    });
    test('an unknown policy is a misconfigured LEGACY_ROPC_TOKEN_URL', async () => {
      const authority = openRopcAuthority(settingsFor(tokenUrl.replace('B2C_1_ROPC_Auth', 'B2C_1_Gone'), { clientId: CLIENT_ID }));
      try {
        const error = await rejectionOf(authority.ping());
        assert.equal(error.code, 'LEGACY_STORE_MISCONFIGURED');
        assert.match(error.message, /LEGACY_ROPC_TOKEN_URL/);
      } finally {
        await authority.close();
      }
    });
  });
});

describe('the legacy B2C tenant refuses seeds it cannot serve', () => {
  const refused = async (options: Parameters<typeof createLegacyB2cTenant>[0], code: string, pattern: RegExp) => {
    const error = await rejectionOf(createLegacyB2cTenant(options, Date.now));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    assert.ok(!shownText(error).includes(CANARY_PASSWORDS.correct));
  };
  test('a policy not named B2C_1_… or B2C_1A_…, a tenant name with a dot, a client id that is no GUID', async () => {
    await refused({ policy: 'ROPC_Auth' }, 'EMULATOR_CONFIG_INVALID', /B2C_1_/);
    await refused({ tenantName: 'fabrikam.onmicrosoft.com' }, 'EMULATOR_CONFIG_INVALID', /tenant name/);
    await refused({ clientId: 'my-app' }, 'EMULATOR_CONFIG_INVALID', /GUIDs/);
  });
  test('a user without a sign-in name or a password, an unknown hash format, a sign-in name taken twice (case-blind)', async () => {
    await refused({ users: [{ signInNames: [' '], password: CANARY_PASSWORDS.correct }] }, 'EMULATOR_DIRECTORY_INVALID', /sign-in name/);
    await refused({ users: [{ signInNames: ['ada@example.com'] }] }, 'EMULATOR_DIRECTORY_INVALID', /password or a passwordHash/);
    await refused({ users: [{ signInNames: ['ada@example.com'], passwordHash: `md5:${CANARY_PASSWORDS.correct}` }] }, 'EMULATOR_DIRECTORY_INVALID', /bcrypt/);
    await refused(
      { users: [{ signInNames: ['ada@example.com'], password: CANARY_PASSWORDS.correct }, { signInNames: ['ADA@example.com'], password: CANARY_PASSWORDS.wrong }] },
      'EMULATOR_DIRECTORY_CONFLICT',
      /already taken/,
    );
  });
});
