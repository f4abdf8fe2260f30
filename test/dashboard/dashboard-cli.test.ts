import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/cli.js';

describe('entra-migrate dashboard (command line)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dashboard-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('off loopback without DASHBOARD_TOKEN it refuses to start: exit 2, the setting named, nothing listening', async () => {
    const result = await runCli(['dashboard'], { env: { HOST: '0.0.0.0', DASHBOARD_PORT: '0', LEDGER_DATABASE_URL: 'memory:' } });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^entra-migrate dashboard: DASHBOARD_TOKEN is required when HOST is not this machine/m);
    assert.match(result.stderr, /nothing was started/);
    assert.equal(result.stdout, '');
  });

  test('a token too short is refused without being echoed', async () => {
    const token = 'tiny-secret';
    const result = await runCli(['dashboard'], { env: { HOST: '0.0.0.0', DASHBOARD_TOKEN: token, LEDGER_DATABASE_URL: 'memory:' } });
    assert.equal(result.code, 2);
    assert.ok(!result.stderr.includes(token));
  });

  test('a SQLite ledger that does not exist is refused, not created: exit 1', async () => {
    const result = await runCli(['dashboard'], { env: { DASHBOARD_PORT: '0', LEDGER_DATABASE_URL: `sqlite://${join(dir, 'missing.db')}` } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /There is no ledger at .*missing\.db: run premigrate first/);
  });

  test('--help names every setting it reads', async () => {
    const result = await runCli(['dashboard', '--help']);
    assert.equal(result.code, 0);
    for (const setting of ['DASHBOARD_PORT', 'HOST', 'DASHBOARD_TOKEN', 'LEDGER_DATABASE_URL', 'RESPONSE_DEADLINE_MS', '7090', '127.0.0.1']) assert.ok(result.stdout.includes(setting), setting);
  });
});
