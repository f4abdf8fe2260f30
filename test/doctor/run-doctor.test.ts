import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { runDoctor, type DoctorOptions, type Finding } from '../../src/doctor/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appCredential, createGraphClient, type GraphClient } from '../../src/graph/index.js';
import { generateDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { runSetup, type SetupResult } from '../../src/setup/index.js';
import { COLLECTION_TYPE, FLOW_TYPE, signUpFlow } from '../setup/sign-up-flow-body.js';

const ADMIN = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const CLIENT = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';

/** An extension endpoint: GET 200, POST 401 without a token (or 200 when `open`). */
function endpoint(open = false): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer((request, response) => {
      request.resume();
      response.statusCode = request.method === 'GET' || open ? 200 : 401;
      response.setHeader('content-type', 'application/json');
      response.end('{}');
    }).listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/events/password-submit`, server }));
  });
}

const levelOf = (findings: Finding[], check: string) => findings.find((finding) => finding.check === check);

describe('doctor findings', () => {
  let emulator: RunningEmulator;
  let graph: GraphClient;
  let key: GeneratedDecryptionKey;
  let site: { url: string; server: Server };
  let setup: SetupResult;
  const run = (extra: Partial<DoctorOptions> = {}) => runDoctor({ graph, targetUrl: site.url, serverKeyThumbprints: [key.x5t], responseDeadlineInMs: 1500, probes: 2, ...extra });

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN, 'admin-secret');
    graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN, clientSecret: 'admin-secret' }).credential });
    key = await generateDecryptionKey({ subject: 'CN=doctor', validityInDays: 10 });
    site = await endpoint();
    setup = await runSetup({ graph, dryRun: false, targetUrl: site.url, certificateDer: key.certificateDer, extensionAppName: 'JIT', clientAppIds: [CLIENT], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1 });
  });
  after(async () => {
    site.server.close();
    await emulator.close();
  });

  test('a correct deployment: every check ok, but the plain-http URL and the certificate expiring in 10 days are warnings', async () => {
    assert.ok(new URL(site.url).port, 'the endpoint has a port; the resource id names the host name alone');
    assert.equal(setup.resourceId, `api://127.0.0.1/${setup.extensionAppId}`);
    const findings = await run({ flagAttribute: setup.flagAttribute });
    assert.deepEqual(findings.filter((finding) => finding.level === 'problem'), []);
    assert.deepEqual(findings.filter((finding) => finding.level === 'warning').map((finding) => finding.check), ['target URL', 'certificate expiry']);
    assert.match(levelOf(findings, 'certificate expiry')!.message, /expires in 9 days|expires in 10 days/);
  });

  test('the server does not hold the certificate Entra encrypts to: every callout would fail', async () => {
    const finding = levelOf(await run({ serverKeyThumbprints: ['not-this-one'] }), 'encryption certificate')!;
    assert.deepEqual([finding.level, finding.entraErrorCode], ['problem', 1003002]);
    assert.equal(levelOf(await run({ serverKeyThumbprints: [] }), 'encryption certificate')!.level, 'warning');
    const uncomparable = levelOf(await run({ serverKeyThumbprints: ['not-this-one'], keysWithoutCertificate: 1 }), 'encryption certificate')!;
    assert.equal(uncomparable.level, 'warning');
    assert.match(uncomparable.message, /1 of the server's keys have no certificate/);
  });

  test('the timeout cannot hold the deadline plus the round trip: 1003005', async () => {
    const finding = levelOf(await run({ responseDeadlineInMs: 1990 }), 'timeout')!;
    assert.deepEqual([finding.level, finding.entraErrorCode], ['problem', 1003005]);
    assert.match(finding.message, /lower RESPONSE_DEADLINE_MS to \d+/);
  });

  test('the flag the users carry is not the listener’s', async () => {
    const finding = levelOf(await run({ flagAttribute: 'extension_00000000000000000000000000000000_other' }), 'migration flag')!;
    assert.equal(finding.level, 'problem');
  });

  test('each broken piece of the tenant is named with its code, then restored', async () => {
    const app = emulator.objects.applicationByAppId(setup.extensionAppId)!;
    const extension = emulator.objects.customExtensions.get(setup.customExtensionId)!;
    const cases: Array<{ check: string; code: number | undefined; breakIt: () => () => void }> = [
      { check: 'identifier URI', code: 1003014, breakIt: () => { const saved = app.identifierUris; app.identifierUris = [`api://${app.appId}`]; return () => (app.identifierUris = saved); } },
      { check: 'resource id', code: 1003015, breakIt: () => { const saved = extension.authenticationConfiguration.resourceId; extension.authenticationConfiguration.resourceId = `api://elsewhere.example/${app.appId}`; return () => (extension.authenticationConfiguration.resourceId = saved); } },
      // With the target URL's port (the site listens on one): Entra wants the host name alone.
      { check: 'identifier URI', code: 1003014, breakIt: () => { const saved = app.identifierUris; app.identifierUris = [`api://${new URL(site.url).host}/${app.appId}`]; return () => (app.identifierUris = saved); } },
      { check: 'resource id', code: 1003015, breakIt: () => { const saved = extension.authenticationConfiguration.resourceId; extension.authenticationConfiguration.resourceId = `api://${new URL(site.url).host}/${app.appId}`; return () => (extension.authenticationConfiguration.resourceId = saved); } },
      { check: 'permission', code: 1003021, breakIt: () => { const saved = new Map(emulator.objects.appRoleAssignments); emulator.objects.appRoleAssignments.clear(); return () => saved.forEach((grant, id) => emulator.objects.appRoleAssignments.set(id, grant)); } },
      { check: 'encryption certificate', code: 1003001, breakIt: () => { const saved = app.tokenEncryptionKeyId; app.tokenEncryptionKeyId = null; return () => (app.tokenEncryptionKeyId = saved); } },
      { check: 'certificate expiry', code: 1003001, breakIt: () => { const saved = app.keyCredentials[0]!.endDateTime; app.keyCredentials[0]!.endDateTime = '2020-01-01T00:00:00Z'; return () => (app.keyCredentials[0]!.endDateTime = saved); } },
      { check: 'listener', code: undefined, breakIt: () => { const saved = new Map(emulator.objects.listeners); emulator.objects.listeners.clear(); return () => saved.forEach((listener, id) => emulator.objects.listeners.set(id, listener)); } },
      { check: 'custom extension', code: undefined, breakIt: () => { emulator.objects.customExtensions.delete(extension.id); return () => emulator.objects.customExtensions.set(extension.id, extension); } },
    ];
    for (const { check, code, breakIt } of cases) {
      const restore = breakIt();
      try {
        const finding = levelOf(await run(), check);
        assert.equal(finding?.level, 'problem', check);
        assert.equal(finding?.entraErrorCode, code, check);
      } finally {
        restore();
      }
      assert.notEqual(levelOf(await run(), check)?.level, 'problem', `${check} restored`);
    }
    app.api.requestedAccessTokenVersion = 1;
    assert.equal(levelOf(await run(), 'token version')?.level, 'warning');
    app.api.requestedAccessTokenVersion = 2;
  });

  test('SIGNUP_COLLISION=link: a warning while the sign-up flow lacks the legacy id or shows it, naming setup --signup-attributes', async () => {
    const legacyId = `extension_${emulator.objects.b2cExtensionsApp.appId.replace(/-/g, '')}_legacyId`;
    const link = { signUpCollision: 'link', legacyIdAttribute: legacyId };
    const signUp = (findings: Finding[]) => findings.filter((finding) => finding.check === 'sign-up link');
    assert.deepEqual(signUp(await run()), [], 'not checked unless SIGNUP_COLLISION=link');
    assert.match(signUp(await run(link))[0]!.message, new RegExp(`no sign-up user flow is linked to ${CLIENT}`));

    const flowId = (await graph.call<{ id: string }>('POST', '/v1.0/identity/authenticationEventsFlows', signUpFlow('Sign up', CLIENT))).id;
    const lacking = signUp(await run(link));
    assert.deepEqual(lacking.map((finding) => finding.level), ['warning']);
    assert.match(lacking[0]!.message, new RegExp(`"Sign up" \\(${flowId}\\) does not collect ${legacyId}.*entra-migrate setup --signup-attributes`));
    const unset = signUp(await run({ signUpCollision: 'link' }));
    assert.match(unset[0]!.message, /needs LEGACY_ID_ATTRIBUTE/);

    await runSetup({ graph, dryRun: false, targetUrl: site.url, certificateDer: key.certificateDer, extensionAppName: 'JIT', clientAppIds: [CLIENT], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1, signUpAttributes: {} });
    const fixed = await run(link);
    assert.deepEqual(signUp(fixed).map((finding) => finding.level), ['ok']);
    assert.deepEqual(fixed.filter((finding) => finding.level === 'problem'), []);

    const views = structuredClone(emulator.objects.userFlows.get(flowId)!.onAttributeCollection!.attributeCollectionPage.views);
    views[0]!.inputs.find((input) => input.attribute === legacyId)!.hidden = false;
    await graph.call('PATCH', `/v1.0/identity/authenticationEventsFlows/${flowId}`, { '@odata.type': FLOW_TYPE, onAttributeCollection: { '@odata.type': COLLECTION_TYPE, attributeCollectionPage: { views } } });
    const shown = signUp(await run(link));
    assert.equal(shown[0]!.level, 'warning');
    assert.match(shown[0]!.message, /shows .* to the user: it must be a hidden input; run entra-migrate setup --signup-attributes/);
    await graph.call('DELETE', `/v1.0/identity/authenticationEventsFlows/${flowId}`);
  });

  test('the endpoint: not answering, answering without a token, not https', async () => {
    const down = await run({ targetUrl: 'http://127.0.0.1:9/events/password-submit', graph: undefined });
    assert.deepEqual([levelOf(down, 'endpoint')!.level, levelOf(down, 'endpoint')!.entraErrorCode], ['problem', 1003001]);
    assert.equal(levelOf(down, 'tenant')!.level, 'warning', 'without Graph the tenant is not checked, and says so');
    const open = await endpoint(true);
    try {
      assert.equal(levelOf(await run({ targetUrl: open.url, graph: undefined }), 'caller authentication')!.level, 'problem');
    } finally {
      open.server.close();
    }
    const plain = await run({ targetUrl: 'http://jit.contoso.example/events/password-submit', graph: undefined, probes: 1, fetch: (async () => { throw new Error('offline'); }) as typeof fetch });
    assert.deepEqual([levelOf(plain, 'target URL')!.level, levelOf(plain, 'target URL')!.entraErrorCode], ['problem', 1003001]);
  });
});
