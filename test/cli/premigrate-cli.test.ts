import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../support/cli.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'cli-secret';

describe('entra-migrate premigrate (command line)', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(CLIENT_ID, SECRET);
    dir = await mkdtemp(join(tmpdir(), 'premigrate-cli-'));
    env = {
      ENTRA_TENANT_ID: emulator.tenant.tenantId,
      ENTRA_TENANT_DOMAIN: emulator.tenant.domain,
      MIGRATION_FLAG_ATTRIBUTE: 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated',
      GRAPH_BASE_URL: emulator.url,
      AZURE_AUTHORITY_HOST: emulator.url,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: SECRET,
      LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
    };
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('creates the accounts, prints a JSON summary, writes failures as CSV, and a second run skips them', async () => {
    const file = join(dir, 'users.jsonl');
    await writeFile(file, Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: `c${i}`, email: `c${i}@legacy.example` })).join('\n') + '\n{"id": "bad", "email": "nope"}\n');
    const first = await runCli(['premigrate', '--from', file, '--json', '--failures', join(dir, 'failures.csv')], { env, timeoutInMs: 60_000 });
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout) as { created: number; rejected: number };
    assert.deepEqual([summary.created, summary.rejected], [25, 1]);
    assert.equal(await readFile(join(dir, 'failures.csv'), 'utf8'), 'legacy_id,reason\n');
    assert.equal(emulator.directory.countUsers(), 25);
    const second = await runCli(['premigrate', '--from', file], { env, timeoutInMs: 60_000 });
    assert.equal(second.code, 0);
    assert.match(second.stdout, /0 created, 0 already in Entra, 25 done earlier/);
  });

  test('missing settings exit 2 naming each; a bad rate is a usage error', async () => {
    const missing = await runCli(['premigrate', '--from', 'x.jsonl'], { env: {} });
    assert.equal(missing.code, 2);
    for (const name of ['ENTRA_TENANT_ID', 'ENTRA_TENANT_DOMAIN', 'MIGRATION_FLAG_ATTRIBUTE']) {
      assert.match(missing.stderr, new RegExp(`^entra-migrate premigrate: ${name} `, 'm'), name);
    }
    // Against a real authority, no secret means a managed identity; the emulator needs a secret.
    const { AZURE_CLIENT_SECRET: _secret, ...withoutSecret } = env;
    const noSecret = await runCli(['premigrate', '--from', 'x.jsonl'], { env: withoutSecret });
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /^entra-migrate premigrate: AZURE_CLIENT_SECRET is required when AZURE_AUTHORITY_HOST is a local emulator/m);
    const secretWithoutClient = await runCli(['premigrate', '--from', 'x.jsonl'], { env: { ...env, AZURE_CLIENT_ID: '' } });
    assert.match(secretWithoutClient.stderr, /AZURE_CLIENT_ID is required with a secret or certificate/);
    assert.equal((await runCli(['premigrate', '--from', 'x.jsonl', '--rate', '500'], { env })).code, 2);
    assert.equal((await runCli(['premigrate'], { env })).code, 2);
  });
});
