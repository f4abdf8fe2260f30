import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/common/logger.js';
import { DEMO_USERS, demoWelcome, startDemo, type RunningDemo } from '../../src/demo/index.js';
import { openLedger } from '../../src/ledger/index.js';

const EXPECTED_OUTCOME = { MigratePassword: 'signed-in', UpdatePassword: 'password-change-required', Block: 'blocked' } as const;

for (const legacy of ['sqlite', 'web-service'] as const) describe(`the demo, --legacy ${legacy}`, () => {
  let demo: RunningDemo;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'demo-'));
    demo = await startDemo({ dataDir, extensionPort: 0, emulatorPort: 0, legacy, logger: silentLogger() });
  });
  after(async () => {
    await demo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const user of DEMO_USERS) {
    test(`${user.email} (${user.format}) signs in as the table says: ${user.expected}`, async () => {
      const outcome = await demo.emulator.signIn.signIn({ username: user.email, password: user.password });
      assert.equal(outcome.outcome, EXPECTED_OUTCOME[user.expected], JSON.stringify(outcome));
    });
  }

  test('every demo user reached the extension once, and the ledger holds each decision', async () => {
    assert.equal(demo.emulator.calloutCount(), DEMO_USERS.length);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the ledger is written after each answer is sent
    const ledger = await openLedger(`sqlite://${join(dataDir, 'ledger.db')}`);
    try {
      const counts = await ledger.countByAction();
      assert.equal(counts.MigratePassword, DEMO_USERS.filter((user) => user.expected === 'MigratePassword').length);
      assert.equal(counts.UpdatePassword, DEMO_USERS.filter((user) => user.expected === 'UpdatePassword').length);
      assert.equal(counts.Block, 1);
    } finally {
      await ledger.close();
    }
  });

  test('the key is written with mode 0600 and the welcome names the sign-in page, the legacy store and every user', async () => {
    assert.equal((await stat(join(dataDir, 'extension-key.pem'))).mode & 0o777, 0o600);
    const text = demoWelcome(demo);
    assert.ok(text.includes(demo.signInUrl));
    assert.match(text, legacy === 'sqlite' ? /Legacy store: +SQLite / : /Legacy store: +a legacy login service at http:\/\/127\.0\.0\.1:\d+\/api\/verify, over SQLite /);
    for (const user of DEMO_USERS) assert.ok(text.includes(user.email));
  });
});

describe('the demo with --legacy b2c: a B2C → External ID migration', () => {
  let demo: RunningDemo;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'demo-b2c-'));
    demo = await startDemo({ dataDir, extensionPort: 0, emulatorPort: 0, legacy: 'b2c', logger: silentLogger() });
  });
  after(async () => {
    await demo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the extension asks the emulator\'s B2C tenant through its password grant; no SQLite store is seeded', async () => {
    assert.equal(demo.legacy, 'b2c');
    assert.match(demo.legacyStore, /B2C tenant, password grant at http:\/\/127\.0\.0\.1:\d+\/contosolegacy\.onmicrosoft\.com\/B2C_1_ROPC_Auth\/oauth2\/v2\.0\/token/);
    await assert.rejects(stat(join(dataDir, 'legacy.db')), { code: 'ENOENT' });
  });

  for (const user of DEMO_USERS) {
    test(`${user.email} signs in with the B2C password: ${user.expected}`, async () => {
      const outcome = await demo.emulator.signIn.signIn({ username: user.email, password: user.password });
      assert.equal(outcome.outcome, EXPECTED_OUTCOME[user.expected], JSON.stringify(outcome));
    });
  }

  test('the ledger holds each decision with the B2C object id (the id token\'s oid) as the legacy id', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // the ledger is written after each answer is sent
    const ledger = await openLedger(`sqlite://${join(dataDir, 'ledger.db')}`);
    try {
      const counts = await ledger.countByAction();
      assert.equal(counts.MigratePassword, DEMO_USERS.filter((user) => user.expected === 'MigratePassword').length);
      assert.equal(counts.Block, 1, 'the locked B2C account');
      const b2cIds = new Set(demo.emulator.legacyB2c!.tenant.users.list().map((user) => user.objectId));
      const migrated = (await ledger.listDecisions()).filter((decision) => decision.action === 'MigratePassword');
      assert.ok(migrated.length > 0);
      for (const decision of migrated) assert.ok(b2cIds.has(decision.legacyId!), `${decision.legacyId} is a B2C object id`);
    } finally {
      await ledger.close();
    }
  });

  test('the welcome names the B2C tenant and leaves out the hash formats', () => {
    const text = demoWelcome(demo);
    assert.match(text, /Legacy store: +the emulator's B2C tenant/);
    assert.doesNotMatch(text, /legacy hash|argon2id/);
  });
});
