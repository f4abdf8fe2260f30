import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseDotenv } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appCredential, createGraphClient } from '../../src/graph/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { runCli } from '../support/cli.js';
import { signUpFlow } from '../setup/sign-up-flow-body.js';

const ADMIN_APP = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const ADMIN_SECRET = 'setup-signup-admin-secret';
const CLIENT_APP = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';
const TARGET_URL = 'https://auth.contoso.example/events/password-submit';

describe('setup --signup-attributes from the command line', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  const setup = (...args: string[]) => runCli(['setup', '--target-url', TARGET_URL, '--certificate', join(dir, 'jit.cert.pem'), '--client-app-id', CLIENT_APP, ...args], { env, timeoutInMs: 60_000 });

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN_APP, ADMIN_SECRET);
    dir = await mkdtemp(join(tmpdir(), 'setup-signup-'));
    await writeFile(join(dir, 'jit.cert.pem'), (await generateDecryptionKey({ subject: 'CN=setup sign-up test' })).certificatePem);
    env = { AZURE_TENANT_ID: emulator.tenant.tenantId, GRAPH_BASE_URL: emulator.url, AZURE_AUTHORITY_HOST: emulator.url, AZURE_CLIENT_ID: ADMIN_APP, AZURE_CLIENT_SECRET: ADMIN_SECRET };
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('--flow without --signup-attributes is a usage error', async () => {
    const result = await setup('--flow', '0313cc37-d421-421d-857b-87804d61e33e', '--dry-run');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^entra-migrate setup: --flow chooses the sign-up flow for --signup-attributes or --events attribute-collection; add one of them$/m);
  });

  test('no sign-up flow for the client application: exit 1, the code and what to do, nothing created', async () => {
    const result = await setup('--signup-attributes');
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`No sign-up user flow is linked to ${CLIENT_APP}.*\\[SETUP_SIGN_UP_FLOW_NOT_FOUND\\]`));
    assert.equal(emulator.objects.applications.size, 1, 'only the b2c-extensions-app');
    assert.equal(emulator.objects.extensionProperties.size, 0);
  });

  test('dry run (exit 3) prints the sign-up steps and their requests; apply writes LEGACY_ID_ATTRIBUTE; the next dry run has nothing to do', async () => {
    const flow = signUpFlow('Sign up', CLIENT_APP);
    flow.onAttributeCollection.attributes.push({ id: 'givenName' }, { id: 'surname' });
    flow.onAttributeCollection.attributeCollectionPage.views[0]!.inputs.push(
      { attribute: 'givenName', label: 'Given name', inputType: 'text', hidden: false, editable: true, writeToDirectory: true, required: false },
      { attribute: 'surname', label: 'Surname', inputType: 'text', hidden: false, editable: true, writeToDirectory: true, required: false },
    );
    const graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: ADMIN_APP, clientSecret: ADMIN_SECRET }).credential });
    const flowId = (await graph.call<{ id: string }>('POST', '/v1.0/identity/authenticationEventsFlows', flow)).id;
    const legacyId = `extension_${emulator.objects.b2cExtensionsApp.appId.replace(/-/g, '')}_legacyId`;

    const dry = await setup('--signup-attributes', '--dry-run');
    assert.equal(dry.code, 3, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^would create legacy id attribute: ${legacyId} \\(string, on the b2c-extensions-app\\)$`, 'm'));
    assert.match(dry.stdout, new RegExp(`^would update sign-up flow: "Sign up" \\(${flowId}\\): ${legacyId} hidden; displayName, givenName, surname already on the page, left as they are$`, 'm'));
    assert.match(dry.stdout, new RegExp(`^ {13}POST /v1\\.0/identity/authenticationEventsFlows/${flowId}/microsoft\\.graph\\.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft\\.graph\\.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes/\\$ref$`, 'm'));
    assert.match(dry.stdout, new RegExp(`^LEGACY_ID_ATTRIBUTE=${legacyId}$`, 'm'));

    const path = join(dir, 'serve.env');
    const applied = await setup('--signup-attributes', '--write-env', path);
    assert.equal(applied.code, 0, applied.stderr);
    const values = Object.fromEntries(parseDotenv(await readFile(path, 'utf8')).entries.map((entry) => [entry.key, entry.value]));
    assert.equal(values.LEGACY_ID_ATTRIBUTE, legacyId);
    const again = await setup('--signup-attributes', '--dry-run', '--json');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout).steps as Array<{ name: string; status: string }>).map((step) => step.status), Array(6).fill('in place'));
  });
});
