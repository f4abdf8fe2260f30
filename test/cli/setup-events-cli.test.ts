import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { runCli } from '../support/cli.js';

const ADMIN_APP = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const ADMIN_SECRET = 'setup-events-admin-secret';
const TARGET_URL = 'https://auth.contoso.example/events/password-submit';

describe('setup --events from the command line', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  let clientAppId: string;
  const setup = (...args: string[]) => runCli(['setup', '--target-url', TARGET_URL, '--certificate', join(dir, 'jit.cert.pem'), '--client-app-id', clientAppId, ...args], { env, timeoutInMs: 60_000 });

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN_APP, ADMIN_SECRET);
    const client = emulator.objects.addApplication('Contoso web');
    emulator.objects.addServicePrincipal(client.appId, client.displayName);
    clientAppId = client.appId;
    dir = await mkdtemp(join(tmpdir(), 'setup-events-'));
    await writeFile(join(dir, 'jit.cert.pem'), (await generateDecryptionKey({ subject: 'CN=setup events test' })).certificatePem);
    env = { AZURE_TENANT_ID: emulator.tenant.tenantId, GRAPH_BASE_URL: emulator.url, AZURE_AUTHORITY_HOST: emulator.url, AZURE_CLIENT_ID: ADMIN_APP, AZURE_CLIENT_SECRET: ADMIN_SECRET };
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('usage errors (exit 2): an unknown event, a bad claim name, token issuance without --claims, --no-otp-fallback without otp-send', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--events', 'password-submit,logout'], /--events.*"logout"; known: password-submit, attribute-collection, token-issuance-start, otp-send/],
      [['--events', 'token-issuance-start', '--claims', 'legacy id'], /not a claim name/],
      [['--events', 'token-issuance-start'], /--claims is required with --events token-issuance-start/],
      [['--no-otp-fallback'], /--no-otp-fallback applies to otp-send/],
    ];
    for (const [args, message] of cases) {
      const result = await setup(...args, '--dry-run');
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
    }
    assert.equal(emulator.objects.customExtensions.size, 0);
  });

  test('--events token-issuance-start,otp-send --claims: dry run exits 3, apply 0, again nothing to change; --json lists the steps', async () => {
    const args = ['--events', 'password-submit,token-issuance-start,otp-send', '--claims', 'legacyId,roles'];
    const dry = await setup(...args, '--dry-run');
    assert.equal(dry.code, 3, dry.stderr);
    assert.match(dry.stdout, /POST \/v1\.0\/servicePrincipals\/[0-9a-f-]{36}\/claimsMappingPolicies\/\$ref/);
    const applied = await setup(...args, '--json');
    assert.equal(applied.code, 0, applied.stderr);
    const steps = (JSON.parse(applied.stdout) as { steps: Array<{ name: string; status: string }> }).steps;
    assert.ok(steps.some((step) => step.name === 'listener (OnOtpSend)' && step.status === 'created'));
    assert.equal((await setup(...args, '--dry-run')).code, 0);
    const removed = await setup('--events', 'otp-send', '--remove', '--remove-extension');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal([...emulator.objects.listeners.values()].some((listener) => listener['@odata.type'] === '#microsoft.graph.onEmailOtpSendListener'), false);
  });
});
