import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { EMULATOR_SIGN_IN_APP } from '../../src/emulator/callout-client.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startAction, startAttributeCollectionStandIn, startResponse, submitAction, submitResponse, type AttributeCollectionStandIn } from './attribute-collection-stand-in.js';

const CLIENT_ID = '31111111-2222-4333-8444-555555555555';
const SECRET = 'emulator-client-secret';
const EXTENSION_APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const FLOW_TYPE = '#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow';

type Json = Record<string, any>;

/** A custom extension body of `type` calling `targetUrl`, as setup would POST it. */
const customExtension = (type: string, targetUrl: string) => ({
  '@odata.type': type,
  displayName: type.replace('#microsoft.graph.', ''),
  endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl },
  authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: `api://auth.contoso.example/${EXTENSION_APP_ID}` },
  clientConfiguration: { timeoutInMilliseconds: 1000, maximumRetries: 1 },
});

/** The user flow of Graph's create example, with a hidden legacy id and the two attribute collection handlers. */
const userFlow = (legacyId: string, startId: string | undefined, submitId: string | undefined, extra: Json = {}) => ({
  '@odata.type': FLOW_TYPE,
  displayName: 'Sign up with legacy id',
  onInteractiveAuthFlowStart: { '@odata.type': '#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp', isSignUpAllowed: true },
  onAuthenticationMethodLoadStart: { '@odata.type': '#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp', identityProviders: [{ id: 'EmailPassword-OAUTH' }] },
  onAttributeCollection: {
    '@odata.type': '#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp',
    attributes: [
      { id: 'email', displayName: 'Email Address', userFlowAttributeType: 'builtIn', dataType: 'string' },
      { id: 'displayName', displayName: 'Display Name', userFlowAttributeType: 'builtIn', dataType: 'string' },
      { id: legacyId, displayName: 'legacyId', userFlowAttributeType: 'custom', dataType: 'string' },
    ],
    attributeCollectionPage: {
      views: [{
        inputs: [
          { attribute: 'email', label: 'Email Address', inputType: 'text', hidden: true, editable: false, writeToDirectory: true, required: true },
          { attribute: 'displayName', label: 'Your name', inputType: 'text', hidden: false, editable: true, writeToDirectory: true, required: false },
          { attribute: legacyId, label: 'Legacy id', inputType: 'text', hidden: true, editable: false, writeToDirectory: true, required: false },
        ],
      }],
    },
  },
  ...(startId && { onAttributeCollectionStart: { '@odata.type': '#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler', customExtension: { id: startId } } }),
  ...(submitId && { onAttributeCollectionSubmit: { '@odata.type': '#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler', customExtension: { id: submitId } } }),
  conditions: { applications: { includeApplications: [{ appId: EMULATOR_SIGN_IN_APP.appId }] } },
  ...extra,
});

describe('emulated Graph: sign-up user flows with attribute collection', () => {
  let emulator: RunningEmulator;
  let standIn: AttributeCollectionStandIn;
  let directory: string;
  let token: string;
  let legacyId = '';
  let startId = '';
  let submitId = '';
  let flowId = '';
  const graph = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) };
    const response = await fetch(`${emulator.url}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: response.status, body: (response.status === 204 ? {} : await response.json()) as Json };
  };
  const signIn = async (app: RunningEmulator) => {
    app.registerClientApp(CLIENT_ID, SECRET);
    const response = await fetch(`${app.url}/${app.tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' }),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  /** Runs a whole sign-up through the emulator's service: e-mail, code, the page, the password. */
  const signUp = async (app: RunningEmulator, email: string, attributes: Record<string, string>) => {
    const sent = await app.signUp.begin({ email });
    assert.equal(sent.outcome, 'code-sent');
    const page = await app.signUp.verify({ verificationId: sent.outcome === 'code-sent' ? sent.verificationId : '', code: sent.outcome === 'code-sent' ? sent.code : '' });
    assert.equal(page.outcome, 'attributes-required');
    return { page, done: await app.signUp.submit({ state: page.outcome === 'attributes-required' ? page.state : '', password: CANARY_PASSWORDS.correct, attributes }) };
  };

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'user-flows-'));
    emulator = await startEmulator({ port: 0, directoryPath: join(directory, 'emulator.db') });
    standIn = await startAttributeCollectionStandIn();
    token = await signIn(emulator);
  });
  after(async () => {
    await emulator.close();
    await standIn.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('user flow attributes: the built-in ones, and a custom one created through Graph as extension_{appId}_{name}', async () => {
    const created = await graph('POST', '/v1.0/identity/userFlowAttributes', { displayName: 'legacyId', description: 'The legacy system id', dataType: 'string' });
    assert.equal(created.status, 201);
    legacyId = created.body.id;
    assert.equal(legacyId, `extension_${emulator.objects.b2cExtensionsApp.appId.replace(/-/g, '')}_legacyId`);
    assert.equal(created.body.userFlowAttributeType, 'custom');
    const listed = (await graph('GET', '/v1.0/identity/userFlowAttributes')).body.value as Json[];
    assert.deepEqual(listed.filter((attribute) => attribute.userFlowAttributeType === 'builtIn').map((attribute) => attribute.id).slice(0, 4), ['email', 'displayName', 'givenName', 'surname']);
    assert.ok(listed.some((attribute) => attribute.id === legacyId && attribute.dataType === 'string'));
    assert.equal((await graph('POST', '/v1.0/identity/userFlowAttributes', { displayName: 'legacyId', dataType: 'string' })).status, 400, 'the same name twice');
    assert.equal((await graph('POST', '/v1.0/identity/userFlowAttributes', { displayName: 'x', dataType: 'dateTime' })).status, 400);
    assert.equal((await graph('GET', `/v1.0/identity/userFlowAttributes/${legacyId}`)).body.displayName, 'legacyId');
  });

  test('custom extensions of the attribute collection types are accepted; a listener may not use one', async () => {
    const start = await graph('POST', '/beta/identity/customAuthenticationExtensions', customExtension('#microsoft.graph.onAttributeCollectionStartCustomExtension', `${standIn.url}/start`));
    const submit = await graph('POST', '/beta/identity/customAuthenticationExtensions', customExtension('#microsoft.graph.onAttributeCollectionSubmitCustomExtension', `${standIn.url}/submit`));
    assert.equal(start.status, 201);
    assert.equal(submit.status, 201);
    startId = start.body.id;
    submitId = submit.body.id;
    assert.equal((await graph('POST', '/beta/identity/customAuthenticationExtensions', customExtension('#microsoft.graph.onSomethingElseCustomExtension', `${standIn.url}/x`))).status, 400);
    const flag = emulator.objects.defineUserExtensionProperty('toBeMigrated', 'Boolean');
    const listener = await graph('POST', '/beta/identity/authenticationEventListeners', {
      '@odata.type': '#microsoft.graph.onPasswordSubmitListener',
      conditions: { applications: { includeAllApplications: true } },
      handler: { '@odata.type': '#microsoft.graph.onPasswordMigrationCustomExtensionHandler', migrationPropertyId: flag, customExtension: { id: startId } },
    });
    assert.equal(listener.status, 400);
    assert.match(listener.body.error.message, /onPasswordSubmitCustomExtension/);
  });

  test('a user flow is created, read and updated as Graph shows it; bad references are refused', async () => {
    const refused = async (body: unknown, pattern: RegExp) => {
      const answer = await graph('POST', '/v1.0/identity/authenticationEventsFlows', body);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, 'Request_BadRequest');
      assert.match(answer.body.error.message, pattern);
    };
    await refused(userFlow(legacyId, '00000000-0000-4000-8000-000000000000', submitId), /onAttributeCollectionStart\.customExtension\.id must name an existing/);
    await refused(userFlow(legacyId, submitId, submitId), /of type #microsoft\.graph\.onAttributeCollectionStartCustomExtension/);
    await refused(userFlow('extension_0a1b2c3d4e5f40718293a4b5c6d7e8f9_nope', startId, submitId), /not a user flow attribute of this tenant/);
    const strayInput = userFlow(legacyId, startId, submitId);
    strayInput.onAttributeCollection.attributeCollectionPage.views[0]!.inputs.push({ attribute: 'city', label: 'City', inputType: 'text', hidden: false, editable: true, writeToDirectory: true, required: false });
    await refused(strayInput, /input city is not one of onAttributeCollection\.attributes/);
    await refused({ ...userFlow(legacyId, startId, submitId), '@odata.type': undefined }, /@odata\.type must be/);
    await refused({ ...userFlow(legacyId, startId, submitId), onAuthenticationMethodLoadStart: { '@odata.type': '#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp', identityProviders: [] } }, /at least one identity provider/);
    await refused({ ...userFlow(legacyId, startId, submitId), onInteractiveAuthFlowStart: undefined }, /onInteractiveAuthFlowStart is required/);
    // Hostile or malformed: a string where an object belongs, a page of 51 inputs, a handler that is an array.
    await refused({ ...userFlow(legacyId, startId, submitId), onAttributeCollection: 'everything' }, /onAttributeCollection must be a/);
    const crowded = userFlow(legacyId, startId, submitId);
    crowded.onAttributeCollection.attributeCollectionPage.views[0]!.inputs = Array.from({ length: 51 }, () => ({ attribute: 'displayName', label: 'x', inputType: 'text', hidden: false, editable: true, writeToDirectory: true, required: false }));
    await refused(crowded, /more than 50 inputs/);
    await refused({ ...userFlow(legacyId, startId, submitId), onAttributeCollectionSubmit: [submitId] }, /onAttributeCollectionSubmit must be a/);
    await refused({ ...userFlow(legacyId, startId, submitId), displayName: 'x'.repeat(300) }, /displayName is required/);

    const created = await graph('POST', '/v1.0/identity/authenticationEventsFlows', userFlow(legacyId, startId, submitId));
    assert.equal(created.status, 201);
    flowId = created.body.id;
    assert.equal(created.body.onAttributeCollectionStart.customExtension.id, startId);
    assert.equal(created.body.onAttributeCollection.attributeCollectionPage.views[0].inputs[2].hidden, true);
    await refused(userFlow(legacyId, startId, submitId), /displayName must be unique/);

    const read = await graph('GET', `/v1.0/identity/authenticationEventsFlows/${flowId}`);
    assert.deepEqual(read.body, created.body);
    assert.deepEqual(((await graph('GET', '/v1.0/identity/authenticationEventsFlows')).body.value as Json[]).map((flow) => flow.id), [flowId]);

    assert.equal((await graph('PATCH', `/v1.0/identity/authenticationEventsFlows/${flowId}`, { description: 'no type' })).status, 400, '@odata.type is required on update');
    const badPatch = await graph('PATCH', `/v1.0/identity/authenticationEventsFlows/${flowId}`, { '@odata.type': FLOW_TYPE, onAttributeCollectionSubmit: { '@odata.type': '#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler', customExtension: { id: startId } } });
    assert.equal(badPatch.status, 400);
    assert.equal((await graph('PATCH', `/v1.0/identity/authenticationEventsFlows/${flowId}`, { '@odata.type': FLOW_TYPE, description: 'Sign-up that links legacy accounts' })).status, 204);
    const updated = (await graph('GET', `/v1.0/identity/authenticationEventsFlows/${flowId}`)).body;
    assert.equal(updated.description, 'Sign-up that links legacy accounts');
    assert.equal(updated.onAttributeCollectionSubmit.customExtension.id, submitId, 'the refused PATCH changed nothing');
    const inUse = await graph('DELETE', `/beta/identity/customAuthenticationExtensions/${startId}`);
    assert.equal(inUse.status, 400, 'an extension a user flow uses is not deleted');
    assert.equal(inUse.body.error.message, 'The custom extension is in use by a user flow.');
  });

  test('the Graph user flow drives the sign-up: its handlers are called with its attributes, the hidden legacy id is written', async () => {
    standIn.answers.start = { kind: 'json', body: startResponse(startAction('setPrefillValues', { inputs: { displayName: 'Ada from legacy' } })) };
    standIn.answers.submit = { kind: 'json', body: submitResponse(submitAction('modifyAttributeValues', { attributes: { [legacyId]: '1042' } })) };
    const flow = emulator.signUpFlow();
    assert.deepEqual(flow.attributes.map((attribute) => [attribute.name, attribute.label, attribute.hidden]), [['displayName', 'Your name', false], [legacyId, 'Legacy id', true]]);
    assert.equal(flow.start?.id, startId);
    assert.equal(flow.submit?.listenerId, flowId);

    const { page, done } = await signUp(emulator, 'ada@contoso.example', { displayName: 'Ada Lovelace', [legacyId]: 'forged' });
    assert.equal(done.outcome, 'signed-up');
    assert.ok(page.outcome === 'attributes-required' && page.attributes.some((attribute) => attribute.name === legacyId && attribute.hidden));
    assert.equal(standIn.received.start.length, 1);
    assert.equal(standIn.received.submit.length, 1);
    const submitted = standIn.received.submit[0]!;
    assert.equal(decodeJwt(submitted.authorization!.replace(/^Bearer /, '')).aud, EXTENSION_APP_ID);
    assert.equal(submitted.body.data.authenticationEventListenerId, flowId);
    assert.equal(submitted.body.data.customAuthenticationExtensionId, submitId);
    assert.ok(legacyId in submitted.body.data.userSignUpInfo.attributes, 'the hidden attribute is part of the request');
    assert.notEqual(submitted.body.data.userSignUpInfo.attributes[legacyId]?.value, 'forged', 'a hidden input never takes a posted value');

    const user = emulator.directory.findUserBySignInName('ada@contoso.example')!;
    const read = await graph('GET', `/v1.0/users/${user.id}?$select=displayName,${legacyId}`);
    assert.equal(read.body.displayName, 'Ada Lovelace');
    assert.equal(read.body[legacyId], '1042');
  });

  test('a flow linked to another application, or without handlers, leaves configureExtension\'s sign-up in force; flows survive a restart', async () => {
    assert.equal((await graph('DELETE', `/v1.0/identity/authenticationEventsFlows/${flowId}/conditions/applications/includeApplications/${EMULATOR_SIGN_IN_APP.appId}`)).status, 204);
    assert.equal(emulator.signUpFlow().start, undefined, 'no Graph flow for the sign-in app: the configured (empty) flow');
    assert.equal((await graph('POST', `/v1.0/identity/authenticationEventsFlows/${flowId}/conditions/applications/includeApplications`, { appId: EMULATOR_SIGN_IN_APP.appId })).status, 201);
    assert.equal((await graph('POST', `/v1.0/identity/authenticationEventsFlows/${flowId}/conditions/applications/includeApplications`, { appId: EMULATOR_SIGN_IN_APP.appId })).status, 409);
    assert.equal(emulator.signUpFlow().start?.id, startId);

    const path = join(directory, 'emulator.db');
    await emulator.close();
    emulator = await startEmulator({ port: 0, directoryPath: path });
    token = await signIn(emulator);
    assert.equal((await graph('GET', `/v1.0/identity/authenticationEventsFlows/${flowId}`)).body.displayName, 'Sign up with legacy id');
    assert.equal(emulator.signUpFlow().submit?.targetUrl, `${standIn.url}/submit`);

    // Graph's "Add attribute (to user flow)": by reference, onto the page with the default settings.
    const attributes = `/v1.0/identity/authenticationEventsFlows/${flowId}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes`;
    assert.equal((await graph('POST', `${attributes}/$ref`, { '@odata.id': 'https://graph.microsoft.com/v1.0/identity/userFlowAttributes/surname' })).status, 204);
    assert.equal((await graph('POST', `${attributes}/$ref`, { '@odata.id': 'https://graph.microsoft.com/v1.0/identity/userFlowAttributes/surname' })).status, 400, 'not twice');
    assert.equal((await graph('POST', `${attributes}/$ref`, { '@odata.id': 'https://graph.microsoft.com/v1.0/identity/userFlowAttributes/favouriteColour' })).status, 400);
    assert.deepEqual(((await graph('GET', attributes)).body.value as Json[]).map((attribute) => attribute.id), ['email', 'displayName', legacyId, 'surname']);
    assert.deepEqual(emulator.signUpFlow().attributes.at(-1), { name: 'surname', label: 'Surname', attributeType: 'builtIn', dataType: 'string', hidden: false });
    assert.equal((await graph('DELETE', `/v1.0/identity/authenticationEventsFlows/${flowId}`)).status, 204);
    assert.equal(emulator.signUpFlow().submit, undefined);
  });

  test('a PATCH of the page alone, as Graph\'s update examples send it: its inputs decide the attributes; a flow created without attribute collection gets them by reference first', async () => {
    const otherApp = { conditions: { applications: { includeApplications: [{ appId: CLIENT_ID }] } } };
    const pagePatch = (attributes: string[]) => ({
      '@odata.type': FLOW_TYPE,
      onAttributeCollection: {
        '@odata.type': '#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp',
        attributeCollectionPage: { views: [{ title: null, description: null, inputs: attributes.map((attribute) => ({ attribute, label: attribute, inputType: 'text', defaultValue: null, hidden: attribute === 'email', editable: true, writeToDirectory: true, required: false, validationRegEx: '^.*', options: [] })) }] },
      },
    });
    const id = (await graph('POST', '/v1.0/identity/authenticationEventsFlows', userFlow(legacyId, undefined, undefined, { displayName: 'Page patch', ...otherApp }))).body.id as string;
    // Example 2 adds city by naming it on the page; example 3 removes an attribute by leaving its input out.
    assert.equal((await graph('PATCH', `/v1.0/identity/authenticationEventsFlows/${id}`, pagePatch(['email', 'displayName', 'city']))).status, 204);
    const patched = (await graph('GET', `/v1.0/identity/authenticationEventsFlows/${id}`)).body;
    assert.deepEqual((patched.onAttributeCollection.attributes as Json[]).map((attribute) => attribute.id), ['email', 'displayName', 'city']);
    assert.deepEqual((patched.onAttributeCollection.attributeCollectionPage.views[0].inputs as Json[]).map((input) => [input.attribute, input.hidden]), [['email', true], ['displayName', false], ['city', false]]);
    const unknown = await graph('PATCH', `/v1.0/identity/authenticationEventsFlows/${id}`, pagePatch(['email', 'favouriteColour']));
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /favouriteColour, which is not a user flow attribute/);

    const bare = (await graph('POST', '/v1.0/identity/authenticationEventsFlows', { ...userFlow(legacyId, undefined, undefined, { displayName: 'No page', ...otherApp }), onAttributeCollection: undefined })).body.id as string;
    const refused = await graph('PATCH', `/v1.0/identity/authenticationEventsFlows/${bare}`, pagePatch(['email']));
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /only be updated on a user flow created with it; add attributes with POST/);
    const attributes = `/v1.0/identity/authenticationEventsFlows/${bare}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes`;
    assert.equal((await graph('POST', `${attributes}/$ref`, { '@odata.id': 'https://graph.microsoft.com/v1.0/identity/userFlowAttributes/email' })).status, 204);
    assert.equal((await graph('PATCH', `/v1.0/identity/authenticationEventsFlows/${bare}`, pagePatch(['email']))).status, 204);
    assert.equal((await graph('GET', `/v1.0/identity/authenticationEventsFlows/${bare}`)).body.onAttributeCollection.attributeCollectionPage.views[0].inputs[0].hidden, true);
  });
});
