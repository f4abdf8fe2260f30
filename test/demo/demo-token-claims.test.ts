import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadServeConfig } from '../../src/config/index.js';
import { configureDemoTokenIssuance, DEMO_EXTENSION_APP_ID, DEMO_TOKEN_CLAIMS, tokenClaimsServeSettings } from '../../src/demo/index.js';
import { EMULATOR_SIGN_IN_APP } from '../../src/emulator/index.js';
import { resolveEventListener, TOKEN_ISSUANCE_START } from '../../src/emulator/events/index.js';
import { TenantObjects } from '../../src/emulator/tenant-objects.js';
import { mappedProviderClaims } from '../../src/setup/index.js';

const OPTIONS = { extensionBaseUrl: 'http://127.0.0.1:7071', extensionAppId: DEMO_EXTENSION_APP_ID, timeoutInMs: 2000, maximumRetries: 1 } as const;

describe('configureDemoTokenIssuance', () => {
  test('leaves every object Entra checks before calling OnTokenIssuanceStart for the sign-in app', () => {
    const objects = new TenantObjects();
    const issued = configureDemoTokenIssuance(objects, OPTIONS);
    const resolution = resolveEventListener(objects, TOKEN_ISSUANCE_START, EMULATOR_SIGN_IN_APP.appId);
    assert.equal(resolution.kind, 'ready', JSON.stringify(resolution));
    if (resolution.kind !== 'ready') return;
    assert.equal(resolution.endpoint.targetUrl, 'http://127.0.0.1:7071/events/token-issuance-start');
    assert.equal(resolution.endpoint.appId, DEMO_EXTENSION_APP_ID);
    assert.deepEqual(resolution.extension.claimsForTokenConfiguration, DEMO_TOKEN_CLAIMS.map((claim) => ({ claimIdInApiResponse: claim })));
    const principal = objects.servicePrincipalByAppId(EMULATOR_SIGN_IN_APP.appId)!;
    assert.equal(principal.id, EMULATOR_SIGN_IN_APP.id, 'the callout names the same service principal as before');
    assert.deepEqual(principal.claimsMappingPolicyIds, [issued.claimsMappingPolicyId]);
    assert.deepEqual(mappedProviderClaims(objects.claimsMappingPolicies.get(issued.claimsMappingPolicyId)!.definition), [...DEMO_TOKEN_CLAIMS]);
    assert.equal(objects.applicationByAppId(EMULATOR_SIGN_IN_APP.appId)!.api.acceptMappedClaims, true);
  });

  test('a second call changes nothing: the same objects, no duplicates', () => {
    const objects = new TenantObjects();
    const first = configureDemoTokenIssuance(objects, OPTIONS);
    const counts = () => [objects.applications.size, objects.servicePrincipals.size, objects.appRoleAssignments.size, objects.customExtensions.size, objects.listeners.size, objects.claimsMappingPolicies.size];
    const before = counts();
    assert.deepEqual(configureDemoTokenIssuance(objects, OPTIONS), first);
    assert.deepEqual(counts(), before);
  });

  test('an IPv6 or localhost address gives the identifier URI of that host name, without the port', () => {
    for (const [base, host] of [['http://localhost:7071', 'localhost'], ['http://[::1]:7071', '[::1]']] as const) {
      const objects = new TenantObjects();
      configureDemoTokenIssuance(objects, { ...OPTIONS, extensionBaseUrl: base });
      assert.deepEqual(objects.applicationByAppId(DEMO_EXTENSION_APP_ID)!.identifierUris, [`api://${host}/${DEMO_EXTENSION_APP_ID}`]);
      assert.equal(resolveEventListener(objects, TOKEN_ISSUANCE_START, EMULATOR_SIGN_IN_APP.appId).kind, 'ready', base);
    }
  });
});

describe('tokenClaimsServeSettings', () => {
  test('the SQLite store gets a TOKEN_CLAIMS_QUERY serve accepts; the web service and B2C get none', () => {
    const settings = tokenClaimsServeSettings('sqlite');
    assert.match(settings.TOKEN_CLAIMS_QUERY!, /:email/);
    const config = loadServeConfig({
      ENTRA_TENANT_ID: '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21',
      ENTRA_EXTENSION_APP_ID: DEMO_EXTENSION_APP_ID,
      JIT_DECRYPTION_KEY_FILE: './unused.pem',
      LEGACY_DATABASE_URL: 'sqlite://./legacy.db',
      LEGACY_USER_QUERY: 'SELECT id, password_hash FROM legacy_users WHERE email = :username',
      ...settings,
    });
    assert.deepEqual(config.tokenClaims?.source, { kind: 'sql', url: 'sqlite://./legacy.db', query: settings.TOKEN_CLAIMS_QUERY });
    assert.deepEqual(tokenClaimsServeSettings('web-service'), {});
    assert.deepEqual(tokenClaimsServeSettings('b2c'), {});
  });
});
