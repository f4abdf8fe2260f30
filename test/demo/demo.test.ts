import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/common/logger.js';
import { ConfigError } from '../../src/config/index.js';
import { DEMO_EXTENSION_APP_ID, DEMO_LATE_USERS, DEMO_USERS, demoWelcome, startDemo, type DemoSignUpCollision, type RunningDemo } from '../../src/demo/index.js';
import { EMULATOR_SIGN_IN_APP, resolveEventListener, type SignUpOutcome } from '../../src/emulator/index.js';
import { TOKEN_ISSUANCE_START } from '../../src/emulator/events/index.js';
import { mappedProviderClaims } from '../../src/setup/index.js';
import { openLedger } from '../../src/ledger/index.js';

const EXPECTED_OUTCOME = { MigratePassword: 'signed-in', UpdatePassword: 'password-change-required', Block: 'blocked' } as const;

for (const legacy of ['sqlite', 'web-service'] as const) describe(`the demo, --legacy ${legacy}`, () => {
  let demo: RunningDemo;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'demo-'));
    demo = await startDemo({ dataDir, extensionPort: 0, emulatorPort: 0, dashboardPort: 0, legacy, logger: silentLogger() });
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

  test('the dashboard beside it reads the demo\'s ledger: every pre-created user counted, on this machine only', async () => {
    assert.match(demo.dashboardUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(new URL('api/figures', demo.dashboardUrl));
    assert.equal(response.status, 200);
    const { figures } = (await response.json()) as { figures: { progress: { preCreated: number } } };
    assert.equal(figures.progress.preCreated, DEMO_USERS.length);
    assert.match(demoWelcome(demo), new RegExp(`Dashboard: +${demo.dashboardUrl.replace(/[.]/g, '\\.')}`));
  });

  if (legacy === 'sqlite') {
    test('a demo user\'s id token, asked for on the JSON sign-in route, carries the legacy claims of TOKEN_CLAIMS_QUERY', async () => {
      const user = DEMO_USERS.find((candidate) => candidate.expected === 'MigratePassword')!;
      const before = demo.emulator.tokens.calloutCount();
      const outcome = await signInForToken(demo, user.email, user.password);
      assert.equal(outcome.outcome, 'signed-in', JSON.stringify(outcome.outcome));
      assert.equal(outcome.claims?.customerNumber, user.id, 'the legacy id, as customerNumber');
      assert.equal(outcome.claims?.accountStatus, 'active');
      assert.equal(demo.emulator.tokens.calloutCount(), before + 1, 'one OnTokenIssuanceStart callout, answered by serve');
    });

    test('the tenant is configured as setup --events token-issuance-start would leave it', () => {
      const issuance = demo.tokenIssuance!;
      const base = demo.extensionUrl.replace(/\/events\/password-submit$/, '');
      assert.equal(issuance.targetUrl, `${base}/events/token-issuance-start`);
      assert.deepEqual(issuance.claims, ['legacyId', 'customerNumber', 'accountStatus']);
      const { objects } = demo.emulator;
      const extensionApp = objects.applicationByAppId(DEMO_EXTENSION_APP_ID)!;
      assert.deepEqual(extensionApp.identifierUris, [`api://127.0.0.1/${DEMO_EXTENSION_APP_ID}`]);
      const signInApp = objects.applicationByAppId(EMULATOR_SIGN_IN_APP.appId)!;
      assert.equal(signInApp.api.acceptMappedClaims, true);
      assert.deepEqual(objects.servicePrincipalByAppId(EMULATOR_SIGN_IN_APP.appId)!.claimsMappingPolicyIds, [issuance.claimsMappingPolicyId]);
      assert.deepEqual(mappedProviderClaims(objects.claimsMappingPolicies.get(issuance.claimsMappingPolicyId)!.definition), issuance.claims);
      assert.equal(resolveEventListener(objects, TOKEN_ISSUANCE_START, EMULATOR_SIGN_IN_APP.appId).kind, 'ready');
    });

    test('the sign-in page shows the token\'s legacy claims after a sign-in', async () => {
      const user = DEMO_USERS.find((candidate) => candidate.expected === 'MigratePassword')!;
      const response = await fetch(`${demo.signInUrl}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: user.email, password: user.password }) });
      const page = await response.text();
      assert.equal(response.status, 200, page.slice(0, 500));
      assert.ok(page.includes('customerNumber') && page.includes('accountStatus'), 'the claim names on the page');
    });
  } else {
    test('no TOKEN_CLAIMS_QUERY without the SQL store: no OnTokenIssuanceStart listener, the token has no legacy claims', async () => {
      assert.equal(demo.tokenIssuance, undefined);
      const user = DEMO_USERS[0]!;
      const outcome = await signInForToken(demo, user.email, user.password);
      assert.equal(outcome.outcome, 'signed-in');
      assert.equal(outcome.claims?.customerNumber, undefined);
      assert.equal(demo.emulator.tokens.calloutCount(), 0);
      assert.doesNotMatch(demoWelcome(demo), /OnTokenIssuanceStart/);
    });
  }

  test('the key is written with mode 0600 and the welcome names the sign-in page, the legacy store and every user', async () => {
    assert.equal((await stat(join(dataDir, 'extension-key.pem'))).mode & 0o777, 0o600);
    const text = demoWelcome(demo);
    assert.ok(text.includes(demo.signInUrl));
    assert.match(text, legacy === 'sqlite' ? /Legacy store: +SQLite / : /Legacy store: +a legacy login service at http:\/\/127\.0\.0\.1:\d+\/api\/verify, over SQLite /);
    for (const user of DEMO_USERS) assert.ok(text.includes(user.email));
    if (legacy === 'sqlite') assert.match(text, /OnTokenIssuanceStart: the page after sign-in shows the id token's claims,\nincluding customerNumber and accountStatus from the legacy store\./);
  });
});

/** Signs in on the emulator's JSON route, asking for the id token and its claims. */
async function signInForToken(demo: RunningDemo, username: string, password: string): Promise<{ outcome: string; claims?: Record<string, unknown> }> {
  const response = await fetch(`${demo.signInUrl}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, includeIdToken: true }) });
  return (await response.json()) as { outcome: string; claims?: Record<string, unknown> };
}

describe('the demo with --legacy b2c: a B2C → External ID migration', () => {
  let demo: RunningDemo;
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'demo-b2c-'));
    demo = await startDemo({ dataDir, extensionPort: 0, emulatorPort: 0, dashboardPort: 0, legacy: 'b2c', logger: silentLogger() });
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

  test('sign-up is not checked against B2C (it cannot look an address up): the late user signs up like anyone', async () => {
    assert.equal(demo.signUp.collision, 'off');
    assert.match(demoWelcome(demo), /cannot look an e-mail address up/);
    const page = await toAttributePage(demo, DEMO_LATE_USERS[0]!.email);
    assert.equal(page.attributes.find((attribute) => attribute.name === 'givenName')!.value, null, 'no prefill');
  });
});

/** Sign-up through the emulator's service (the page's code path): the e-mail, its one-time code, then the attribute page. */
async function toAttributePage(demo: RunningDemo, email: string): Promise<Extract<SignUpOutcome, { outcome: 'attributes-required' }>> {
  const sent = await demo.emulator.signUp.begin({ email });
  assert.equal(sent.outcome, 'code-sent', JSON.stringify(sent));
  if (sent.outcome !== 'code-sent') throw new Error('unreachable');
  const page = await demo.emulator.signUp.verify({ verificationId: sent.verificationId, code: sent.code });
  assert.equal(page.outcome, 'attributes-required', JSON.stringify(page));
  if (page.outcome !== 'attributes-required') throw new Error('unreachable');
  return page;
}

const NEW_PASSWORD = 'Fresh-Start-2026!';

for (const collision of ['block', 'link'] as const satisfies readonly DemoSignUpCollision[]) describe(`the demo's sign-up, --signup-collision ${collision}`, () => {
  let demo: RunningDemo;
  let dataDir: string;
  const late = DEMO_LATE_USERS[0]!;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `demo-sign-up-${collision}-`));
    demo = await startDemo({ dataDir, extensionPort: 0, emulatorPort: 0, dashboardPort: 0, logger: silentLogger(), ...(collision === 'link' && { signUpCollision: collision }) });
  });
  after(async () => {
    await demo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the emulator sends both attribute collection events to serve, with the legacy id a hidden input', () => {
    assert.equal(demo.signUp.collision, collision);
    const flow = demo.emulator.signUpFlow();
    const base = demo.extensionUrl.replace(/\/events\/password-submit$/, '');
    assert.equal(flow.start?.targetUrl, `${base}/events/attribute-collection-start`);
    assert.equal(flow.submit?.targetUrl, `${base}/events/attribute-collection-submit`);
    assert.deepEqual(flow.attributes.filter((attribute) => attribute.hidden).map((attribute) => attribute.name), [demo.signUp.legacyIdAttribute]);
    assert.match(demo.signUp.legacyIdAttribute, /^extension_[0-9a-f]{32}_legacyId$/);
    assert.equal(demo.emulator.directory.findUserBySignInName(late.email), undefined, 'the late user is not pre-created');
  });

  if (collision === 'block') {
    test(`${late.email}, in the legacy store only, is blocked before the attribute page with the collision message`, async () => {
      const before = demo.emulator.signUp.calloutCount();
      const sent = await demo.emulator.signUp.begin({ email: late.email });
      assert.equal(sent.outcome, 'code-sent');
      if (sent.outcome !== 'code-sent') return;
      const outcome = await demo.emulator.signUp.verify({ verificationId: sent.verificationId, code: sent.code });
      assert.deepEqual(outcome, { outcome: 'blocked', message: 'There is already an account with this e-mail address. Sign in with your existing password.' });
      assert.equal(demo.emulator.signUp.calloutCount(), before + 1, 'one OnAttributeCollectionStart callout, answered by serve');
    });

    test(`the message is true: serve created ${late.email} in Entra through Graph, flagged, and the legacy password migrates`, async () => {
      const user = demo.emulator.directory.findUserBySignInName(late.email);
      assert.ok(user, 'created before the block page');
      assert.equal(demo.emulator.directory.getExtensionAttributes(user.id)[demo.flagAttribute], true);
      const callouts = demo.emulator.calloutCount();
      assert.equal((await demo.emulator.signIn.signIn({ username: late.email, password: late.password })).outcome, 'signed-in');
      assert.equal(demo.emulator.calloutCount(), callouts + 1, 'the JIT migration ran');
      assert.equal(demo.emulator.directory.getExtensionAttributes(user.id)[demo.flagAttribute], false);
    });
  } else {
    test(`${late.email} signs up with a prefilled page and the new account carries the legacy id; the ledger says migrated by sign-up`, async () => {
      const page = await toAttributePage(demo, late.email);
      const valueOf = (name: string) => page.attributes.find((attribute) => attribute.name === name)!.value;
      assert.equal(valueOf('givenName'), late.givenName);
      assert.equal(valueOf('surname'), late.surname);
      assert.equal(valueOf(demo.signUp.legacyIdAttribute), null, 'the legacy id is never shown on the page');
      const done = await demo.emulator.signUp.submit({ state: page.state, password: NEW_PASSWORD, attributes: { displayName: late.displayName, givenName: late.givenName, surname: late.surname }, includeIdToken: true });
      assert.equal(done.outcome, 'signed-up', JSON.stringify(done.outcome));
      if (done.outcome === 'signed-up') assert.equal(done.claims?.customerNumber, late.id, 'the sign-up\'s token carries the legacy claims too');
      const user = demo.emulator.directory.findUserBySignInName(late.email)!;
      assert.equal(demo.emulator.directory.getExtensionAttributes(user.id)[demo.signUp.legacyIdAttribute], late.id);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the ledger is written after each answer is sent
      const ledger = await openLedger(`sqlite://${join(dataDir, 'ledger.db')}`);
      try {
        const linked = (await ledger.listDecisions()).filter((decision) => decision.reason === 'migrated-by-sign-up');
        assert.deepEqual(linked.map((decision) => [decision.legacyId, decision.action]), [[late.id, 'modifyAttributeValues']]);
      } finally {
        await ledger.close();
      }
    });
  }

  test('a new address signs up as usual; a pre-created one is refused by Entra itself, before any extension', async () => {
    const page = await toAttributePage(demo, `newcomer-${collision}@contoso.example`);
    assert.equal(page.attributes.find((attribute) => attribute.name === 'givenName')!.value, null);
    const done = await demo.emulator.signUp.submit({ state: page.state, password: NEW_PASSWORD, attributes: { displayName: 'Newcomer' } });
    assert.equal(done.outcome, 'signed-up', JSON.stringify(done));
    const before = demo.emulator.signUp.calloutCount();
    assert.equal((await demo.emulator.signUp.begin({ email: DEMO_USERS[0]!.email })).outcome, 'user-exists');
    assert.equal(demo.emulator.signUp.calloutCount(), before);
  });

  test('Forgot password: a flagged user sets a new password without the extension, then signs in without it', async () => {
    const user = DEMO_USERS[1]!;
    const sent = await demo.emulator.passwordReset.begin({ email: user.email });
    assert.equal(sent.outcome, 'code-sent', JSON.stringify(sent));
    if (sent.outcome !== 'code-sent') return;
    const verified = demo.emulator.passwordReset.verify({ verificationId: sent.verificationId, code: sent.code });
    assert.equal(verified.outcome, 'new-password-required', JSON.stringify(verified));
    if (verified.outcome !== 'new-password-required') return;
    assert.equal((await demo.emulator.passwordReset.setPassword({ state: verified.state, newPassword: NEW_PASSWORD })).outcome, 'password-reset');
    const callouts = demo.emulator.calloutCount();
    assert.equal((await demo.emulator.signIn.signIn({ username: user.email, password: NEW_PASSWORD })).outcome, 'signed-in');
    assert.equal(demo.emulator.calloutCount(), callouts, 'no OnPasswordSubmit callout');
  });

  test('the welcome names the sign-up page, its policy, the late user and what to try', () => {
    const text = demoWelcome(demo);
    assert.ok(text.includes(`Sign up here:     ${demo.signUpUrl} (SIGNUP_COLLISION=${collision}, SIGNUP_PREFILL=true)`));
    assert.ok(text.includes(late.email));
    assert.match(text, collision === 'block' ? /There is already an account with this e-mail address\. Sign in with your\n +existing password\./ : /migrated by sign-up/);
    assert.ok(text.includes(`${late.email} (legacy password ${late.password})`));
    assert.match(text, /Forgot password/);
  });
});

test('a collision policy the legacy store cannot serve starts nothing and names --signup-collision', async () => {
  const dataDir = join(tmpdir(), `demo-refused-${process.pid}`);
  await assert.rejects(
    startDemo({ dataDir, extensionPort: 0, emulatorPort: 0, dashboardPort: 0, legacy: 'web-service', signUpCollision: 'link', logger: silentLogger() }),
    (error: unknown) => error instanceof ConfigError && error.problems.some((problem) => problem.setting === '--signup-collision' && /--legacy web-service/.test(problem.problem)),
  );
  await assert.rejects(stat(dataDir), { code: 'ENOENT' });
});
