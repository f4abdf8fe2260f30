import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../support/cli.js';
import { premigrateEnvironment } from './premigrate-setup.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'messages-cli-secret-value';
const WRONG_TENANT = '99998888-7777-4666-8555-444433332222';
const NOTHING_STARTED = 'entra-migrate premigrate: nothing was started; see `entra-migrate premigrate --help`.\n';

describe('entra-migrate premigrate: the first messages a user meets', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'premigrate-messages-'));
    env = premigrateEnvironment(emulator, { clientId: CLIENT_ID, clientSecret: SECRET, ledgerPath: join(dir, 'ledger.db') });
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a --from file that is not there: one sentence naming the option, exit 2, nothing contacted', async () => {
    const ledger = join(dir, 'untouched.db');
    const run = await runCli(['premigrate', '--from', './users.jsonl'], { env: { ...env, LEDGER_DATABASE_URL: `sqlite://${ledger}` } });
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `entra-migrate premigrate: --from ./users.jsonl: no such file\n${NOTHING_STARTED}`);
    assert.equal(run.stdout, '');
    assert.equal(existsSync(ledger), false, 'the ledger was not even opened');
    // With other problems, all of them at once.
    const { ENTRA_TENANT_DOMAIN: _domain, ...withoutDomain } = env;
    const both = await runCli(['premigrate', '--from', './users.jsonl'], { env: withoutDomain });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^entra-migrate premigrate: --from \.\/users\.jsonl: no such file\nentra-migrate premigrate: ENTRA_TENANT_DOMAIN is required: /);
  });

  test('a --from that is a directory, or a file of no known kind', async () => {
    await mkdir(join(dir, 'exports'), { recursive: true });
    await writeFile(join(dir, 'users.txt'), 'id,email\n');
    const folder = await runCli(['premigrate', '--from', join(dir, 'exports')], { env });
    assert.equal(folder.code, 2);
    assert.equal(folder.stderr, `entra-migrate premigrate: --from ${join(dir, 'exports')}: is a directory; give a .jsonl or .csv file\n${NOTHING_STARTED}`);
    const text = await runCli(['premigrate', '--from', join(dir, 'users.txt')], { env });
    assert.equal(text.code, 2);
    assert.equal(text.stderr, `entra-migrate premigrate: --from ${join(dir, 'users.txt')}: is not a .jsonl, .ndjson or .csv file; its extension says how to read it\n${NOTHING_STARTED}`);
  });

  test('a token endpoint answering 404 names the likely cause, the tenant id and the settings; nothing is read or recorded', async () => {
    const file = join(dir, 'tenant.jsonl');
    await writeFile(file, '{"id": "t1", "email": "t1@legacy.example"}\n');
    const ledger = join(dir, 'wrong-tenant.db');
    const run = await runCli(['premigrate', '--from', file], { env: { ...env, ENTRA_TENANT_ID: WRONG_TENANT, LEDGER_DATABASE_URL: `sqlite://${ledger}` } });
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      `entra-migrate premigrate: The token endpoint refused client ${CLIENT_ID} (HTTP 404): most likely the tenant id ${WRONG_TENANT} is wrong, or ${emulator.url} is not its sign-in authority; check AZURE_TENANT_ID (or ENTRA_TENANT_ID) and AZURE_AUTHORITY_HOST. [GRAPH_AUTH_FAILED]\n`,
    );
    assert.equal(run.stdout, '');
    const db = new Database(ledger, { readonly: true });
    try {
      assert.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM premigration_accounts').get()?.n, 0, 'the app signs in before any account is recorded');
    } finally {
      db.close();
    }
  });

  test("the dry run's quota line is about new accounts: none left to create is not \"0 more fit\"", async () => {
    const file = join(dir, 'quota.jsonl');
    await writeFile(file, Array.from({ length: 3 }, (_, i) => JSON.stringify({ id: `q${i}`, email: `q${i}@legacy.example` })).join('\n') + '\n');
    const first = await runCli(['premigrate', '--from', file, '--dry-run'], { env, timeoutInMs: 60_000 });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^directory quota: 0 of 300,000 objects used; 3 new accounts would be created; they fit \(299,997 objects left after\)$/m);
    assert.equal((await runCli(['premigrate', '--from', file], { env, timeoutInMs: 60_000 })).code, 0);
    const again = await runCli(['premigrate', '--from', file, '--dry-run'], { env, timeoutInMs: 60_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^dry run: 3 read: 0 would be created, 3 already in Entra, 0 would fail \(0 invalid, 0 duplicate\)$/m);
    assert.match(again.stdout, /^directory quota: 3 of 300,000 objects used; 0 new accounts would be created$/m);
  });
});
