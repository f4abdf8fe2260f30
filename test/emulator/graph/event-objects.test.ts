import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { claimsMappingDefinitionProblem } from '../../../src/emulator/graph/claims-mapping-routes.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';

const ADMIN = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const CLIENT = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';
const TOKEN_EXTENSION = '#microsoft.graph.onTokenIssuanceStartCustomExtension';
const OTP_EXTENSION = '#microsoft.graph.onOtpSendCustomExtension';
const FALLBACK = '#microsoft.graph.fallbackToMicrosoftProviderOnError';
/** The policy of custom-extension-tokenissuancestart-configuration.md, step 3 (Microsoft Graph tab), shortened. */
const DOC_DEFINITION = '{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"true","ClaimsSchema":[{"Source":"CustomClaimsProvider","ID":"DateOfBirth","JwtClaimType":"dob"},{"Value":"tokenaug_V2","JwtClaimType":"policy_version"}]}}';

const extensionBody = (type: string, extra: Record<string, unknown> = {}) => ({
  '@odata.type': type,
  displayName: type,
  endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: 'https://auth.contoso.example/events/x' },
  authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: 'api://auth.contoso.example/00000000-0000-4000-8000-000000000000' },
  clientConfiguration: { timeoutInMilliseconds: 2000, maximumRetries: 1 },
  ...extra,
});

const listenerBody = (type: string, handlerType: string, extensionId: string, handlerExtra: Record<string, unknown> = {}) => ({
  '@odata.type': type,
  conditions: { applications: { includeAllApplications: false, includeApplications: [{ appId: CLIENT }] } },
  priority: 500,
  handler: { '@odata.type': handlerType, customExtension: { id: extensionId }, ...handlerExtra },
});

async function tokenFor(emulator: RunningEmulator): Promise<string> {
  const response = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN, client_secret: 'admin-secret', scope: 'https://graph.microsoft.com/.default' }) });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('emulated Graph: the token issuance and OTP send objects, claims mapping policies', () => {
  let emulator: RunningEmulator;
  let token: string;
  let directory: string;
  const graph = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
  };

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'graph-events-'));
    emulator = await startEmulator({ port: 0, directoryPath: join(directory, 'tenant.db') });
    emulator.registerClientApp(ADMIN, 'admin-secret');
    token = await tokenFor(emulator);
  });
  after(async () => {
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('an OnTokenIssuanceStart extension: claimsForTokenConfiguration checked; on another type refused', async () => {
    const refused: Array<[string, unknown]> = [
      ['not an array', extensionBody(TOKEN_EXTENSION, { claimsForTokenConfiguration: { claimIdInApiResponse: 'a' } })],
      ['no claim id', extensionBody(TOKEN_EXTENSION, { claimsForTokenConfiguration: [{ claim: 'a' }] })],
      ['empty claim id', extensionBody(TOKEN_EXTENSION, { claimsForTokenConfiguration: [{ claimIdInApiResponse: ' ' }] })],
      ['twice', extensionBody(TOKEN_EXTENSION, { claimsForTokenConfiguration: [{ claimIdInApiResponse: 'roles' }, { claimIdInApiResponse: 'Roles' }] })],
      ['too many', extensionBody(TOKEN_EXTENSION, { claimsForTokenConfiguration: Array.from({ length: 51 }, (_, i) => ({ claimIdInApiResponse: `c${i}` })) })],
      ['on an OTP extension', extensionBody(OTP_EXTENSION, { claimsForTokenConfiguration: [{ claimIdInApiResponse: 'a' }] })],
    ];
    for (const [what, body] of refused) {
      const answer = await graph('POST', '/beta/identity/customAuthenticationExtensions', body);
      assert.equal(answer.status, 400, what);
      assert.equal(answer.body.error.code, 'Request_BadRequest', what);
    }
    const created = await graph('POST', '/beta/identity/customAuthenticationExtensions', extensionBody(TOKEN_EXTENSION, { claimsForTokenConfiguration: [{ claimIdInApiResponse: 'legacyId' }, { claimIdInApiResponse: 'roles' }] }));
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.claimsForTokenConfiguration, [{ claimIdInApiResponse: 'legacyId' }, { claimIdInApiResponse: 'roles' }]);
    // PATCH: the claims may change, the type may not.
    assert.equal((await graph('PATCH', `/beta/identity/customAuthenticationExtensions/${created.body.id}`, { claimsForTokenConfiguration: [{ claimIdInApiResponse: 'legacyId' }] })).status, 204);
    assert.deepEqual(emulator.objects.customExtensions.get(created.body.id)!.claimsForTokenConfiguration, [{ claimIdInApiResponse: 'legacyId' }]);
    assert.equal((await graph('PATCH', `/beta/identity/customAuthenticationExtensions/${created.body.id}`, { '@odata.type': OTP_EXTENSION })).status, 400);
  });

  test("the OTP page's own spelling (#microsoft.graph.OnOtpSendCustomExtension) is accepted and stored canonically", async () => {
    const created = await graph('POST', '/beta/identity/customAuthenticationExtensions', extensionBody('#microsoft.graph.OnOtpSendCustomExtension'));
    assert.equal(created.status, 201);
    assert.equal(created.body['@odata.type'], OTP_EXTENSION);
  });

  test('listeners: each handler names an extension of its own type; behaviorOnError only on OTP, only the fallback', async () => {
    const tokenExtension = (await graph('POST', '/beta/identity/customAuthenticationExtensions', extensionBody(TOKEN_EXTENSION))).body;
    const otpExtension = (await graph('POST', '/beta/identity/customAuthenticationExtensions', extensionBody(OTP_EXTENSION))).body;
    const tokenListener = (id: string, extra = {}) => listenerBody('#microsoft.graph.onTokenIssuanceStartListener', '#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler', id, extra);
    const otpListener = (id: string, extra = {}) => listenerBody('#microsoft.graph.onEmailOtpSendListener', '#microsoft.graph.onOtpSendCustomExtensionHandler', id, extra);
    const refused: Array<[string, unknown, RegExp]> = [
      ['token listener, OTP extension', tokenListener(otpExtension.id), /of type #microsoft.graph.onTokenIssuanceStartCustomExtension/],
      ['OTP listener, token extension', otpListener(tokenExtension.id), /of type #microsoft.graph.onOtpSendCustomExtension/],
      ['unknown extension', otpListener('00000000-0000-4000-8000-000000000000'), /existing custom authentication extension/],
      ['wrong handler type', { ...otpListener(otpExtension.id), handler: { '@odata.type': '#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler', customExtension: { id: otpExtension.id } } }, /handler must be a #microsoft.graph.onOtpSendCustomExtensionHandler/],
      ['fallback on a token listener', tokenListener(tokenExtension.id, { configuration: { behaviorOnError: { '@odata.type': FALLBACK } } }), /onEmailOtpSendListener only/],
      ['another behaviorOnError', otpListener(otpExtension.id, { configuration: { behaviorOnError: { '@odata.type': '#microsoft.graph.somethingElse' } } }), /fallbackToMicrosoftProviderOnError/],
      ['a migration flag on an OTP handler', otpListener(otpExtension.id, { migrationPropertyId: 'extension_00000000000000000000000000000000_x' }), /migrationPropertyId/],
    ];
    for (const [what, body, message] of refused) {
      const answer = await graph('POST', '/beta/identity/authenticationEventListeners', body);
      assert.equal(answer.status, 400, what);
      assert.match(answer.body.error.message, message, what);
    }
    const token = await graph('POST', '/beta/identity/authenticationEventListeners', tokenListener(tokenExtension.id));
    assert.equal(token.status, 201);
    const otp = await graph('POST', '/beta/identity/authenticationEventListeners', otpListener(otpExtension.id));
    assert.equal(otp.status, 201);
    assert.equal(otp.body.handler.configuration, undefined);

    // custom-extension-email-otp-get-started.md, step 7: the fallback is set by a PATCH of the handler alone.
    const path = `/beta/identity/authenticationEventListeners/${otp.body.id}`;
    const step7 = { '@odata.type': '#microsoft.graph.onEmailOtpSendListener', handler: { '@odata.type': '#microsoft.graph.onOtpSendCustomExtensionHandler', configuration: { behaviorOnError: { '@odata.type': FALLBACK } } } };
    assert.equal((await graph('PATCH', path, step7)).status, 204);
    const patched = (await graph('GET', path)).body;
    assert.deepEqual(patched.handler, { '@odata.type': '#microsoft.graph.onOtpSendCustomExtensionHandler', customExtension: { id: otpExtension.id }, configuration: { behaviorOnError: { '@odata.type': FALLBACK } } });
    // A handler PATCH naming an extension of another type is refused, and changes nothing.
    assert.equal((await graph('PATCH', path, { '@odata.type': '#microsoft.graph.onEmailOtpSendListener', handler: { '@odata.type': '#microsoft.graph.onOtpSendCustomExtensionHandler', customExtension: { id: tokenExtension.id } } })).status, 400);
    assert.equal(emulator.objects.listeners.get(otp.body.id)!.handler.customExtension.id, otpExtension.id);
    // behaviorOnError null turns the fallback off.
    assert.equal((await graph('PATCH', path, { ...step7, handler: { ...step7.handler, configuration: { behaviorOnError: null } } })).status, 204);
    assert.equal(emulator.objects.listeners.get(otp.body.id)!.handler.configuration?.behaviorOnError, undefined);
    // The extensions a listener uses are not deleted.
    assert.equal((await graph('DELETE', `/beta/identity/customAuthenticationExtensions/${otpExtension.id}`)).status, 400);
  });

  test('claims mapping policies: definition is one string of valid policy JSON; one policy per service principal', async () => {
    const refused: Array<[string, unknown]> = [
      ['not an array', { displayName: 'p', definition: DOC_DEFINITION }],
      ['two strings', { displayName: 'p', definition: [DOC_DEFINITION, DOC_DEFINITION] }],
      ['not JSON', { displayName: 'p', definition: ['{"ClaimsMappingPolicy":'] }],
      ['no ClaimsMappingPolicy', { displayName: 'p', definition: ['{"Version":1}'] }],
      ['version 2', { displayName: 'p', definition: ['{"ClaimsMappingPolicy":{"Version":2}}'] }],
      ['entry without ID', { displayName: 'p', definition: ['{"ClaimsMappingPolicy":{"Version":1,"ClaimsSchema":[{"Source":"CustomClaimsProvider","JwtClaimType":"x"}]}}'] }],
      ['unknown source', { displayName: 'p', definition: ['{"ClaimsMappingPolicy":{"Version":1,"ClaimsSchema":[{"Source":"elsewhere","ID":"x","JwtClaimType":"x"}]}}'] }],
      ['entry without claim type', { displayName: 'p', definition: ['{"ClaimsMappingPolicy":{"Version":1,"ClaimsSchema":[{"Source":"user","ID":"mail"}]}}'] }],
      ['oversized', { displayName: 'p', definition: [`{"ClaimsMappingPolicy":{"Version":1,"x":"${'a'.repeat(40_000)}"}}`] }],
      ['no name', { definition: [DOC_DEFINITION] }],
      ['unknown property', { displayName: 'p', definition: [DOC_DEFINITION], appliesTo: [] }],
    ];
    // An oversized body may already stop at the emulator's body limit (413).
    for (const [what, body] of refused) assert.ok([400, 413].includes((await graph('POST', '/v1.0/policies/claimsMappingPolicies', body)).status), what);
    const policy = await graph('POST', '/v1.0/policies/claimsMappingPolicies', { displayName: 'MyClaimsMappingPolicy', definition: [DOC_DEFINITION], isOrganizationDefault: false });
    assert.equal(policy.status, 201);
    assert.deepEqual(policy.body.definition, [DOC_DEFINITION]);
    const other = (await graph('POST', '/v1.0/policies/claimsMappingPolicies', { displayName: 'Other', definition: [DOC_DEFINITION] })).body;

    const app = (await graph('POST', '/v1.0/applications', { displayName: 'client' })).body;
    const principal = (await graph('POST', '/v1.0/servicePrincipals', { appId: app.appId })).body;
    const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/${id}` });
    const assign = `/v1.0/servicePrincipals/${principal.id}/claimsMappingPolicies/$ref`;
    assert.equal((await graph('POST', assign, { '@odata.id': 'https://graph.microsoft.com/v1.0/somewhere/else' })).status, 400);
    assert.equal((await graph('POST', assign, ref('00000000-0000-4000-8000-000000000000'))).status, 404);
    assert.equal((await graph('POST', assign, ref(policy.body.id))).status, 204);
    const second = await graph('POST', assign, ref(other.id));
    assert.equal(second.status, 400);
    assert.match(second.body.error.message, /only one can be assigned/);
    assert.deepEqual((await graph('GET', `/v1.0/servicePrincipals/${principal.id}/claimsMappingPolicies`)).body.value.map((entry: { id: string }) => entry.id), [policy.body.id]);
    assert.deepEqual((await graph('GET', `/v1.0/policies/claimsMappingPolicies/${policy.body.id}/appliesTo`)).body.value.map((entry: { id: string }) => entry.id), [principal.id]);
    assert.equal((await graph('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${app.appId}'`)}`)).body.value[0].claimsMappingPolicyIds, undefined, 'not a Graph property');

    // Assigned policies survive a restart of the emulator on the same file.
    await emulator.close();
    emulator = await startEmulator({ port: 0, directoryPath: join(directory, 'tenant.db') });
    token = await tokenFor(emulator);
    assert.deepEqual(emulator.objects.servicePrincipals.get(principal.id)!.claimsMappingPolicyIds, [policy.body.id]);

    assert.equal((await graph('PATCH', `/v1.0/policies/claimsMappingPolicies/${policy.body.id}`, { definition: ['nope'] })).status, 400);
    assert.equal((await graph('PATCH', `/v1.0/policies/claimsMappingPolicies/${policy.body.id}`, { definition: ['{"ClaimsMappingPolicy":{"Version":1}}'] })).status, 204);
    assert.equal((await graph('DELETE', `/v1.0/policies/claimsMappingPolicies/${policy.body.id}`)).status, 400, 'still assigned');
    assert.equal((await graph('DELETE', `/v1.0/servicePrincipals/${principal.id}/claimsMappingPolicies/${policy.body.id}/$ref`)).status, 204);
    assert.equal((await graph('DELETE', `/v1.0/servicePrincipals/${principal.id}/claimsMappingPolicies/${policy.body.id}/$ref`)).status, 404);
    assert.equal((await graph('DELETE', `/v1.0/policies/claimsMappingPolicies/${policy.body.id}`)).status, 204);
    assert.equal((await graph('GET', `/v1.0/policies/claimsMappingPolicies/${policy.body.id}`)).status, 404);
  });

  test('api.acceptMappedClaims: a PATCH of api keeps the properties it does not send; only true, false or null', async () => {
    const app = (await graph('POST', '/v1.0/applications', { displayName: 'mapped' })).body;
    assert.equal((await graph('PATCH', `/v1.0/applications/${app.id}`, { api: { requestedAccessTokenVersion: 2 } })).status, 204);
    assert.equal((await graph('PATCH', `/v1.0/applications/${app.id}`, { api: { acceptMappedClaims: 'yes' } })).status, 400);
    assert.equal((await graph('PATCH', `/v1.0/applications/${app.id}`, { api: { acceptMappedClaims: true } })).status, 204);
    assert.deepEqual((await graph('GET', `/v1.0/applications/${app.id}`)).body.api, { requestedAccessTokenVersion: 2, acceptMappedClaims: true });
  });

  test('claimsMappingDefinitionProblem takes hostile input without throwing', () => {
    for (const hostile of [undefined, null, 1, {}, [null], [1], ['null'], ['[]'], ['{"ClaimsMappingPolicy":null}'], ['{"ClaimsMappingPolicy":{"Version":1,"ClaimsSchema":[null]}}'], ['{"__proto__":{"Version":1}}']]) {
      assert.equal(typeof claimsMappingDefinitionProblem(hostile), 'string', JSON.stringify(hostile));
    }
    assert.match(claimsMappingDefinitionProblem([`{"ClaimsMappingPolicy":{"Version":1,"x":"${'a'.repeat(40_000)}"}}`])!, /longer than/);
    assert.equal(claimsMappingDefinitionProblem([DOC_DEFINITION]), null);
  });
});
