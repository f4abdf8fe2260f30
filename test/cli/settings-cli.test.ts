import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { runCli } from '../support/cli.js';

const LAUNCHER = fileURLToPath(new URL('../../bin/entra-migrate.js', import.meta.url));

const SERVE_SETTINGS = {
  ENTRA_TENANT_ID: '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21',
  ENTRA_EXTENSION_APP_ID: '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90',
  JIT_DECRYPTION_KEY_FILE: '/nonexistent/key.pem',
  LEGACY_DATABASE_URL: 'sqlite:///nonexistent/legacy.db',
  LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :username',
};
const dotenv = (settings: Record<string, string>) => `${Object.entries(settings).map(([key, value]) => `${key}="${value}"`).join('\n')}\n`;


describe('serve --env-file and --config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'settings-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('serve reads its settings from the --env-file setup writes; the environment wins over it', async () => {
    const path = join(dir, 'serve.env');
    await writeFile(path, `# from setup\n${dotenv({ ...SERVE_SETTINGS, PORT: '99999' })}`);
    const result = await runCli(['serve', '--env-file', path], { env: { LEGACY_USER_QUERY: 'SELECT 1' } });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      [
        'entra-migrate serve: PORT must be a whole number from 0 to 65535, got "99999"',
        'entra-migrate serve: LEGACY_USER_QUERY must use at least one of the parameters :username, :email, :objectId',
        'entra-migrate serve: nothing was started; see `entra-migrate serve --help`.',
        '',
      ].join('\n'),
    );
  });

  test('a malformed --env-file line is named by its number, never shown', async () => {
    const path = join(dir, 'malformed.env');
    await writeFile(path, `ENTRA_TENANT_ID=${SERVE_SETTINGS.ENTRA_TENANT_ID}\nLEGACY_DATABASE_URL: postgres://jit:${CANARY_PASSWORDS.correct}@db/legacy\n`);
    const result = await runCli(['serve', '--env-file', path]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.split('\n')[0], `entra-migrate serve: --env-file ${path} line 2: expected KEY=value (a name of letters, digits and _, then =)`);
    assert.ok(!result.stderr.includes(CANARY_PASSWORDS.correct));
  });

  test('the file setup writes, given to --config, is refused with a pointer to --env-file', async () => {
    const path = join(dir, 'given-to-config.env');
    await writeFile(path, dotenv(SERVE_SETTINGS));
    const result = await runCli(['serve', '--config', path]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.split('\n')[0], `entra-migrate serve: --config ${path} is not valid JSON; it looks like a dotenv file: give it with --env-file`);
  });

  test('an --env-file that does not exist names the option and the file', async () => {
    const path = join(dir, 'missing.env');
    const result = await runCli(['serve', '--env-file', path]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr.split('\n')[0], `entra-migrate serve: --env-file ${path}: no such file`);
  });

  // Node 20 takes `--env-file` for itself wherever it stands on its command line (nodejs/node#54232): the launcher's
  // `#!/usr/bin/env -S node --` keeps the option ours. Runs the installed launcher (dist/, built by `npm install`).
  test('the launcher keeps --env-file for entra-migrate, not for node', async () => {
    const path = join(dir, 'missing-too.env');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(LAUNCHER, ['serve', '--env-file', path], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.doesNotMatch(result.stderr, /^node:/m);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--env-file .*missing-too\.env: no such file/);
  });
});

describe('doctor: the tenant from AZURE_TENANT_ID, settings from --env-file', () => {
  const ADMIN_APP = '5a1d9c3e-7b2f-4e6a-8c0d-1f2e3a4b5c6d';
  const ADMIN_SECRET = 'doctor-admin-secret';
  let emulator: RunningEmulator;
  let dir: string;
  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN_APP, ADMIN_SECRET);
    dir = await mkdtemp(join(tmpdir(), 'doctor-settings-'));
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  const checksOf = (stdout: string) => (JSON.parse(stdout) as { findings: Array<{ check: string }> }).findings.map((finding) => finding.check);
  const graph = () => ({ GRAPH_BASE_URL: emulator.url, AZURE_AUTHORITY_HOST: emulator.url, AZURE_CLIENT_ID: ADMIN_APP, AZURE_CLIENT_SECRET: ADMIN_SECRET });
  // Nothing listens on port 9: the endpoint checks fail fast, and the tenant is checked all the same.
  const doctor = (env: Record<string, string>, ...args: string[]) => runCli(['doctor', '--target-url', 'http://127.0.0.1:9/events/password-submit', '--json', ...args], { env, timeoutInMs: 60_000 });

  test('AZURE_TENANT_ID alone is a tenant: the tenant is checked', async () => {
    const result = await doctor({ AZURE_TENANT_ID: emulator.tenant.tenantId, ...graph() });
    assert.equal(result.code, 1, result.stderr);
    assert.ok(checksOf(result.stdout).includes('custom extension'), result.stdout);
    assert.ok(!checksOf(result.stdout).includes('tenant'), 'not "no Graph access"');
  });

  test('--env-file supplies the tenant and Graph access', async () => {
    const path = join(dir, 'doctor.env');
    await writeFile(path, dotenv({ ENTRA_TENANT_ID: emulator.tenant.tenantId, ...graph() }));
    const result = await doctor({}, '--env-file', path);
    assert.ok(checksOf(result.stdout).includes('custom extension'), result.stdout + result.stderr);
  });
});
