import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadServeConfig } from '../../src/config/index.js';
import { settingsReadBy } from '../config/settings-read.js';
import { runCli } from '../support/cli.js';

const RUN_CLI = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));

describe('entra-migrate (command line)', () => {
  test('--help lists the commands and exits 0', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /serve/);
    assert.match(result.stdout, /demo/);
  });

  test('--help lists every command, each with a description', async () => {
    const result = await runCli(['--help']);
    for (const command of ['serve', 'demo', 'emulate', 'hash', 'premigrate', 'keys', 'setup', 'doctor']) assert.match(result.stdout, new RegExp(`^  ${command}\\b.* {2,}\\S`, 'm'), command);
  });

  test('a reader that stops early (| head) ends the command quietly, exit 0, no EPIPE stack', async () => {
    // hash verify answers line by line, so its writes go on after the reader has gone.
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, 'hash', 'verify'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify({ hash: '{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=', password: 'test' })}\n`.repeat(20_000));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy()); // read one chunk, then close the pipe
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });

  test('an unknown command exits 2 with a hint', async () => {
    const result = await runCli(['frobnicate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command/);
    assert.match(result.stderr, /--help/);
  });

  test('serve --help explains every setting serve reads, and the formats of --env-file and --config', async () => {
    const result = await runCli(['serve', '--help']);
    assert.equal(result.code, 0);
    const names = settingsReadBy(loadServeConfig);
    assert.ok(names.length > 15);
    for (const name of names) assert.match(result.stdout, new RegExp(`^  ${name}\\b`, 'm'), name);
    assert.match(result.stdout, /--env-file <file> +dotenv file of settings: KEY=value lines/);
    assert.match(result.stdout, /--config <file> +JSON file of settings/);
  });

  test('setup and doctor --help name both tenant settings and --env-file', async () => {
    for (const command of ['setup', 'doctor']) {
      const { stdout } = await runCli([command, '--help']);
      assert.match(stdout, /AZURE_TENANT_ID or ENTRA_TENANT_ID/, command);
      assert.match(stdout.replace(/\s+/g, ' '), /--env-file <file> [^-]*dotenv file/, command);
    }
  });

  test('serve without settings exits 2 and names each missing setting on its own line, without a stack', async () => {
    const result = await runCli(['serve']);
    assert.equal(result.code, 2);
    for (const name of ['ENTRA_TENANT_ID', 'ENTRA_EXTENSION_APP_ID', 'JIT_DECRYPTION_KEY_FILE', 'LEGACY_DATABASE_URL']) {
      assert.match(result.stderr, new RegExp(`^entra-migrate serve: ${name} `, 'm'), name);
    }
    // No legacy store: one line naming the four settings that each select one.
    assert.match(result.stderr, /^entra-migrate serve: LEGACY_DATABASE_URL or one of LEGACY_VERIFY_URL, LEGACY_LDAP_URL, LEGACY_ROPC_TOKEN_URL is required/m);
    assert.equal(result.stderr.trim().split('\n').length, 5, 'four problems and the closing line');
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  test('serve with an invalid value names the setting and the value problem', async () => {
    const result = await runCli(['serve'], {
      env: {
        PORT: '99999',
        ENTRA_TENANT_ID: 'not-a-guid',
        ENTRA_EXTENSION_APP_ID: '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90',
        JIT_DECRYPTION_KEY_FILE: '/nonexistent.pem',
        LEGACY_DATABASE_URL: 'ftp://example',
        LEGACY_USER_QUERY: 'SELECT 1',
        ENTRA_OPENID_CONFIGURATION_URL: 'http://example.com/.well-known/openid-configuration',
      },
    });
    assert.equal(result.code, 2);
    for (const name of ['PORT', 'ENTRA_TENANT_ID', 'LEGACY_DATABASE_URL', 'LEGACY_USER_QUERY', 'ENTRA_OPENID_CONFIGURATION_URL']) {
      assert.match(result.stderr, new RegExp(`^entra-migrate serve: ${name} `, 'm'), name);
    }
  });

  test('serve with a key file that does not exist exits 2 and names the setting and the file', async () => {
    const result = await runCli(['serve'], {
      env: {
        ENTRA_TENANT_ID: '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21',
        ENTRA_EXTENSION_APP_ID: '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90',
        JIT_DECRYPTION_KEY_FILE: '/nonexistent/key.pem',
        LEGACY_DATABASE_URL: 'sqlite:///nonexistent/legacy.db',
        LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :username',
      },
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^entra-migrate serve: JIT_DECRYPTION_KEY_FILE \/nonexistent\/key\.pem: no such file$/m);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  test('demo refuses a port that is not a number', async () => {
    const result = await runCli(['demo', '--port', 'seventy']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /port/);
  });
});

describe('entra-migrate emulate (command line)', () => {
  test('--help explains how to connect an extension', async () => {
    const result = await runCli(['emulate', '--help']);
    assert.equal(result.code, 0);
    for (const option of ['--port', '--tenant-id', '--extension-url', '--extension-app-id', '--extension-certificate', '--extension-timeout-ms']) {
      assert.ok(result.stdout.includes(option), option);
    }
  });

  test('extension options go together; bad values exit 2', async () => {
    assert.equal((await runCli(['emulate', '--extension-url', 'http://127.0.0.1:7071/events/password-submit'])).code, 2);
    assert.equal((await runCli(['emulate', '--tenant-id', 'contoso'])).code, 2);
    assert.equal((await runCli(['emulate', '--extension-timeout-ms', '5000'])).code, 2);
  });
});
