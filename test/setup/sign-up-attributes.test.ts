import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EMULATOR_SIGN_IN_APP, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appCredential, createGraphClient, type GraphClient } from '../../src/graph/index.js';
import { generateDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { runSetup, serveSettingEntries, SetupError, SetupErrorCode, type SetupOptions } from '../../src/setup/index.js';
import { COLLECTION_TYPE, FLOW_TYPE, signUpFlow } from './sign-up-flow-body.js';

const ADMIN = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const OTHER_APP = '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9';

type Json = Record<string, any>;

describe('setup --signup-attributes against the emulated Graph', () => {
  let emulator: RunningEmulator;
  let graph: GraphClient;
  let key: GeneratedDecryptionKey;
  let flowId = '';
  const options = (extra: Partial<SetupOptions> = {}): SetupOptions => ({
    graph,
    dryRun: false,
    targetUrl: 'https://auth.contoso.example/events/password-submit',
    certificateDer: key.certificateDer,
    extensionAppName: 'JIT extension',
    clientAppIds: [EMULATOR_SIGN_IN_APP.appId],
    flagName: 'toBeMigrated',
    timeoutInMs: 2000,
    maximumRetries: 1,
    signUpAttributes: {},
    ...extra,
  });
  const inputsOf = (id: string) => emulator.objects.userFlows.get(id)!.onAttributeCollection!.attributeCollectionPage.views.flatMap((view) => view.inputs);
  const createFlow = async (displayName: string, appId: string) => (await graph.call<Json>('POST', '/v1.0/identity/authenticationEventsFlows', signUpFlow(displayName, appId))).id as string;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN, 'admin-secret');
    graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN, clientSecret: 'admin-secret' }).credential });
    key = await generateDecryptionKey({ subject: 'CN=sign-up' });
  });
  after(() => emulator.close());

  test('no sign-up flow linked to the client application: a clear error before anything is written', async () => {
    await createFlow('Another app', OTHER_APP);
    await assert.rejects(runSetup(options()), (error: unknown) => {
      assert.ok(error instanceof SetupError);
      assert.equal(error.code, SetupErrorCode.SIGN_UP_FLOW_NOT_FOUND);
      assert.match(error.publicMessage, new RegExp(`No sign-up user flow is linked to ${EMULATOR_SIGN_IN_APP.appId}`));
      return true;
    });
    assert.equal(emulator.objects.applications.size, 1, 'only the b2c-extensions-app: setup stopped before its first write');
    assert.equal(emulator.objects.extensionProperties.size, 0);
  });

  test('a dry run lists the attribute, the references and the page it would write, and changes nothing', async () => {
    flowId = await createFlow('Sign up', EMULATOR_SIGN_IN_APP.appId);
    const result = await runSetup(options({ dryRun: true }));
    const legacyId = `extension_${emulator.objects.b2cExtensionsApp.appId.replace(/-/g, '')}_legacyId`;
    assert.equal(result.legacyIdAttribute, legacyId);
    assert.deepEqual(result.steps.map((step) => [step.name, step.status]).slice(4), [['legacy id attribute', 'would create'], ['sign-up flow', 'would update']]);
    const [attributeStep, flowStep] = result.steps.slice(4);
    assert.deepEqual(attributeStep!.requests.map((request) => [request.method, request.path]), [['POST', '/v1.0/identity/userFlowAttributes']]);
    assert.deepEqual([(attributeStep!.requests[0]!.body as Json).displayName, (attributeStep!.requests[0]!.body as Json).dataType], ['legacyId', 'string']);
    const refs = flowStep!.requests.filter((request) => request.method === 'POST');
    assert.deepEqual(refs.map((request) => (request.body as Json)['@odata.id']), [legacyId, 'givenName', 'surname'].map((id) => `https://graph.microsoft.com/v1.0/identity/userFlowAttributes/${id}`));
    assert.ok(refs.every((request) => request.path === `/v1.0/identity/authenticationEventsFlows/${flowId}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes/$ref`));
    const patch = flowStep!.requests.at(-1)!;
    assert.equal(patch.method, 'PATCH');
    const inputs = (patch.body as Json).onAttributeCollection.attributeCollectionPage.views[0].inputs as Json[];
    assert.deepEqual(inputs.map((input) => [input.attribute, input.hidden, input.required]), [['email', true, true], ['displayName', false, true], [legacyId, true, false], ['givenName', true, false], ['surname', true, false]]);
    assert.match(flowStep!.detail, /givenName, surname hidden \(the flow lacked them\); displayName already on the page/);
    assert.equal(emulator.objects.extensionProperties.size, 0, 'nothing created');
    assert.deepEqual(inputsOf(flowId).map((input) => input.attribute), ['email', 'displayName']);
  });

  test('apply adds the legacy id and the missing profile attributes as hidden inputs; the settings carry LEGACY_ID_ATTRIBUTE; a second run changes nothing', async () => {
    const first = await runSetup(options());
    assert.deepEqual(first.steps.map((step) => step.status), ['created', 'created', 'created', 'created', 'created', 'updated']);
    const legacyId = first.legacyIdAttribute!;
    const property = [...emulator.objects.extensionProperties.values()].find((entry) => emulator.objects.extensionAttributeName(entry) === legacyId)!;
    assert.equal(property.ownerId, emulator.objects.b2cExtensionsApp.id, 'on the flag\'s application');
    assert.equal(property.dataType, 'String');
    assert.deepEqual(inputsOf(flowId).map((input) => [input.attribute, input.hidden]), [['email', true], ['displayName', false], [legacyId, true], ['givenName', true], ['surname', true]]);
    const flow = emulator.signUpFlow();
    assert.deepEqual(flow.attributes.filter((attribute) => attribute.hidden).map((attribute) => attribute.name), [legacyId, 'givenName', 'surname']);
    const settings = serveSettingEntries({ tenantId: emulator.tenant.tenantId, result: first, keyFiles: [] });
    assert.deepEqual(settings.find(([name]) => name === 'LEGACY_ID_ATTRIBUTE'), ['LEGACY_ID_ATTRIBUTE', legacyId]);

    const second = await runSetup(options());
    assert.deepEqual(second.steps.map((step) => step.status), ['in place', 'in place', 'in place', 'in place', 'in place', 'in place']);
    assert.deepEqual(second.steps.flatMap((step) => step.requests), []);
  });

  test('a legacy id someone made visible is hidden again with one PATCH that keeps every other input', async () => {
    const legacyId = `extension_${emulator.objects.b2cExtensionsApp.appId.replace(/-/g, '')}_legacyId`;
    const views = structuredClone(emulator.objects.userFlows.get(flowId)!.onAttributeCollection!.attributeCollectionPage.views);
    views[0]!.inputs.find((input) => input.attribute === legacyId)!.hidden = false;
    await graph.call('PATCH', `/v1.0/identity/authenticationEventsFlows/${flowId}`, { '@odata.type': FLOW_TYPE, onAttributeCollection: { '@odata.type': COLLECTION_TYPE, attributeCollectionPage: { views } } });
    assert.equal(inputsOf(flowId).find((input) => input.attribute === legacyId)!.hidden, false);
    const result = await runSetup(options());
    const flowStep = result.steps.at(-1)!;
    assert.equal(flowStep.status, 'updated');
    assert.deepEqual(flowStep.requests.map((request) => request.method), ['PATCH']);
    assert.deepEqual(inputsOf(flowId).map((input) => [input.attribute, input.hidden]), [['email', true], ['displayName', false], [legacyId, true], ['givenName', true], ['surname', true]]);
  });

  test('a legacy id name already taken by a property of another type is refused before the flow changes', async () => {
    emulator.objects.defineUserExtensionProperty('legacyNumber', 'Integer');
    const before = JSON.stringify(emulator.objects.userFlows.get(flowId));
    await assert.rejects(runSetup(options({ signUpAttributes: { legacyIdName: 'legacyNumber' } })), (error: unknown) => {
      assert.ok(error instanceof SetupError);
      assert.equal(error.code, SetupErrorCode.OPTION_INVALID);
      assert.match(error.publicMessage, /_legacyNumber exists as int64; the legacy id is sent as a string\. Choose another --legacy-id-name\./);
      return true;
    });
    assert.equal(JSON.stringify(emulator.objects.userFlows.get(flowId)), before);
  });

  test('two flows linked to the application: an error naming both until --flow chooses one; an unknown --flow is refused', async () => {
    const second = await createFlow('Sign up (campaign)', EMULATOR_SIGN_IN_APP.appId);
    await assert.rejects(runSetup(options()), (error: unknown) => {
      assert.ok(error instanceof SetupError);
      assert.equal(error.code, SetupErrorCode.SIGN_UP_FLOW_AMBIGUOUS);
      assert.ok(error.publicMessage.includes(flowId) && error.publicMessage.includes(second), error.publicMessage);
      assert.match(error.publicMessage, /--flow/);
      return true;
    });
    const chosen = await runSetup(options({ signUpAttributes: { flowId: second } }));
    assert.equal(chosen.steps.at(-1)!.status, 'updated');
    assert.equal(inputsOf(second).find((input) => input.attribute === chosen.legacyIdAttribute)?.hidden, true);
    await assert.rejects(runSetup(options({ signUpAttributes: { flowId: '00000000-0000-4000-8000-000000000000' } })), (error: unknown) => error instanceof SetupError && error.code === SetupErrorCode.SIGN_UP_FLOW_NOT_FOUND);
  });
});
