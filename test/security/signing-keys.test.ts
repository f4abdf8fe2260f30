import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSigningKeySource, openIdConfigurationUrlsFor, SecurityErrorCode } from '../../src/security/index.js';
import { TENANT_ID, fakeTenant } from './support.js';

const unavailable = (error: unknown) => {
  assert.equal((error as { code?: string }).code, SecurityErrorCode.SIGNING_KEYS_UNAVAILABLE, String(error));
  return true;
};

const serving = (documents: Record<string, () => Response>) => {
  let count = 0;
  const fetch = (async (input: string | URL | Request) => {
    count++;
    const make = documents[String(input)];
    return make ? make() : new Response('nope', { status: 404 });
  }) as typeof globalThis.fetch;
  return { fetch, count: () => count };
};

describe('signing key source', () => {
  test('the default metadata URLs are the ciamlogin.com and login.microsoftonline.com documents', () => {
    assert.deepEqual(openIdConfigurationUrlsFor(TENANT_ID), [
      `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
      `https://login.microsoftonline.com/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
    ]);
  });

  test('one failing document of two still makes the source ready', async () => {
    const tenant = await fakeTenant();
    const source = createSigningKeySource({ openIdConfigurationUrls: ['https://down.example/x', tenant.metadataUrl], fetch: tenant.fetch });
    assert.equal(source.isReady(), false);
    await source.refresh();
    assert.equal(source.isReady(), true);
    assert.ok(await source.getKey(tenant.kid));
  });

  test('concurrent refreshes share one fetch per document', async () => {
    const tenant = await fakeTenant();
    const source = createSigningKeySource({ openIdConfigurationUrls: [tenant.metadataUrl], fetch: tenant.fetch });
    await Promise.all([source.refresh(), source.refresh(), source.getKey(tenant.kid), source.getKey(tenant.kid)]);
    assert.equal(tenant.fetchCount(), 2);
  });

  test('http is refused except on loopback hosts', async () => {
    const { fetch, count } = serving({});
    await assert.rejects(createSigningKeySource({ openIdConfigurationUrls: ['http://login.example/.well-known/openid-configuration'], fetch }).refresh(), unavailable);
    assert.equal(count(), 0, 'nothing was requested');
    await assert.rejects(createSigningKeySource({ openIdConfigurationUrls: ['http://127.0.0.1:9/x'], fetch }).refresh(), unavailable);
    assert.equal(count(), 1, 'loopback http was requested');
  });

  test('malformed, oversized and keyless documents leave the source not ready with a clear error', async () => {
    const metadata = 'https://login.example/meta';
    const jwks = 'https://login.example/keys';
    const cases: Array<Record<string, () => Response>> = [
      { [metadata]: () => new Response('{not json') },
      { [metadata]: () => Response.json({ issuer: 'x' }) },
      { [metadata]: () => Response.json({ jwks_uri: jwks }), [jwks]: () => new Response('x'.repeat(300 * 1024)) },
      { [metadata]: () => Response.json({ jwks_uri: jwks }), [jwks]: () => Response.json({ keys: 'none' }) },
      { [metadata]: () => Response.json({ jwks_uri: 'http://evil.example/keys' }) },
      { [metadata]: () => new Response('boom', { status: 500 }) },
    ];
    for (const documents of cases) {
      const { fetch } = serving(documents);
      const source = createSigningKeySource({ openIdConfigurationUrls: [metadata], fetch });
      await assert.rejects(source.refresh(), unavailable);
      assert.equal(source.isReady(), false);
      await assert.rejects(source.getKey('any'), unavailable);
    }
  });

  test('non-RSA, encryption-use, short and unparsable keys are skipped', async () => {
    const tenant = await fakeTenant();
    const metadata = 'https://login.example/meta';
    const jwks = 'https://login.example/keys';
    const good = (await (await tenant.fetch(`https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/discovery/v2.0/keys`)).json()) as { keys: Record<string, unknown>[] };
    const { fetch } = serving({
      [metadata]: () => Response.json({ jwks_uri: jwks }),
      [jwks]: () =>
        Response.json({
          keys: [
            { kty: 'EC', kid: 'ec', crv: 'P-256', x: 'a', y: 'b' },
            { ...good.keys[0], kid: 'enc', use: 'enc' },
            { kty: 'RSA', kid: 'broken', n: '!!', e: 'AQAB' },
            { kty: 'RSA', kid: 'short', n: 'AQAB', e: 'AQAB' },
            good.keys[0],
          ],
        }),
    });
    const source = createSigningKeySource({ openIdConfigurationUrls: [metadata], fetch });
    await source.refresh();
    assert.ok(await source.getKey(tenant.kid));
    for (const kid of ['ec', 'enc', 'broken', 'short']) assert.equal(await source.getKey(kid), undefined, kid);
  });

  test('while the metadata is down, a flood of tokens costs one refresh per cooldown, not one per request', async () => {
    let now = 1_000_000;
    const { fetch, count } = serving({});
    const urls = ['https://a.example/meta', 'https://b.example/meta'];
    const source = createSigningKeySource({ openIdConfigurationUrls: urls, fetch, now: () => now, refreshCooldownInMs: 30_000 });
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => source.getKey('kid-0')));
    for (let i = 0; i < 200; i++) await assert.rejects(source.getKey('kid-0'), unavailable);
    assert.ok(results.every((result) => result.status === 'rejected'));
    assert.equal(count(), urls.length, 'one refresh: one fetch per metadata document');
    await assert.rejects(source.refresh(), unavailable);
    assert.equal(count(), urls.length, 'an explicit refresh (readiness) waits out the cooldown too');
    now += 30_000;
    await Promise.allSettled(Array.from({ length: 50 }, () => source.getKey('kid-0')));
    assert.equal(count(), 2 * urls.length, 'after the cooldown: one more refresh');
  });

  test('keys past their max age keep serving while the metadata is down, refreshed at most once per cooldown', async () => {
    const tenant = await fakeTenant();
    let now = 1_000_000;
    let down = false;
    let fetches = 0;
    const fetch = (async (input: string | URL | Request) => {
      fetches++;
      return down ? new Response('down', { status: 503 }) : tenant.fetch(input);
    }) as typeof globalThis.fetch;
    const source = createSigningKeySource({ openIdConfigurationUrls: [tenant.metadataUrl], fetch, now: () => now, refreshCooldownInMs: 30_000, maxAgeInMs: 3_600_000 });
    assert.ok(await source.getKey(tenant.kid));
    assert.equal(fetches, 2);
    down = true;
    now += 3_600_000;
    for (let i = 0; i < 200; i++) assert.ok(await source.getKey(tenant.kid), 'the cached key still verifies');
    const unknown = await Promise.allSettled(Array.from({ length: 200 }, () => source.getKey('unknown-kid')));
    for (const result of unknown) assert.ok(result.status === 'rejected' && unavailable(result.reason), 'an unknown kid while down: the keys are unavailable');
    assert.equal(fetches, 3, 'one refresh attempt (its metadata fetch failed) for 400 requests');
    now += 30_000;
    for (let i = 0; i < 100; i++) assert.ok(await source.getKey(tenant.kid));
    assert.equal(fetches, 4);
    down = false;
    now += 30_000;
    assert.ok(await source.getKey(tenant.kid));
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(await source.getKey(tenant.kid));
    assert.equal(fetches, 6, 'back up: refreshed, and fresh again');
    for (let i = 0; i < 10; i++) await source.getKey(tenant.kid);
    assert.equal(fetches, 6);
  });
  test("a document that fails a refresh keeps the keys it gave before: a partial outage drops no key (regression)", async () => {
    const tenant = await fakeTenant(2);
    const all = (await (await tenant.fetch(`https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/discovery/v2.0/keys`)).json()) as { keys: Record<string, unknown>[] };
    let now = 1_000_000;
    let bDown = false;
    const { fetch } = serving({
      'https://a.example/meta': () => Response.json({ jwks_uri: 'https://a.example/keys' }),
      'https://a.example/keys': () => Response.json({ keys: [all.keys[0]] }),
      'https://b.example/meta': () => (bDown ? new Response('down', { status: 503 }) : Response.json({ jwks_uri: 'https://b.example/keys' })),
      'https://b.example/keys': () => Response.json({ keys: [all.keys[1]] }),
    });
    const source = createSigningKeySource({ openIdConfigurationUrls: ['https://a.example/meta', 'https://b.example/meta'], fetch, now: () => now, refreshCooldownInMs: 30_000 });
    assert.ok(await source.getKey('kid-0'));
    assert.ok(await source.getKey('kid-1'), 'published by b only');
    bDown = true;
    now += 30_000;
    await source.refresh(); // a succeeds, b fails: the refresh succeeds
    assert.ok(await source.getKey('kid-1'), "b's key is kept while b cannot be fetched");
    bDown = false;
    now += 30_000;
    await source.refresh();
    assert.ok(await source.getKey('kid-1'));
  });
});
