import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { base64url, SignJWT } from 'jose';
import { createCallerTokenVerifier, createSigningKeySource, SecurityErrorCode } from '../../src/security/index.js';
import { APP_ID, NOW, NOW_S, TENANT_ID, fakeTenant, type Tenant } from './support.js';

function verifierFor(tenant: Tenant, now = NOW) {
  const keySource = createSigningKeySource({ openIdConfigurationUrls: [tenant.metadataUrl], fetch: tenant.fetch, now: () => now });
  return createCallerTokenVerifier({ tenantId: TENANT_ID, extensionAppId: APP_ID, keySource, now: () => now });
}

const refusedWith = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  return true;
};

describe('caller token verification', () => {
  test('a token as Entra issues it passes, for every accepted issuer form', async () => {
    const tenant = await fakeTenant();
    const verifier = verifierFor(tenant);
    for (const iss of [
      `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0`,
      `https://contoso.ciamlogin.com/${TENANT_ID}/v2.0`,
      `https://login.microsoftonline.com/${TENANT_ID}/v2.0`,
      `https://sts.windows.net/${TENANT_ID}/`,
    ]) {
      const claims = await verifier.verify(`Bearer ${await tenant.token({ iss })}`);
      assert.equal(claims.issuer, iss);
    }
  });

  test('aud may be the api:// identifier URI of the request\'s host; a v1 token carries appid instead of azp', async () => {
    const tenant = await fakeTenant();
    const verifier = verifierFor(tenant);
    await verifier.verify(`Bearer ${await tenant.token({ aud: `api://auth.contoso.example/${APP_ID}` })}`, { requestHost: 'auth.contoso.example' });
    await verifier.verify(`bearer ${await tenant.token({ azp: undefined, appid: '99045fe1-7639-4a75-9d4a-577b6ca3810f', ver: '1.0' })}`);
  });

  test('wrong issuer, audience, caller and tenant are each refused with their own code', async () => {
    const tenant = await fakeTenant();
    const verifier = verifierFor(tenant);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ iss: `https://evil.example/${TENANT_ID}/v2.0` }, SecurityErrorCode.TOKEN_ISSUER_INVALID],
      [{ iss: `https://${TENANT_ID}.ciamlogin.com/00000000-0000-4000-8000-000000000000/v2.0` }, SecurityErrorCode.TOKEN_ISSUER_INVALID],
      [{ iss: `https://a.b.ciamlogin.com/${TENANT_ID}/v2.0` }, SecurityErrorCode.TOKEN_ISSUER_INVALID],
      [{ aud: '00000000-0000-4000-8000-000000000000' }, SecurityErrorCode.TOKEN_AUDIENCE_INVALID],
      [{ aud: `api://host/${APP_ID}/extra` }, SecurityErrorCode.TOKEN_AUDIENCE_INVALID],
      [{ azp: '00000000-0000-4000-8000-000000000000' }, SecurityErrorCode.TOKEN_CALLER_INVALID],
      [{ azp: undefined }, SecurityErrorCode.TOKEN_CALLER_INVALID],
      [{ tid: '00000000-0000-4000-8000-000000000000' }, SecurityErrorCode.TOKEN_TENANT_INVALID],
      [{ exp: undefined }, SecurityErrorCode.TOKEN_MALFORMED],
    ];
    for (const [claims, code] of cases) {
      await assert.rejects(verifier.verify(`Bearer ${await tenant.token(claims)}`), refusedWith(code), JSON.stringify(claims));
    }
  });

  test('aud is exact: the identifier URI of another host, a suffix match, another scheme or app id are refused', async () => {
    const tenant = await fakeTenant();
    const keySource = createSigningKeySource({ openIdConfigurationUrls: [tenant.metadataUrl], fetch: tenant.fetch, now: () => NOW });
    const byHost = createCallerTokenVerifier({ tenantId: TENANT_ID, extensionAppId: APP_ID, keySource, now: () => NOW });
    const byResourceId = createCallerTokenVerifier({ tenantId: TENANT_ID, extensionAppId: APP_ID, extensionResourceId: `api://auth.contoso.example/${APP_ID}`, keySource, now: () => NOW });
    const forged = [
      `api://evil.example/${APP_ID}`,
      `https://evil.example/${APP_ID}`,
      `https://auth.contoso.example/${APP_ID}`,
      `api://auth.contoso.example/00000000-0000-4000-8000-000000000000`,
      `api://auth.contoso.example.evil.example/${APP_ID}`,
      `API://EVIL.EXAMPLE/${APP_ID.toUpperCase()}`,
    ];
    for (const aud of forged) {
      const token = `Bearer ${await tenant.token({ aud })}`;
      await assert.rejects(byHost.verify(token, { requestHost: 'auth.contoso.example' }), refusedWith(SecurityErrorCode.TOKEN_AUDIENCE_INVALID), aud);
      await assert.rejects(byResourceId.verify(token, { requestHost: 'evil.example' }), refusedWith(SecurityErrorCode.TOKEN_AUDIENCE_INVALID), aud);
    }
    const identifierUri = `Bearer ${await tenant.token({ aud: `api://auth.contoso.example/${APP_ID}` })}`;
    await assert.rejects(byHost.verify(identifierUri), refusedWith(SecurityErrorCode.TOKEN_AUDIENCE_INVALID), 'no Host: only the app id');
    await assert.rejects(byHost.verify(identifierUri, { requestHost: 'evil.example' }), refusedWith(SecurityErrorCode.TOKEN_AUDIENCE_INVALID));
    assert.equal((await byResourceId.verify(identifierUri, { requestHost: 'evil.example' })).audience, `api://auth.contoso.example/${APP_ID}`);
    assert.equal((await byHost.verify(`Bearer ${await tenant.token({ aud: APP_ID.toUpperCase() })}`)).audience, APP_ID.toUpperCase());
  });

  test('exp and nbf are honoured with at most 5 minutes of skew', async () => {
    const tenant = await fakeTenant();
    const verifier = verifierFor(tenant);
    await verifier.verify(`Bearer ${await tenant.token({ exp: NOW_S - 299 })}`);
    await assert.rejects(verifier.verify(`Bearer ${await tenant.token({ exp: NOW_S - 301 })}`), refusedWith(SecurityErrorCode.TOKEN_EXPIRED));
    await verifier.verify(`Bearer ${await tenant.token({ nbf: NOW_S + 299 })}`);
    await assert.rejects(verifier.verify(`Bearer ${await tenant.token({ nbf: NOW_S + 301 })}`), refusedWith(SecurityErrorCode.TOKEN_NOT_YET_VALID));
    assert.throws(() => createCallerTokenVerifier({ tenantId: TENANT_ID, extensionAppId: APP_ID, keySource: { getKey: async () => undefined, refresh: async () => {}, isReady: () => true }, clockSkewInSeconds: 301 }), RangeError);
  });

  test('alg none and HS256 (signed with the public key as the secret) are refused before any key lookup', async () => {
    const tenant = await fakeTenant();
    const verifier = verifierFor(tenant);
    const payload = base64url.encode(JSON.stringify({ iss: `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0`, aud: APP_ID, azp: '99045fe1-7639-4a75-9d4a-577b6ca3810f', exp: NOW_S + 60 }));
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid: tenant.kid }))}.${payload}.`;
    await assert.rejects(verifier.verify(`Bearer ${none}`), refusedWith(SecurityErrorCode.TOKEN_ALGORITHM_REFUSED));

    const { createPublicKey } = await import('node:crypto');
    const publicPem = createPublicKey(tenant.privateKey).export({ type: 'spki', format: 'pem' });
    const hs256 = await new SignJWT({ azp: '99045fe1-7639-4a75-9d4a-577b6ca3810f' })
      .setProtectedHeader({ alg: 'HS256', kid: tenant.kid })
      .setIssuer(`https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0`)
      .setAudience(APP_ID)
      .setExpirationTime(NOW_S + 60)
      .sign(new TextEncoder().encode(String(publicPem)));
    await assert.rejects(verifier.verify(`Bearer ${hs256}`), refusedWith(SecurityErrorCode.TOKEN_ALGORITHM_REFUSED));
    assert.equal(tenant.fetchCount(), 0, 'no key was fetched for a refused algorithm');
  });

  test('a known kid with a signature by another key is TOKEN_SIGNATURE_INVALID', async () => {
    const tenant = await fakeTenant();
    const verifier = verifierFor(tenant);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await new SignJWT({ azp: '99045fe1-7639-4a75-9d4a-577b6ca3810f' })
      .setProtectedHeader({ alg: 'RS256', kid: tenant.kid })
      .setIssuer(`https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0`)
      .setAudience(APP_ID)
      .setExpirationTime(NOW_S + 60)
      .sign(other);
    await assert.rejects(verifier.verify(`Bearer ${forged}`), refusedWith(SecurityErrorCode.TOKEN_SIGNATURE_INVALID));
    const token = await tenant.token();
    const [h, p] = token.split('.');
    await assert.rejects(verifier.verify(`Bearer ${h}.${p}.${'A'.repeat(342)}`), refusedWith(SecurityErrorCode.TOKEN_SIGNATURE_INVALID));
  });

  test('an unknown kid refreshes the key set once, then waits out the cooldown', async () => {
    const tenant = await fakeTenant();
    let now = NOW;
    const keySource = createSigningKeySource({ openIdConfigurationUrls: [tenant.metadataUrl], fetch: tenant.fetch, now: () => now, refreshCooldownInMs: 30_000 });
    const verifier = createCallerTokenVerifier({ tenantId: TENANT_ID, extensionAppId: APP_ID, keySource, now: () => now });
    await verifier.verify(`Bearer ${await tenant.token()}`);
    assert.equal(tenant.fetchCount(), 2, 'metadata + key set');
    const unknown = await tenant.token({}, { kid: 'rotated-away' });
    await assert.rejects(verifier.verify(`Bearer ${unknown}`), refusedWith(SecurityErrorCode.TOKEN_KEY_UNKNOWN));
    assert.equal(tenant.fetchCount(), 2, 'within the cooldown of the first fetch: no refetch');
    now += 30_000;
    for (let i = 0; i < 20; i++) await assert.rejects(verifier.verify(`Bearer ${unknown}`), refusedWith(SecurityErrorCode.TOKEN_KEY_UNKNOWN));
    assert.equal(tenant.fetchCount(), 4, 'twenty unknown kids after the cooldown: one refresh');
  });

  test('a token verified once is remembered, but every later call still checks its expiry, its key and the audience', async () => {
    const tenant = await fakeTenant();
    let now = NOW;
    const { createPublicKey } = await import('node:crypto');
    let key: ReturnType<typeof createPublicKey> | undefined = createPublicKey(tenant.privateKey);
    let lookups = 0;
    const keySource = { getKey: async () => (lookups++, key), refresh: async () => {}, isReady: () => true };
    const verifier = createCallerTokenVerifier({ tenantId: TENANT_ID, extensionAppId: APP_ID, keySource, now: () => now });

    const token = `Bearer ${await tenant.token({ aud: `api://auth.contoso.example/${APP_ID}`, exp: NOW_S + 600 })}`;
    const host = { requestHost: 'auth.contoso.example' };
    assert.equal((await verifier.verify(token, host)).audience, `api://auth.contoso.example/${APP_ID}`);
    assert.equal((await verifier.verify(token, host)).audience, `api://auth.contoso.example/${APP_ID}`, 'the remembered token passes');
    await assert.rejects(verifier.verify(token, { requestHost: 'evil.example' }), refusedWith(SecurityErrorCode.TOKEN_AUDIENCE_INVALID), 'the audience is checked against each request');
    assert.equal(lookups, 3, 'the key set is asked on every call');

    key = createPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    await assert.rejects(verifier.verify(token, host), refusedWith(SecurityErrorCode.TOKEN_SIGNATURE_INVALID), 'a kid now bound to another key: verified again, and refused');
    key = undefined;
    await assert.rejects(verifier.verify(token, host), refusedWith(SecurityErrorCode.TOKEN_KEY_UNKNOWN), 'a key gone from the key set: refused');
    key = createPublicKey(tenant.privateKey);
    await verifier.verify(token, host);
    now = (NOW_S + 600 + 299) * 1000;
    await verifier.verify(token, host);
    now = (NOW_S + 600 + 300) * 1000;
    await assert.rejects(verifier.verify(token, host), refusedWith(SecurityErrorCode.TOKEN_EXPIRED), 'remembered tokens expire as any other, with the same skew');
  });

  test('a missing, malformed or huge Authorization header is refused', async () => {
    const tenant = await fakeTenant();
    const verifier = verifierFor(tenant);
    await assert.rejects(verifier.verify(undefined), refusedWith(SecurityErrorCode.TOKEN_MISSING));
    await assert.rejects(verifier.verify(''), refusedWith(SecurityErrorCode.TOKEN_MISSING));
    const token = await tenant.token();
    for (const header of [token, `Basic ${token}`, `Bearer`, `Bearer ${token} extra`, 'Bearer a.b', 'Bearer !!.!!.!!', `Bearer ${'a'.repeat(20_000)}.b.c`]) {
      await assert.rejects(verifier.verify(header), refusedWith(SecurityErrorCode.TOKEN_MALFORMED), header.slice(0, 30));
    }
    const noKid = await tenant.token({}, { kid: undefined });
    await assert.rejects(verifier.verify(`Bearer ${noKid}`), refusedWith(SecurityErrorCode.TOKEN_MALFORMED));
  });

  test('refusals never quote the token', async () => {
    const tenant = await fakeTenant();
    const verifier = verifierFor(tenant);
    const token = await tenant.token({ aud: 'someone-else' });
    await assert.rejects(verifier.verify(`Bearer ${token}`), (error: Error & { publicMessage?: string }) => {
      const signature = token.split('.')[2]!;
      assert.ok(!error.message.includes(signature) && !String(error.publicMessage).includes(signature));
      assert.ok(!error.message.includes(token.split('.')[1]!));
      return true;
    });
  });
});
