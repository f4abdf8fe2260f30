import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { createLogger } from '../../src/common/logger.js';
import { CalloutErrorCode, CUSTOM_EXTENSION_SERVICE_APP_ID, EMULATOR_SIGN_IN_APP, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { parseTokenIssuanceStartRequest } from '../../src/events/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { addClientWithPolicy, addEventListener, claimsAnswer, startEventStub, type EventStub } from './event-stub.js';

/** Claim values that must reach the token, and never a log line. */
const DATE_OF_BIRTH = 'dob-canary-1912-06-23';
const ROLES = ['role-canary-reader', 'role-canary-writer'];
const MAPPINGS = [
  { id: 'DateOfBirth', jwtClaimType: 'dob' },
  { id: 'CustomRoles', jwtClaimType: 'my_roles' },
];
const CLAIMS = { DateOfBirth: DATE_OF_BIRTH, CustomRoles: ROLES, NotMapped: 'not-mapped-canary', NotConfigured: 'not-configured-canary' };

describe('emulator: OnTokenIssuanceStart at the end of sign-in and sign-up', () => {
  let emulator: RunningEmulator;
  let stub: EventStub;
  let logText = '';
  let count = 0;

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const newUser = async () => {
    const email = `claims${++count}@contoso.example`;
    await emulator.directory.createUser({
      displayName: `Claims ${count}`,
      givenName: 'Grace',
      surname: 'Hopper',
      mail: email,
      identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }],
      password: CANARY_PASSWORDS.correct,
    });
    return email;
  };
  const signIn = async (email: string, clientId?: string) => (await post('/api/sign-in', { username: email, password: CANARY_PASSWORDS.correct, includeIdToken: true, locale: 'fr-fr', ...(clientId && { clientId }) })).body;
  /** A listener for every app, its extension answering `claims`; a client app whose policy maps DateOfBirth and CustomRoles. */
  const configured = (options: { acceptMappedClaims?: boolean; path?: string; grant?: boolean } = {}) => {
    const path = options.path ?? `/claims-${++count}`;
    stub.answers.set(path, { kind: 'json', body: claimsAnswer(CLAIMS) });
    const listener = addEventListener(emulator.objects, { event: 'token-issuance-start', targetUrl: `${stub.url}${path}`, claimIds: ['DateOfBirth', 'CustomRoles', 'NotMapped'], timeoutInMs: 300, ...(options.grant !== undefined && { grant: options.grant }) });
    const client = addClientWithPolicy(emulator.objects, { mappings: [...MAPPINGS, { id: 'NotConfigured', jwtClaimType: 'not_configured' }], acceptMappedClaims: options.acceptMappedClaims ?? true });
    return { path, listener, client };
  };

  before(async () => {
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
    emulator = await startEmulator({ port: 0, logger });
    stub = await startEventStub();
  });
  after(async () => {
    await emulator.close();
    await stub.close();
  });
  beforeEach(() => {
    emulator.objects.listeners.clear();
    stub.received.length = 0;
  });

  test('without a listener the id token is issued for the client, signed by the tenant, and no extension is called', async () => {
    const email = await newUser();
    const outcome = await signIn(email);
    assert.equal(outcome.outcome, 'signed-in');
    const { payload } = await jwtVerify(outcome.idToken, createLocalJWKSet(emulator.tenant.jwks()), { issuer: emulator.tenant.issuer, audience: EMULATOR_SIGN_IN_APP.appId });
    assert.deepEqual(outcome.claims, payload);
    assert.equal(payload.oid, emulator.directory.findUserBySignInName(email)!.id);
    assert.equal(payload.preferred_username, email);
    assert.equal(payload.ver, '2.0');
    assert.equal(stub.received.length, 0);
    // Without includeIdToken the outcome stays as short as before.
    assert.deepEqual((await post('/api/sign-in', { username: email, password: CANARY_PASSWORDS.correct })).body, { outcome: 'signed-in', migrated: false });
  });

  test("the claims reach the token only through the client's claims mapping policy, under their mapped names", async () => {
    const { path, listener, client } = configured();
    const email = await newUser();
    const before = emulator.tokens.calloutCount();
    const outcome = await signIn(email, client.appId);
    assert.equal(outcome.outcome, 'signed-in', JSON.stringify(outcome));
    assert.equal(outcome.claims.dob, DATE_OF_BIRTH);
    assert.deepEqual(outcome.claims.my_roles, ROLES);
    assert.equal(outcome.claims.aud, client.appId);
    // Returned but not mapped, mapped but not in claimsForTokenConfiguration, and the API's own names: all absent.
    for (const absent of ['NotMapped', 'NotConfigured', 'not_configured', 'DateOfBirth', 'CustomRoles']) assert.equal(absent in outcome.claims, false, absent);
    assert.deepEqual(decodeJwt(outcome.idToken), outcome.claims);
    assert.equal(emulator.tokens.calloutCount(), before + 1);

    // Entra's payload: the user from the directory, the client's service principal, a correlation id, the locale.
    const [request] = stub.received.filter((entry) => entry.path === path);
    const parsed = parseTokenIssuanceStartRequest(request!.body, { tenantId: emulator.tenant.tenantId });
    const context = parsed.data.authenticationContext;
    const user = emulator.directory.findUserBySignInName(email)!;
    assert.equal(context.user.id, user.id);
    assert.equal(context.user.mail, email);
    assert.equal(context.user.givenName, 'Grace');
    assert.equal(context.clientServicePrincipal?.appId, client.appId);
    assert.equal(context.client?.locale, 'fr-fr');
    assert.match(context.correlationId, /^[0-9a-f-]{36}$/);
    assert.equal(parsed.data.authenticationEventListenerId, listener.listenerId);
    assert.equal(parsed.data.customAuthenticationExtensionId, listener.extensionId);
    // The caller token: for the extension's app, from Entra's custom-extension service.
    const bearer = decodeJwt(request!.authorization!.replace(/^Bearer /, ''));
    assert.equal(bearer.aud, listener.appId);
    assert.equal(bearer.azp, CUSTOM_EXTENSION_SERVICE_APP_ID);
    // No claim value reaches a log line.
    for (const value of [DATE_OF_BIRTH, ...ROLES, 'not-mapped-canary']) assert.equal(logText.includes(value), false, value);
    assert.equal(logText.includes(CANARY_PASSWORDS.correct), false);
  });

  test('a client app without acceptMappedClaims gets AADSTS50146 and no token', async () => {
    const { client } = configured({ acceptMappedClaims: false });
    const email = await newUser();
    const outcome = await signIn(email, client.appId);
    assert.equal(outcome.outcome, 'token-refused');
    assert.equal(outcome.aadsts, 'AADSTS50146');
    assert.equal('idToken' in outcome, false);
  });

  test('a client the listener does not include gets its token without a callout', async () => {
    stub.answers.set('/only-other', { kind: 'json', body: claimsAnswer(CLAIMS) });
    addEventListener(emulator.objects, { event: 'token-issuance-start', targetUrl: `${stub.url}/only-other`, clientAppIds: ['11111111-2222-4333-8444-555555555555'], claimIds: ['DateOfBirth'] });
    const outcome = await signIn(await newUser());
    assert.equal(outcome.outcome, 'signed-in');
    assert.equal(stub.received.length, 0);
  });

  const failures: Array<{ name: string; answer: Parameters<EventStub['answers']['set']>[1]; errorCode: number; attempts: number }> = [
    { name: 'HTTP 500 (retried once)', answer: { kind: 'json', status: 500, body: claimsAnswer({}) }, errorCode: CalloutErrorCode.INVALID_HTTP_STATUS, attempts: 2 },
    { name: 'HTTP 400', answer: { kind: 'json', status: 400, body: claimsAnswer({}) }, errorCode: CalloutErrorCode.INVALID_HTTP_STATUS, attempts: 1 },
    { name: 'a text/plain answer', answer: { kind: 'json', contentType: 'text/plain', body: claimsAnswer({}) }, errorCode: CalloutErrorCode.INVALID_CONTENT_TYPE, attempts: 1 },
    { name: 'a body of another schema', answer: { kind: 'json', body: { data: { '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData', actions: [] } } }, errorCode: CalloutErrorCode.INVALID_RESPONSE_BODY, attempts: 1 },
    { name: 'a body that is not JSON', answer: { kind: 'json', body: '{"data":' }, errorCode: CalloutErrorCode.INVALID_RESPONSE_BODY, attempts: 1 },
    { name: 'a claim of a type Entra refuses', answer: { kind: 'json', body: claimsAnswer({ DateOfBirth: 42 }) }, errorCode: CalloutErrorCode.INVALID_RESPONSE_BODY, attempts: 1 },
    { name: 'a null claims bag', answer: { kind: 'json', body: claimsAnswer(null) }, errorCode: CalloutErrorCode.NULL_CLAIMS_BAG, attempts: 1 },
    { name: 'two actions', answer: { kind: 'json', body: claimsAnswer({}, undefined, 2) }, errorCode: CalloutErrorCode.INVALID_ACTION_COUNT, attempts: 1 },
    { name: 'no action', answer: { kind: 'json', body: claimsAnswer({}, undefined, 0) }, errorCode: CalloutErrorCode.INVALID_ACTION_COUNT, attempts: 1 },
    { name: 'an action of another event', answer: { kind: 'json', body: claimsAnswer({}, 'microsoft.graph.passwordSubmit.MigratePassword') }, errorCode: CalloutErrorCode.INVALID_ACTION_TYPE, attempts: 1 },
    { name: 'no answer within the timeout (retried once)', answer: { kind: 'slow', delayInMs: 600, body: claimsAnswer({}) }, errorCode: CalloutErrorCode.TIMEOUT, attempts: 2 },
  ];
  for (const failure of failures) {
    test(`${failure.name}: the sign-in fails with AADSTS1100001 and ${failure.errorCode}, no token`, async () => {
      const { path, client } = configured();
      stub.answers.set(path, failure.answer);
      const outcome = await signIn(await newUser(), client.appId);
      assert.deepEqual(
        { ...outcome, detail: undefined },
        { outcome: 'extension-error', event: 'token-issuance-start', aadsts: 'AADSTS1100001', errorCode: failure.errorCode, detail: undefined },
      );
      assert.equal(typeof outcome.detail, 'string');
      assert.equal(stub.received.filter((entry) => entry.path === path).length, failure.attempts);
    });
  }

  test('an extension app without Receive.Payload fails the sign-in with 1003021 and is not called', async () => {
    const { path, client } = configured({ grant: false });
    const outcome = await signIn(await newUser(), client.appId);
    assert.equal(outcome.outcome, 'extension-error');
    assert.equal(outcome.errorCode, CalloutErrorCode.PERMISSION_NOT_GRANTED);
    assert.equal(stub.received.filter((entry) => entry.path === path).length, 0);
  });

  test("an identifier URI with a port is 1003014, a resource id naming another host 1003015: checked before any call", async () => {
    const { path, listener, client } = configured();
    const application = emulator.objects.applicationByAppId(listener.appId)!;
    emulator.objects.applications.set(application.id, { ...application, identifierUris: [`api://127.0.0.1:8443/${application.appId}`] });
    assert.equal((await signIn(await newUser(), client.appId)).errorCode, CalloutErrorCode.IDENTIFIER_URI_INVALID);
    emulator.objects.applications.set(application.id, { ...application, identifierUris: [`api://127.0.0.1/${application.appId}`, `api://elsewhere.example/${application.appId}`] });
    const extension = emulator.objects.customExtensions.get(listener.extensionId)!;
    emulator.objects.customExtensions.set(extension.id, { ...extension, authenticationConfiguration: { ...extension.authenticationConfiguration, resourceId: `api://elsewhere.example/${application.appId}` } });
    assert.equal((await signIn(await newUser(), client.appId)).errorCode, CalloutErrorCode.RESOURCE_HOST_MISMATCH);
    assert.equal(stub.received.filter((entry) => entry.path === path).length, 0);
  });

  test('the page after sign-in shows the claims; a failure page shows AADSTS1100001 and the code', async () => {
    const { path, client } = configured();
    const email = await newUser();
    const form = (clientId: string) => new URLSearchParams({ username: email, password: CANARY_PASSWORDS.correct, clientId }).toString();
    const page = await (await fetch(`${emulator.url}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(client.appId) })).text();
    assert.match(page, /id="id-token-claims"/);
    assert.match(page, new RegExp(`<td id="claim-dob">${DATE_OF_BIRTH}</td>`));
    assert.match(page, /<td id="claim-my_roles">\[&quot;role-canary-reader&quot;,&quot;role-canary-writer&quot;\]<\/td>/);
    assert.doesNotMatch(page, /not-mapped-canary/);

    stub.answers.set(path, { kind: 'json', status: 403, body: {} });
    const failed = await (await fetch(`${emulator.url}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(client.appId) })).text();
    assert.match(failed, /AADSTS1100001/);
    assert.match(failed, /<strong id="error-code">1003002<\/strong>/);
    assert.doesNotMatch(failed, /id-token-claims/);

    const refused = addClientWithPolicy(emulator.objects, { mappings: MAPPINGS, acceptMappedClaims: false });
    const refusedPage = await (await fetch(`${emulator.url}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(refused.appId) })).text();
    assert.match(refusedPage, /AADSTS50146/);
  });

  test("a sign-up's first sign-in gets its token through the event; a failure leaves the account created", async () => {
    const path = `/sign-up-claims-${++count}`;
    stub.answers.set(path, { kind: 'json', body: claimsAnswer(CLAIMS) });
    addEventListener(emulator.objects, { event: 'token-issuance-start', targetUrl: `${stub.url}${path}`, claimIds: ['DateOfBirth'], timeoutInMs: 300 });
    const client = addClientWithPolicy(emulator.objects, { mappings: MAPPINGS, acceptMappedClaims: true });
    const signUp = async (email: string) => {
      const sent = (await post('/api/sign-up/start', { email, clientId: client.appId })).body;
      assert.equal(sent.outcome, 'code-sent');
      const page = (await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: sent.code })).body;
      assert.equal(page.outcome, 'attributes-required');
      return (await post('/api/sign-up/submit', { state: page.state, password: CANARY_PASSWORDS.correct, attributes: { displayName: 'New' }, includeIdToken: true })).body;
    };
    const done = await signUp(`signup-claims${++count}@contoso.example`);
    assert.equal(done.outcome, 'signed-up', JSON.stringify(done));
    assert.equal(done.claims.dob, DATE_OF_BIRTH);
    assert.equal('my_roles' in done.claims, false); // CustomRoles is not in this extension's claimsForTokenConfiguration
    assert.equal(done.claims.oid, done.userId);
    assert.equal(stub.received.at(-1)!.body.data.authenticationContext.user.id, done.userId);

    stub.answers.set(path, { kind: 'json', body: claimsAnswer(null) });
    const email = `signup-claims${++count}@contoso.example`;
    const failed = await signUp(email);
    assert.equal(failed.outcome, 'extension-error');
    assert.equal(failed.event, 'token-issuance-start');
    assert.equal(failed.errorCode, CalloutErrorCode.NULL_CLAIMS_BAG);
    assert.ok(emulator.directory.findUserBySignInName(email), 'the account exists');
  });
});
