import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appCredential, createGraphClient, type GraphClient } from '../../src/graph/index.js';
import { generateDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { claimsMappingDefinition, mappedProviderClaims } from '../../src/setup/claims-mapping-step.js';
import { eventTargetUrl, parseSetupEvents } from '../../src/setup/events.js';
import { removeSetup, runSetup, SetupErrorCode, type SetupOptions } from '../../src/setup/index.js';
import { signUpFlow } from './sign-up-flow-body.js';

const ADMIN = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const TARGET = 'https://auth.contoso.example/events/password-submit';
const FALLBACK = '#microsoft.graph.fallbackToMicrosoftProviderOnError';

describe('setup --events against the emulated Graph', () => {
  let emulator: RunningEmulator;
  let graph: GraphClient;
  let key: GeneratedDecryptionKey;
  let client: { appId: string; id: string };
  let flowId: string;
  const options = (extra: Partial<SetupOptions> = {}): SetupOptions => ({
    graph,
    dryRun: false,
    targetUrl: TARGET,
    certificateDer: key.certificateDer,
    extensionAppName: 'JIT extension',
    clientAppIds: [client.appId],
    flagName: 'toBeMigrated',
    timeoutInMs: 2000,
    maximumRetries: 1,
    events: ['password-submit', 'attribute-collection', 'token-issuance-start', 'otp-send'],
    claims: ['legacyId', 'roles'],
    ...extra,
  });
  const objectCount = () => [emulator.objects.customExtensions.size, emulator.objects.listeners.size, emulator.objects.claimsMappingPolicies.size, emulator.objects.extensionProperties.size, emulator.objects.applications.size];

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN, 'admin-secret');
    graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN, clientSecret: 'admin-secret' }).credential });
    key = await generateDecryptionKey({ subject: 'CN=events' });
    const application = emulator.objects.addApplication('Contoso web');
    client = { appId: application.appId, id: application.id };
    emulator.objects.addServicePrincipal(application.appId, application.displayName);
    flowId = (await graph.call<{ id: string }>('POST', '/v1.0/identity/authenticationEventsFlows', signUpFlow('Sign up', application.appId))).id;
  });
  after(() => emulator.close());

  test('refusals come before any write: no claims, bad claim names, claims without the event, an unregistered client app', async () => {
    const before = objectCount();
    await assert.rejects(runSetup(options({ claims: [] })), { code: SetupErrorCode.OPTION_INVALID });
    await assert.rejects(runSetup(options({ claims: ['legacy id'] })), (error: Error & { code?: string }) => error.code === SetupErrorCode.OPTION_INVALID && /not a claim name/.test(error.message));
    await assert.rejects(runSetup(options({ events: ['otp-send'] })), (error: Error & { code?: string }) => /add it to --events/.test(error.message));
    await assert.rejects(runSetup(options({ events: ['token-issuance-start'], clientAppIds: ['00000000-0000-4000-8000-0000000000c1'] })), (error: Error & { code?: string }) => error.code === SetupErrorCode.OPTION_INVALID && /No app registration/.test(error.message));
    await assert.rejects(runSetup(options({ events: ['attribute-collection'], claims: [], flowId: '00000000-0000-4000-8000-0000000000f1' })), { code: SetupErrorCode.SIGN_UP_FLOW_NOT_FOUND });
    assert.deepEqual(objectCount(), before, 'nothing was written');
  });

  test('a dry run lists every write for the four events and changes nothing', async () => {
    const before = objectCount();
    const result = await runSetup(options({ dryRun: true }));
    assert.deepEqual(objectCount(), before);
    const names = result.steps.map((step) => `${step.status} ${step.name}`);
    assert.deepEqual(names, [
      'would create extension property',
      'would create app registration',
      'would create custom extension',
      'would create listener',
      'would create custom extension (OnAttributeCollectionStart)',
      'would create custom extension (OnAttributeCollectionSubmit)',
      'would update sign-up flow handlers',
      'would create custom extension (OnTokenIssuanceStart)',
      'would create listener (OnTokenIssuanceStart)',
      'would create custom extension (OnOtpSend)',
      'would create listener (OnOtpSend)',
      'would create claims mapping',
    ]);
    const claims = result.steps.find((step) => step.name === 'claims mapping')!;
    assert.deepEqual(claims.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f-]{36}/g, '{id}')}`), [
      'POST /v1.0/policies/claimsMappingPolicies',
      'PATCH /v1.0/applications/{id}',
      'POST /v1.0/servicePrincipals/{id}/claimsMappingPolicies/$ref',
    ]);
  });

  test('all four events: one app registration, each extension on its route, listeners, flow handlers, claims mapping; a second run changes nothing', async () => {
    const result = await runSetup(options());
    assert.ok(result.steps.every((step) => ['created', 'updated'].includes(step.status)), result.steps.map((step) => `${step.status} ${step.name}`).join('; '));
    const byRoute = new Map(result.extensions.map((entry) => [entry.route, entry]));
    assert.deepEqual([...byRoute.keys()], ['attribute-collection-start', 'attribute-collection-submit', 'token-issuance-start', 'otp-send']);
    for (const [route, entry] of byRoute) {
      const extension = emulator.objects.customExtensions.get(entry.customExtensionId)!;
      assert.equal(extension.endpointConfiguration.targetUrl, `https://auth.contoso.example/events/${route}`);
      assert.equal(extension.authenticationConfiguration.resourceId, result.resourceId, 'the same resource id for every event');
    }
    assert.equal(emulator.objects.customExtensions.get(result.customExtensionId)!.endpointConfiguration.targetUrl, TARGET);
    assert.deepEqual(emulator.objects.customExtensions.get(byRoute.get('token-issuance-start')!.customExtensionId)!.claimsForTokenConfiguration, [{ claimIdInApiResponse: 'legacyId' }, { claimIdInApiResponse: 'roles' }]);

    const listeners = [...emulator.objects.listeners.values()];
    const token = listeners.find((listener) => listener['@odata.type'] === '#microsoft.graph.onTokenIssuanceStartListener')!;
    assert.equal(token.handler.customExtension.id, byRoute.get('token-issuance-start')!.customExtensionId);
    assert.deepEqual(token.conditions.applications.includeApplications, [{ appId: client.appId }]);
    const otp = listeners.find((listener) => listener['@odata.type'] === '#microsoft.graph.onEmailOtpSendListener')!;
    assert.equal(otp.handler.configuration?.behaviorOnError?.['@odata.type'], FALLBACK, 'the fallback is on by default');

    const flow = emulator.objects.userFlows.get(flowId)!;
    assert.equal(flow.onAttributeCollectionStart?.customExtension.id, byRoute.get('attribute-collection-start')!.customExtensionId);
    assert.equal(flow.onAttributeCollectionSubmit?.customExtension.id, byRoute.get('attribute-collection-submit')!.customExtensionId);

    const principal = emulator.objects.servicePrincipalByAppId(client.appId)!;
    const policy = emulator.objects.claimsMappingPolicies.get(principal.claimsMappingPolicyIds![0]!)!;
    assert.equal(policy.displayName, 'JIT extension claims');
    assert.deepEqual(JSON.parse(policy.definition[0]!), { ClaimsMappingPolicy: { Version: 1, IncludeBasicClaimSet: 'true', ClaimsSchema: [{ Source: 'CustomClaimsProvider', ID: 'legacyId', JwtClaimType: 'legacyId' }, { Source: 'CustomClaimsProvider', ID: 'roles', JwtClaimType: 'legacy_roles' }] } });
    // roles is in the JWT restricted claim set: no policy can emit it under its own name.
    assert.equal(emulator.objects.applications.get(client.id)!.api.acceptMappedClaims, true);

    const again = await runSetup(options());
    assert.deepEqual(again.steps.filter((step) => step.status !== 'in place').map((step) => step.name), []);
    assert.deepEqual(again.steps.flatMap((step) => step.requests), []);
  });

  test('--no-otp-fallback PATCHes the handler as the OTP page does; other claims update the extension and the policy', async () => {
    const off = await runSetup(options({ otpFallback: false, claims: ['legacyId'] }));
    const otpStep = off.steps.find((step) => step.name === 'listener (OnOtpSend)')!;
    assert.equal(otpStep.status, 'updated');
    assert.deepEqual(otpStep.requests.map((request) => [request.method, request.body]), [
      ['PATCH', { '@odata.type': '#microsoft.graph.onEmailOtpSendListener', handler: { '@odata.type': '#microsoft.graph.onOtpSendCustomExtensionHandler', configuration: { behaviorOnError: null } } }],
    ]);
    const otp = [...emulator.objects.listeners.values()].find((listener) => listener['@odata.type'] === '#microsoft.graph.onEmailOtpSendListener')!;
    assert.equal(otp.handler.configuration?.behaviorOnError, undefined);
    assert.equal(off.steps.find((step) => step.name === 'custom extension (OnTokenIssuanceStart)')!.status, 'updated');
    const claimsStep = off.steps.find((step) => step.name === 'claims mapping')!;
    assert.deepEqual(claimsStep.requests.map((request) => request.method), ['PATCH']);
    const principal = emulator.objects.servicePrincipalByAppId(client.appId)!;
    assert.deepEqual(mappedProviderClaims(emulator.objects.claimsMappingPolicies.get(principal.claimsMappingPolicyIds![0]!)!.definition), ['legacyId']);
    const back = await runSetup(options());
    assert.equal(back.steps.find((step) => step.name === 'listener (OnOtpSend)')!.status, 'updated');
    assert.equal((await runSetup(options())).steps.every((step) => step.status === 'in place'), true);
  });

  test("a client app whose service principal holds someone else's policy without the claims stops setup, naming the entries to add", async () => {
    const other = emulator.objects.addApplication('Other app');
    const principal = emulator.objects.addServicePrincipal(other.appId, other.displayName);
    emulator.objects.claimsMappingPolicies.set('p-1', { id: 'p-1', displayName: 'Theirs', definition: ['{"ClaimsMappingPolicy":{"Version":1}}'], isOrganizationDefault: false });
    emulator.objects.servicePrincipals.set(principal.id, { ...principal, claimsMappingPolicyIds: ['p-1'] });
    const before = objectCount();
    await assert.rejects(runSetup(options({ clientAppIds: [client.appId, other.appId] })), (error: Error & { code?: string }) => error.code === SetupErrorCode.OPTION_INVALID && /"Theirs".*"ID":"legacyId"/.test(error.message));
    assert.deepEqual(objectCount(), before);
    // Once their policy maps the claims, it is used as it is.
    emulator.objects.claimsMappingPolicies.set('p-1', { id: 'p-1', displayName: 'Theirs', definition: [claimsMappingDefinition(['legacyId', 'roles'])], isOrganizationDefault: false });
    const result = await runSetup(options({ clientAppIds: [client.appId, other.appId] }));
    const claimsStep = result.steps.find((step) => step.name === 'claims mapping')!;
    assert.deepEqual(claimsStep.requests.map((request) => `${request.method} ${request.path.replace(other.id, '{other}')}`), ['PATCH /v1.0/applications/{other}']);
    assert.deepEqual(emulator.objects.servicePrincipals.get(principal.id)!.claimsMappingPolicyIds, ['p-1']);
  });

  test('--remove for named events takes away their listeners, flow handlers and claims mapping; password-submit stays', async () => {
    const events = ['attribute-collection', 'token-issuance-start', 'otp-send'] as const;
    const dry = await removeSetup({ graph, dryRun: true, targetUrl: TARGET, removeExtension: true, events, extensionAppName: 'JIT extension' });
    assert.ok(dry.every((step) => step.status === 'would remove'), dry.map((step) => `${step.status} ${step.name}`).join('; '));
    const policies = emulator.objects.claimsMappingPolicies.size;
    const removed = await removeSetup({ graph, dryRun: false, targetUrl: TARGET, removeExtension: true, events, extensionAppName: 'JIT extension' });
    assert.deepEqual(removed.map((step) => `${step.status} ${step.name}`), [
      'removed sign-up flow handlers',
      'removed custom extension (OnAttributeCollectionStart, OnAttributeCollectionSubmit)',
      'removed custom extension (OnAttributeCollectionStart, OnAttributeCollectionSubmit)',
      'removed listener (OnTokenIssuanceStart)',
      'removed claims mapping',
      'removed custom extension (OnTokenIssuanceStart)',
      'removed listener (OnOtpSend)',
      'removed custom extension (OnOtpSend)',
    ]);
    assert.equal(emulator.objects.claimsMappingPolicies.size, policies - 1);
    assert.equal(emulator.objects.userFlows.get(flowId)!.onAttributeCollectionStart, null);
    assert.deepEqual([...emulator.objects.listeners.values()].map((listener) => listener['@odata.type']), ['#microsoft.graph.onPasswordSubmitListener']);
    assert.equal(emulator.objects.customExtensions.size, 1);
    const again = await removeSetup({ graph, dryRun: false, targetUrl: TARGET, removeExtension: true, events, extensionAppName: 'JIT extension' });
    assert.ok(again.every((step) => step.status === 'absent'));
  });
});

describe('event target URLs and the --events list', () => {
  test('each event on the target origin at /events/<route>, keeping a path prefix; password-submit keeps --target-url', () => {
    assert.equal(eventTargetUrl('https://auth.contoso.com/events/password-submit', 'otp-send'), 'https://auth.contoso.com/events/otp-send');
    assert.equal(eventTargetUrl('https://auth.contoso.com/events/otp-send', 'otp-send'), 'https://auth.contoso.com/events/otp-send');
    assert.equal(eventTargetUrl('https://auth.contoso.com/jit/events/password-submit?x=1', 'token-issuance-start'), 'https://auth.contoso.com/jit/events/token-issuance-start');
    assert.equal(eventTargetUrl('https://auth.contoso.com:8443/api/migrate', 'otp-send'), 'https://auth.contoso.com:8443/events/otp-send');
    assert.equal(eventTargetUrl('https://auth.contoso.com/api/migrate', 'password-submit'), 'https://auth.contoso.com/api/migrate');
  });

  test('parseSetupEvents: known names once each; anything else refused with the known list', () => {
    assert.deepEqual(parseSetupEvents('otp-send, Token-Issuance-Start,otp-send'), ['otp-send', 'token-issuance-start']);
    for (const bad of ['', ',', 'password', 'otp-send,__proto__', 'x'.repeat(500), 'otp-send;rm -rf']) assert.equal(typeof parseSetupEvents(bad), 'string', bad);
  });

  test('mappedProviderClaims reads only CustomClaimsProvider entries, and takes any definition without throwing', () => {
    assert.deepEqual(mappedProviderClaims([claimsMappingDefinition(['legacyId', 'roles'])]), ['legacyId', 'roles']);
    assert.deepEqual(mappedProviderClaims(['{"ClaimsMappingPolicy":{"Version":1,"ClaimsSchema":[{"Source":"user","ID":"mail","JwtClaimType":"mail"},{"Source":"customclaimsprovider","ID":"x","JwtClaimType":"y"}]}}']), ['x']);
    for (const hostile of [undefined, [], [''], ['null'], ['{"ClaimsMappingPolicy":{"ClaimsSchema":{"length":5}}}'], ['{"ClaimsMappingPolicy":{"ClaimsSchema":[null,1,"a"]}}'], [`${'['.repeat(10_000)}`]]) {
      assert.deepEqual(mappedProviderClaims(hostile), [], JSON.stringify(hostile)?.slice(0, 40));
    }
  });
});
