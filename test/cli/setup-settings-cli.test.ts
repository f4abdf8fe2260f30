import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseDotenv } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { runCli } from '../support/cli.js';

const ADMIN_APP = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
const ADMIN_SECRET = 'setup-settings-admin-secret';
const CLIENT_APP = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a';
const TARGET_URL = 'https://auth.contoso.example/events/password-submit';

const valuesOf = (text: string) => Object.fromEntries(parseDotenv(text).entries.map((entry) => [entry.key, entry.value]));

describe('setup --write-env and --env-file, and the tenant from AZURE_TENANT_ID', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let graphEnv: Record<string, string>;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN_APP, ADMIN_SECRET);
    dir = await mkdtemp(join(tmpdir(), 'setup-settings-'));
    const key = await generateDecryptionKey({ subject: 'CN=setup settings test' });
    await writeFile(join(dir, 'jit.key.pem'), key.privateKeyPem + key.certificatePem, { mode: 0o600 });
    await writeFile(join(dir, 'jit.cert.pem'), key.certificatePem);
    graphEnv = { AZURE_TENANT_ID: emulator.tenant.tenantId, GRAPH_BASE_URL: emulator.url, AZURE_AUTHORITY_HOST: emulator.url, AZURE_CLIENT_ID: ADMIN_APP, AZURE_CLIENT_SECRET: ADMIN_SECRET };
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  const setup = (env: Record<string, string>, ...args: string[]) =>
    runCli(['setup', '--target-url', TARGET_URL, '--certificate', join(dir, 'jit.cert.pem'), '--client-app-id', CLIENT_APP, '--key-file', join(dir, 'jit.key.pem'), ...args], { env, timeoutInMs: 60_000 });

  test('a --write-env file setup could not update exactly stops it before the tenant changes, and is left as it was', async () => {
    const path = join(dir, 'broken.env');
    const before = 'LEGACY_DATABASE_URL=postgres://jit@db/legacy\nENTRA_TENANT_ID=x\nthis line is not a setting\n';
    await writeFile(path, before);
    const result = await setup(graphEnv, '--write-env', path);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.split('\n')[0], `entra-migrate setup: --write-env ${path} line 3: expected KEY=value (a name of letters, digits and _, then =)`);
    assert.equal(emulator.objects.listeners.size, 0, 'nothing was set up');
    assert.equal(await readFile(path, 'utf8'), before);
  });

  test("re-running setup (after a key rotation) updates setup's keys and keeps the user's lines, comments and order", async () => {
    const path = join(dir, 'serve.env');
    const userLines = [
      '# serve settings for production',
      '',
      "export LEGACY_DATABASE_URL='postgres://jit@db.internal/legacy?sslmode=require'",
      'LEGACY_USER_QUERY="SELECT id, pwd AS password_hash FROM users WHERE email = :username"  # by e-mail',
      'ENTRA_TENANT_ID=11112222-3333-4444-5555-666677778888',
      '',
      'RESPONSE_DEADLINE_MS=1200',
    ];
    await writeFile(path, `${userLines.join('\n')}\n`, { mode: 0o644 });
    const result = await setup(graphEnv, '--write-env', path);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`Settings for serve written to ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`));

    const text = await readFile(path, 'utf8');
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 4), userLines.slice(0, 4), 'the lines before it unchanged');
    assert.equal(lines[4], `ENTRA_TENANT_ID=${emulator.tenant.tenantId}`, "setup's key updated in place");
    assert.deepEqual(lines.slice(5, 7), userLines.slice(5, 7));
    const values = valuesOf(text);
    const appId = values.ENTRA_EXTENSION_APP_ID!;
    assert.match(appId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      lines.slice(7),
      [
        `ENTRA_EXTENSION_APP_ID=${appId}`,
        `ENTRA_EXTENSION_RESOURCE_ID=api://auth.contoso.example/${appId}`,
        `MIGRATION_FLAG_ATTRIBUTE=${values.MIGRATION_FLAG_ATTRIBUTE}`,
        `JIT_DECRYPTION_KEY_FILE=${join(dir, 'jit.key.pem')}`,
        `ENTRA_OPENID_CONFIGURATION_URL=${emulator.url.replace(/\/$/, '')}/${emulator.tenant.tenantId}/v2.0/.well-known/openid-configuration`,
        '',
      ],
      'new keys appended at the end',
    );
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), [], 'no temporary file left');

    // Again: nothing to change, so the file is byte for byte the same.
    assert.equal((await setup(graphEnv, '--write-env', path)).code, 0);
    assert.equal(await readFile(path, 'utf8'), text);
  });

  test('--env-file supplies the Graph settings (AZURE_TENANT_ID alone names the tenant) and may be the --write-env file', async () => {
    const path = join(dir, 'both.env');
    await writeFile(path, `${Object.entries(graphEnv).map(([key, value]) => `${key}=${value}`).join('\n')}\n`, { mode: 0o600 });
    const result = await setup({}, '--env-file', path, '--write-env', path);
    assert.equal(result.code, 0, result.stderr);
    const values = valuesOf(await readFile(path, 'utf8'));
    assert.equal(values.ENTRA_TENANT_ID, emulator.tenant.tenantId);
    assert.equal(values.AZURE_CLIENT_SECRET, ADMIN_SECRET, "the user's secret stays where it was");
  });

  test('the environment wins over --env-file', async () => {
    const path = join(dir, 'wrong-secret.env');
    await writeFile(path, `${Object.entries({ ...graphEnv, AZURE_CLIENT_SECRET: 'wrong' }).map(([key, value]) => `${key}=${value}`).join('\n')}\n`);
    const result = await setup({ AZURE_CLIENT_SECRET: ADMIN_SECRET }, '--env-file', path, '--dry-run');
    assert.equal(result.code, 0, result.stderr);
  });

  test('ENTRA_TENANT_ID and AZURE_TENANT_ID naming different tenants stop setup with one line naming both', async () => {
    const other = '11112222-3333-4444-5555-666677778888';
    const result = await setup({ ...graphEnv, ENTRA_TENANT_ID: other }, '--dry-run');
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `entra-migrate setup: ENTRA_TENANT_ID (${other}) and AZURE_TENANT_ID (${emulator.tenant.tenantId}) name different tenants; set one of them, or both to the same tenant id\n` +
        'entra-migrate setup: nothing was started; see `entra-migrate setup --help`.\n',
    );
  });

  test('a symbolic link is followed: the file it points to is updated and the link stays', async () => {
    await mkdir(join(dir, 'real'));
    const real = join(dir, 'real', 'serve.env');
    await writeFile(real, 'LEGACY_DATABASE_URL=sqlite://./legacy.db\n');
    await symlink(real, join(dir, 'link.env'));
    assert.equal((await setup(graphEnv, '--write-env', join(dir, 'link.env'))).code, 0);
    assert.equal(valuesOf(await readFile(real, 'utf8')).LEGACY_DATABASE_URL, 'sqlite://./legacy.db');
    assert.equal(valuesOf(await readFile(real, 'utf8')).ENTRA_TENANT_ID, emulator.tenant.tenantId);
    assert.ok((await lstat(join(dir, 'link.env'))).isSymbolicLink());
  });

  test('a file it cannot write: the settings are printed, the error says the tenant is set up, exit 1', async () => {
    const path = join(dir, 'no-such-directory', 'serve.env');
    const result = await setup(graphEnv, '--write-env', path);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^ENTRA_EXTENSION_RESOURCE_ID=api:\/\/auth\.contoso\.example\//m);
    assert.equal(result.stderr, `entra-migrate setup: --write-env cannot write ${path} (ENOENT); the tenant is set up and its settings are printed above: save them, or run setup again with a file you can write\n`);
  });
});
