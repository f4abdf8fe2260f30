import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { runDoctor, type Finding } from '../../src/doctor/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appCredential, createGraphClient, type GraphClient } from '../../src/graph/index.js';
import { generateDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { runSetup, type SetupOptions } from '../../src/setup/index.js';
import { signUpFlow } from '../setup/sign-up-flow-body.js';

const ADMIN = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const EVENTS: Record<string, string> = {
  '/events/password-submit': 'OnPasswordSubmit',
  '/events/attribute-collection-start': 'OnAttributeCollectionStart',
  '/events/attribute-collection-submit': 'OnAttributeCollectionSubmit',
  '/events/token-issuance-start': 'OnTokenIssuanceStart',
  '/events/otp-send': 'OnOtpSend',
};

/** serve's event routes as doctor sees them: GET answers { status: 'ok', event }, POST without a token 401. `swap` answers one route with another event. */
function eventServer(swap: { route?: string }): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer((request, response) => {
      request.resume();
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const event = path === swap.route ? 'OnPasswordSubmit' : EVENTS[path];
      response.setHeader('content-type', 'application/json');
      if (!event) response.statusCode = 404;
      else if (request.method !== 'GET') response.statusCode = 401;
      response.end(JSON.stringify(event ? { status: 'ok', event } : { error: 'not found' }));
    }).listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/events/password-submit`, server }));
  });
}

const of = (findings: Finding[], check: string) => findings.filter((finding) => finding.check === check);

describe('doctor: the token issuance, OTP send and attribute collection events', () => {
  let emulator: RunningEmulator;
  let graph: GraphClient;
  let key: GeneratedDecryptionKey;
  let site: { url: string; server: Server };
  const swap: { route?: string } = {};
  let client: { appId: string; id: string };
  const setupOptions = (extra: Partial<SetupOptions> = {}): SetupOptions => ({
    graph,
    dryRun: false,
    targetUrl: site.url,
    certificateDer: key.certificateDer,
    extensionAppName: 'JIT',
    clientAppIds: [client.appId],
    flagName: 'toBeMigrated',
    timeoutInMs: 2000,
    maximumRetries: 1,
    events: ['password-submit', 'attribute-collection', 'token-issuance-start', 'otp-send'],
    claims: ['legacyId', 'roles'],
    ...extra,
  });
  const run = () => runDoctor({ graph, targetUrl: site.url, serverKeyThumbprints: [key.x5t], responseDeadlineInMs: 1500, probes: 1 });

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN, 'admin-secret');
    graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN, clientSecret: 'admin-secret' }).credential });
    key = await generateDecryptionKey({ subject: 'CN=doctor-events' });
    site = await eventServer(swap);
    const application = emulator.objects.addApplication('Contoso web');
    client = { appId: application.appId, id: application.id };
    emulator.objects.addServicePrincipal(application.appId, application.displayName);
    await graph.call('POST', '/v1.0/identity/authenticationEventsFlows', signUpFlow('Sign up', application.appId));
    await runSetup(setupOptions());
  });
  after(async () => {
    site.server.close();
    await emulator.close();
  });

  test('after setup --events, every event check is ok', async () => {
    const findings = await run();
    assert.deepEqual(findings.filter((finding) => finding.level === 'problem'), []);
    for (const check of ['OnTokenIssuanceStart listener', 'OnOtpSend listener', 'OnAttributeCollectionStart handler', 'OnAttributeCollectionSubmit handler', 'token claims', 'accept mapped claims', 'OTP fallback']) {
      assert.ok(of(findings, check).length > 0 && of(findings, check).every((finding) => finding.level === 'ok'), `${check}: ${JSON.stringify(of(findings, check))}`);
    }
    assert.ok(of(findings, 'OnOtpSend listener').some((finding) => /answers for OnOtpSend/.test(finding.message)));
  });

  test('an unmapped claim is a warning ("never reach the token"); acceptMappedClaims off is a problem', async () => {
    const principal = emulator.objects.servicePrincipalByAppId(client.appId)!;
    emulator.objects.servicePrincipals.set(principal.id, { ...principal, claimsMappingPolicyIds: [] });
    const application = emulator.objects.applications.get(client.id)!;
    emulator.objects.applications.set(client.id, { ...application, api: { ...application.api, acceptMappedClaims: null } });
    const findings = await run();
    const claims = of(findings, 'token claims')[0]!;
    assert.equal(claims.level, 'warning');
    assert.match(claims.message, /legacyId, roles are not mapped .* the claims never reach the token/);
    assert.equal(of(findings, 'accept mapped claims')[0]!.level, 'problem');
    await runSetup(setupOptions());
    assert.deepEqual((await run()).filter((finding) => finding.level !== 'ok').map((finding) => finding.check), ['target URL']);
  });

  test('no OTP fallback is a warning', async () => {
    await runSetup(setupOptions({ otpFallback: false }));
    const fallback = of(await run(), 'OTP fallback')[0]!;
    assert.equal(fallback.level, 'warning');
    assert.match(fallback.message, /sends no code/);
    await runSetup(setupOptions());
  });

  test("a route answering for another event, and a resource id of another host, are problems", async () => {
    swap.route = '/events/otp-send';
    try {
      const wrong = of(await run(), 'OnOtpSend listener').find((finding) => finding.level === 'problem')!;
      assert.match(wrong.message, /answers for OnPasswordSubmit, not OnOtpSend/);
    } finally {
      delete swap.route;
    }
    const extension = [...emulator.objects.customExtensions.values()].find((entry) => entry['@odata.type'] === '#microsoft.graph.onTokenIssuanceStartCustomExtension')!;
    const saved = structuredClone(extension);
    emulator.objects.customExtensions.set(extension.id, { ...extension, authenticationConfiguration: { ...extension.authenticationConfiguration, resourceId: extension.authenticationConfiguration.resourceId.replace('127.0.0.1', 'elsewhere.example') } });
    try {
      const mismatch = of(await run(), 'OnTokenIssuanceStart listener').find((finding) => finding.level === 'problem')!;
      assert.equal(mismatch.entraErrorCode, 1003015);
    } finally {
      emulator.objects.customExtensions.set(extension.id, saved);
    }
  });

  test('a listener calling an extension of another type is a problem', async () => {
    const listener = [...emulator.objects.listeners.values()].find((entry) => entry['@odata.type'] === '#microsoft.graph.onEmailOtpSendListener')!;
    const password = [...emulator.objects.customExtensions.values()].find((entry) => entry['@odata.type'] === '#microsoft.graph.onPasswordSubmitCustomExtension')!;
    emulator.objects.listeners.set(listener.id, { ...listener, handler: { ...listener.handler, customExtension: { id: password.id } } });
    try {
      const finding = of(await run(), 'OnOtpSend listener')[0]!;
      assert.equal(finding.level, 'problem');
      assert.match(finding.message, /must be a #microsoft.graph.onOtpSendCustomExtension/);
    } finally {
      emulator.objects.listeners.set(listener.id, listener);
    }
  });
});

describe('doctor with only other events set up', () => {
  test('no OnPasswordSubmit extension is a problem, and the --client-app-id listeners are still checked', async () => {
    const emulator = await startEmulator({ port: 0 });
    const site = await eventServer({});
    try {
      emulator.registerClientApp(ADMIN, 'admin-secret');
      const graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN, clientSecret: 'admin-secret' }).credential });
      const key = await generateDecryptionKey({ subject: 'CN=doctor-otp-only' });
      const client = emulator.objects.addApplication('Contoso web');
      await runSetup({ graph, dryRun: false, targetUrl: site.url, certificateDer: key.certificateDer, extensionAppName: 'JIT', clientAppIds: [client.appId], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1, events: ['otp-send'], otpFallback: false });
      const findings = await runDoctor({ graph, targetUrl: site.url, serverKeyThumbprints: [key.x5t], responseDeadlineInMs: 1500, probes: 1, clientAppIds: [client.appId] });
      assert.equal(of(findings, 'custom extension')[0]!.level, 'problem');
      assert.ok(of(findings, 'OnOtpSend listener').some((finding) => finding.level === 'ok' && /answers for OnOtpSend/.test(finding.message)));
      assert.equal(of(findings, 'OTP fallback')[0]!.level, 'warning');
      // Another client app's listeners are not this deployment's business.
      const other = await runDoctor({ graph, targetUrl: site.url, serverKeyThumbprints: [key.x5t], responseDeadlineInMs: 1500, probes: 1, clientAppIds: ['00000000-0000-4000-8000-0000000000c9'] });
      assert.deepEqual(of(other, 'OnOtpSend listener'), []);
    } finally {
      site.server.close();
      await emulator.close();
    }
  });
});
