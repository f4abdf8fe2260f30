import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { MICROSOFT_GRAPH_APP_ID, RECEIVE_PAYLOAD_ROLE_ID } from '../../src/graph/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { claimsAnswer, otpAnswer, startEventStub, type EventStub } from '../emulator/event-stub.js';

const ADMIN = '7c3e1b2a-9d4f-4e6a-8b0c-2d3e4f5a6b7c';

/**
 * The tenant configured the way an administrator (or `setup`) does it, through the emulated Graph — a custom claims
 * provider, a claims mapping policy on a web app that accepts mapped claims, an e-mail OTP provider with Microsoft
 * fallback — then a person using the pages: sign-in shows the mapped claims, sign-up's code goes to the provider.
 */
describe('end to end: custom claims and e-mail codes, configured through Graph, seen on the pages', () => {
  let emulator: RunningEmulator;
  let stub: EventStub;
  let token: string;
  let webAppId: string;

  const graph = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : null) as Record<string, any>;
    assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${text}`);
    return parsed;
  };
  const form = async (path: string, fields: Record<string, string>) =>
    (await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() })).text();
  /** An extension app registration `api://127.0.0.1/{appId}`, its service principal granted Receive.Payload. */
  const extensionApp = async (name: string) => {
    const app = await graph('POST', '/v1.0/applications', { displayName: name });
    const resourceId = `api://127.0.0.1/${app.appId}`;
    await graph('PATCH', `/v1.0/applications/${app.id}`, { identifierUris: [resourceId] });
    const principal = await graph('POST', '/v1.0/servicePrincipals', { appId: app.appId });
    const graphPrincipal = (await graph('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${MICROSOFT_GRAPH_APP_ID}'`)}`)).value[0];
    await graph('POST', `/v1.0/servicePrincipals/${principal.id}/appRoleAssignments`, { principalId: principal.id, resourceId: graphPrincipal.id, appRoleId: RECEIVE_PAYLOAD_ROLE_ID });
    return resourceId;
  };

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    stub = await startEventStub();
    emulator.registerClientApp(ADMIN, 'admin-secret');
    const response = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN, client_secret: 'admin-secret', scope: 'https://graph.microsoft.com/.default' }) });
    token = ((await response.json()) as { access_token: string }).access_token;

    // The web app: accepts mapped claims, its service principal holds the policy mapping DateOfBirth to dob.
    const web = await graph('POST', '/v1.0/applications', { displayName: 'contoso web' });
    webAppId = web.appId;
    await graph('PATCH', `/v1.0/applications/${web.id}`, { api: { acceptMappedClaims: true } });
    const webPrincipal = await graph('POST', '/v1.0/servicePrincipals', { appId: web.appId });
    const policy = await graph('POST', '/v1.0/policies/claimsMappingPolicies', {
      displayName: 'custom claims provider',
      definition: [JSON.stringify({ ClaimsMappingPolicy: { Version: 1, IncludeBasicClaimSet: 'true', ClaimsSchema: [{ Source: 'CustomClaimsProvider', ID: 'DateOfBirth', JwtClaimType: 'dob' }] } })],
    });
    await graph('POST', `/v1.0/servicePrincipals/${webPrincipal.id}/claimsMappingPolicies/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/${policy.id}` });

    // The custom claims provider, for the web app only.
    stub.answers.set('/claims', { kind: 'json', body: claimsAnswer({ DateOfBirth: '1906-12-09', Unmapped: 'unmapped-canary' }) });
    const claims = await graph('POST', '/v1.0/identity/customAuthenticationExtensions', {
      '@odata.type': '#microsoft.graph.onTokenIssuanceStartCustomExtension',
      displayName: 'claims provider',
      endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: `${stub.url}/claims` },
      authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: await extensionApp('claims API') },
      claimsForTokenConfiguration: [{ claimIdInApiResponse: 'DateOfBirth' }, { claimIdInApiResponse: 'Unmapped' }],
    });
    await graph('POST', '/v1.0/identity/authenticationEventListeners', {
      '@odata.type': '#microsoft.graph.onTokenIssuanceStartListener',
      conditions: { applications: { includeApplications: [{ appId: web.appId }] } },
      handler: { '@odata.type': '#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler', customExtension: { id: claims.id } },
    });

    // The e-mail OTP provider, for every app, with Microsoft as the fallback.
    stub.answers.set('/otp', { kind: 'json', body: otpAnswer() });
    const otp = await graph('POST', '/v1.0/identity/customAuthenticationExtensions', {
      '@odata.type': '#microsoft.graph.onOtpSendCustomExtension',
      displayName: 'e-mail provider',
      endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: `${stub.url}/otp` },
      authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: await extensionApp('otp API') },
    });
    await graph('POST', '/v1.0/identity/authenticationEventListeners', {
      '@odata.type': '#microsoft.graph.onEmailOtpSendListener',
      conditions: { applications: { includeAllApplications: true } },
      handler: { '@odata.type': '#microsoft.graph.onOtpSendCustomExtensionHandler', customExtension: { id: otp.id }, configuration: { behaviorOnError: { '@odata.type': '#microsoft.graph.fallbackToMicrosoftProviderOnError' } } },
    });
  });
  after(async () => {
    await emulator.close();
    await stub.close();
  });

  test('sign-up: the code goes to the provider and the page hides it; the new user signs in to the web app and sees dob', async () => {
    const email = 'hopper@contoso.example';
    const codePage = await form('/signup', { email, clientId: webAppId });
    assert.match(codePage, /data-sent-by="custom-provider"/);
    const code = stub.received.filter((entry) => entry.path === '/otp').at(-1)!.body.data.otpContext.oneTimeCode as string;
    assert.equal(codePage.includes(code), false, 'the page does not show the code');
    const verificationId = /name="verificationId" value="([^"]+)"/.exec(codePage)![1]!;
    const attributePage = await form('/signup/verify', { verificationId, code });
    const state = /name="state" value="([^"]+)"/.exec(attributePage)![1]!;
    const signedUp = await form('/signup/submit', { state, password: CANARY_PASSWORDS.correct, confirmPassword: CANARY_PASSWORDS.correct, 'a.displayName': 'Grace Hopper' });
    assert.match(signedUp, /Account created/);
    assert.match(signedUp, /<td id="claim-dob">1906-12-09<\/td>/);
    assert.doesNotMatch(signedUp, /unmapped-canary/);

    const signedIn = await form('/signin', { username: email, password: CANARY_PASSWORDS.correct, clientId: webAppId });
    assert.match(signedIn, /<td id="claim-dob">1906-12-09<\/td>/);
    assert.match(signedIn, new RegExp(`<td id="claim-aud">${webAppId}</td>`));
    // Another client app is not in the listener: no callout, no dob.
    const calls = stub.received.filter((entry) => entry.path === '/claims').length;
    const plain = await form('/signin', { username: email, password: CANARY_PASSWORDS.correct });
    assert.match(plain, /id-token-claims/);
    assert.doesNotMatch(plain, /claim-dob/);
    assert.equal(stub.received.filter((entry) => entry.path === '/claims').length, calls);
  });

  test('Forgot password: when the provider fails, Microsoft sends the code (fallback) and the reset completes', async () => {
    stub.answers.set('/otp', { kind: 'json', status: 500, body: {} });
    const codePage = await form('/reset-password', { email: 'hopper@contoso.example' });
    assert.match(codePage, /by Microsoft \(fallback\)/);
    const code = /id="one-time-code">(\d{8})</.exec(codePage)![1]!;
    const verificationId = /name="verificationId" value="([^"]+)"/.exec(codePage)![1]!;
    const passwordPage = await form('/reset-password/verify', { verificationId, code });
    const state = /name="state" value="([^"]+)"/.exec(passwordPage)![1]!;
    const done = await form('/reset-password/password', { state, newPassword: CANARY_PASSWORDS.wrong, confirmPassword: CANARY_PASSWORDS.wrong });
    assert.match(done, /Your password has been reset/);
  });
});
