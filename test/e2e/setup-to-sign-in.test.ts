import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { openExtension, type Extension } from '../../src/app/index.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadServeConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { runCli } from '../support/cli.js';

const ADMIN_APP = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const ADMIN_SECRET = 'setup-admin-secret-value';
const CLIENT_APP = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';

/** A port nothing listens on now, for a target URL that must be known before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const parseEnvFile = (text: string) => Object.fromEntries(text.split('\n').filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).replace(/^"(.*)"$/, '$1')]));

describe('keys generate → setup → premigrate → serve → sign in, against the emulator', () => {
  let emulator: RunningEmulator;
  let extension: Extension | undefined;
  let dir: string;
  let graphEnv: Record<string, string>;
  let targetUrl: string;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN_APP, ADMIN_SECRET);
    dir = await mkdtemp(join(tmpdir(), 'setup-e2e-'));
    graphEnv = {
      ENTRA_TENANT_ID: emulator.tenant.tenantId,
      GRAPH_BASE_URL: emulator.url,
      AZURE_AUTHORITY_HOST: emulator.url,
      AZURE_CLIENT_ID: ADMIN_APP,
      AZURE_CLIENT_SECRET: ADMIN_SECRET,
    };
    targetUrl = `http://127.0.0.1:${await freePort()}/events/password-submit`;
    const legacy = new Database(join(dir, 'legacy.db'));
    legacy.exec('CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL)');
    legacy.prepare('INSERT INTO users VALUES (?, ?, ?)').run('L-1', 'ada@setup.example', await bcryptHash(CANARY_PASSWORDS.correct, 4));
    legacy.close();
  });
  after(async () => {
    await extension?.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  const setup = (...args: string[]) =>
    runCli(['setup', '--target-url', targetUrl, '--certificate', join(dir, 'keys', 'jit.cer'), '--client-app-id', CLIENT_APP, '--key-file', join(dir, 'keys', 'jit.key.pem'), ...args], { env: graphEnv, timeoutInMs: 60_000 });
  /** Signs in through the client application the listener includes, unless told another. */
  const signIn = async (username: string, password: string, clientId = CLIENT_APP) =>
    (await (await fetch(`${emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, clientId }) })).json()) as Record<string, unknown>;

  test('a flagged user signs in with the legacy password and is migrated; setup and doctor agree it is all in place', async () => {
    assert.equal((await runCli(['keys', 'generate', '--out', join(dir, 'keys'), '--name', 'jit'], { timeoutInMs: 60_000 })).code, 0);

    const dryRun = await setup('--dry-run');
    assert.equal(dryRun.code, 3, dryRun.stderr);
    assert.match(dryRun.stdout, /would create +extension property/);
    assert.match(dryRun.stdout, /POST \/beta\/identity\/authenticationEventListeners/);
    assert.equal(emulator.objects.listeners.size, 0, 'a dry run changes nothing');

    const first = await setup('--write-env', join(dir, 'serve.env'));
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created +extension property/);
    const settings = parseEnvFile(await readFile(join(dir, 'serve.env'), 'utf8'));
    assert.equal(settings.ENTRA_TENANT_ID, emulator.tenant.tenantId);
    assert.match(settings.MIGRATION_FLAG_ATTRIBUTE!, /^extension_[0-9a-f]{32}_toBeMigrated$/);

    // Idempotent: a second run and a dry run find everything in place.
    const second = await setup('--json');
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual((JSON.parse(second.stdout) as { steps: Array<{ status: string }> }).steps.map((step) => step.status), ['in place', 'in place', 'in place', 'in place']);
    assert.equal((await setup('--dry-run')).code, 0);

    // Phase 1 flags the user with the attribute setup created; then serve runs on the written settings.
    const users = join(dir, 'users.jsonl');
    await writeFile(users, `${JSON.stringify({ id: 'L-1', email: 'ada@setup.example', display_name: 'Ada' })}\n`);
    const premigrate = await runCli(['premigrate', '--from', users, '--json'], {
      env: { ...graphEnv, ENTRA_TENANT_DOMAIN: emulator.tenant.domain, MIGRATION_FLAG_ATTRIBUTE: settings.MIGRATION_FLAG_ATTRIBUTE!, LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}` },
      timeoutInMs: 60_000,
    });
    assert.equal(premigrate.code, 0, premigrate.stderr);

    const port = Number(new URL(targetUrl).port);
    extension = await openExtension(
      loadServeConfig({
        ...settings,
        HOST: '127.0.0.1',
        PORT: String(port),
        LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
        LEGACY_USER_QUERY: 'SELECT id, password_hash FROM users WHERE email = :username',
        LEDGER_DATABASE_URL: `sqlite://${join(dir, 'decisions.db')}`,
      }),
      { logger: silentLogger() },
    );
    await extension.server.listen({ port, host: '127.0.0.1' });

    // A client the listener does not include never reaches the extension, as in Entra.
    assert.deepEqual(await signIn('ada@setup.example', CANARY_PASSWORDS.correct, '00000000-0000-4000-8000-0000000000aa'), { outcome: 'invalid-credentials', message: 'Your password is incorrect.' });
    assert.equal(emulator.calloutCount(), 0);
    const badClient = await fetch(`${emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada@setup.example', password: 'x', clientId: 'not-a-guid' }) });
    assert.equal(badClient.status, 400);
    assert.deepEqual(await signIn('ada@setup.example', CANARY_PASSWORDS.correct), { outcome: 'signed-in', migrated: true });
    assert.equal(emulator.calloutCount(), 1);
    const user = emulator.directory.findUserBySignInName('ada@setup.example')!;
    assert.equal(emulator.directory.getExtensionAttributes(user.id)[settings.MIGRATION_FLAG_ATTRIBUTE!], false);

    const doctor = await runCli(['doctor', '--target-url', targetUrl, '--json'], { env: { ...graphEnv, JIT_DECRYPTION_KEY_FILE: settings.JIT_DECRYPTION_KEY_FILE!, MIGRATION_FLAG_ATTRIBUTE: settings.MIGRATION_FLAG_ATTRIBUTE! }, timeoutInMs: 60_000 });
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ check: string; level: string }> }).findings;
    assert.deepEqual(findings.filter((finding) => finding.level !== 'ok').map((finding) => finding.check), ['target URL'], 'only the plain-http warning');
    for (const check of ['endpoint', 'caller authentication', 'resource id', 'identifier URI', 'permission', 'encryption certificate', 'listener', 'migration flag', 'timeout']) {
      assert.ok(findings.some((finding) => finding.check === check && finding.level === 'ok'), check);
    }
  });

  test('a broken identifier URI fails sign-ins with 1003014; doctor names it; setup repairs it', async () => {
    const application = [...emulator.objects.applications.values()].find((app) => app.displayName === 'entra-migrate JIT migration')!;
    application.identifierUris = [`api://${application.appId}`];
    await writeFile(join(dir, 'users2.jsonl'), '');
    const user = await emulator.directory.createUser({
      displayName: 'Bo',
      identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'bo@setup.example' }],
      password: 'Random-Initial-Password-1!',
      extensionAttributes: { [[...emulator.objects.listeners.values()][0]!.handler.migrationPropertyId!]: true },
    });
    const failed = await signIn('bo@setup.example', CANARY_PASSWORDS.correct);
    assert.equal(failed.outcome, 'extension-error');
    assert.equal(failed.errorCode, 1003014);

    const doctor = await runCli(['doctor', '--target-url', targetUrl], { env: { ...graphEnv, JIT_DECRYPTION_KEY_FILE: join(dir, 'keys', 'jit.key.pem') }, timeoutInMs: 60_000 });
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /FAIL +identifier URI: .*\[sign-ins fail with 1003014; doctor --explain 1003014\]/);

    const repaired = await setup();
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.match(repaired.stdout, /updated +app registration/);
    assert.notEqual((await signIn('bo@setup.example', CANARY_PASSWORDS.wrong)).outcome, 'extension-error');
    assert.ok(emulator.directory.getUser(user.id));
  });

  test('setup refuses, before any Graph write, a key file that is not the certificate\'s and a certificate it cannot read', async () => {
    assert.equal((await runCli(['keys', 'generate', '--out', join(dir, 'other'), '--name', 'other'], { timeoutInMs: 60_000 })).code, 0);
    const before = emulator.objects.applications.size;
    const mismatch = await runCli(['setup', '--target-url', targetUrl, '--certificate', join(dir, 'keys', 'jit.cer'), '--client-app-id', CLIENT_APP, '--key-file', join(dir, 'other', 'other.key.pem')], { env: graphEnv, timeoutInMs: 60_000 });
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /--key-file none of .*other\.key\.pem holds the private key of --certificate/);
    const unreadable = await runCli(['setup', '--target-url', targetUrl, '--certificate', join(dir, 'keys', 'jit.key.pem.missing'), '--client-app-id', CLIENT_APP], { env: graphEnv, timeoutInMs: 60_000 });
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /--certificate .*: no such file/);
    await writeFile(join(dir, 'not-a-cert.pem'), 'hello');
    const garbage = await runCli(['setup', '--target-url', targetUrl, '--certificate', join(dir, 'not-a-cert.pem'), '--client-app-id', CLIENT_APP], { env: graphEnv, timeoutInMs: 60_000 });
    assert.match(garbage.stderr, /holds no X\.509 certificate/);
    assert.equal(emulator.objects.applications.size, before);
    assert.equal((await runCli(['setup', '--target-url', 'http://auth.contoso.example/x'], { env: graphEnv })).code, 2, 'plain http off loopback');
  });

  test('setup --remove takes the listener away; the extension stays unless asked', async () => {
    const removed = await runCli(['setup', '--target-url', targetUrl, '--remove'], { env: graphEnv, timeoutInMs: 60_000 });
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(emulator.objects.listeners.size, 0);
    assert.equal(emulator.objects.customExtensions.size, 1);
    const again = await runCli(['setup', '--target-url', targetUrl, '--remove', '--remove-extension'], { env: graphEnv, timeoutInMs: 60_000 });
    assert.match(again.stdout, /absent +listener/);
    assert.equal(emulator.objects.customExtensions.size, 0);
  });
});
