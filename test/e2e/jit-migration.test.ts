import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openLedger } from '../../src/ledger/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { skipUnlessService } from '../support/services.js';
import { FLAG, startStack, type Stack } from './harness.js';
import { createLegacyDatabase, legacyRows, type LegacyDatabase } from './legacy-fixtures.js';

/** Signs in through the emulator's JSON API: the same path the sign-in page takes. */
async function signIn(stack: Stack, username: string, password: string, locale?: string) {
  const response = await fetch(`${stack.emulator.url}/api/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, ...(locale && { locale }) }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { outcome: string; title?: string; message?: string; state?: string; errorCode?: string };
}

async function changePassword(stack: Stack, state: string, newPassword: string) {
  const response = await fetch(`${stack.emulator.url}/api/change-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state, newPassword }),
  });
  return { status: response.status, body: (await response.json()) as { outcome?: string } };
}

const flagOf = async (stack: Stack, email: string) => {
  const user = await stack.emulator.directory.findUserBySignInName(email);
  assert.ok(user, email);
  return (await stack.emulator.directory.getExtensionAttributes(user.id))[FLAG];
};

const KINDS = ['sqlite', 'postgres', 'mariadb'] as const;

for (const kind of KINDS) {
  const skip = kind === 'sqlite' ? false : await skipUnlessService(kind);

  describe(`JIT migration end to end, legacy store in ${kind}`, { skip }, () => {
    let legacy: LegacyDatabase;
    let stack: Stack;

    before(async () => {
      const rows = await legacyRows();
      legacy = await createLegacyDatabase(kind, rows);
      stack = await startStack({
        legacy: { LEGACY_DATABASE_URL: legacy.url, LEGACY_USER_QUERY: legacy.query },
        entraUsers: [...rows.map((row) => row.email), 'entra-only@e2e.example'],
      });
    });
    after(async () => {
      await stack?.close();
      await legacy?.drop();
    });

    for (const email of ['bcrypt@e2e.example', 'argon@e2e.example', 'django@e2e.example']) {
      test(`${email}: the legacy password migrates, and the second sign-in does not call the extension`, async () => {
        const before = stack.emulator.calloutCount();
        assert.deepEqual(await signIn(stack, email, CANARY_PASSWORDS.correct), { outcome: 'signed-in', migrated: true });
        assert.equal(stack.emulator.calloutCount(), before + 1);
        assert.equal(await flagOf(stack, email), false);

        const again = await signIn(stack, email, CANARY_PASSWORDS.correct);
        assert.equal(again.outcome, 'signed-in');
        assert.equal(stack.emulator.calloutCount(), before + 1, 'no callout once migrated');
      });
    }

    test('a wrong password is Retry, even on a locked account: the lock shows only to who knows the password', async () => {
      const result = await signIn(stack, 'locked@e2e.example', CANARY_PASSWORDS.wrong);
      assert.equal(result.outcome, 'invalid-credentials');
      assert.equal(result.message, 'Your password is incorrect.');
      assert.equal(await flagOf(stack, 'locked@e2e.example'), true);
    });

    test('a user missing from the legacy store gets the same Retry as a wrong password', async () => {
      const before = stack.emulator.calloutCount();
      const result = await signIn(stack, 'entra-only@e2e.example', CANARY_PASSWORDS.correct);
      assert.equal(result.outcome, 'invalid-credentials');
      assert.equal(result.message, 'Your password is incorrect.');
      assert.equal(stack.emulator.calloutCount(), before + 1);
    });

    test('a locked legacy account with the right password is blocked, in the caller\'s language', async () => {
      const english = await signIn(stack, 'locked@e2e.example', CANARY_PASSWORDS.correct);
      assert.equal(english.outcome, 'blocked');
      assert.equal(english.title, 'Sign-in blocked');
      const french = await signIn(stack, 'locked@e2e.example', CANARY_PASSWORDS.correct, 'fr-FR');
      assert.equal(french.outcome, 'blocked');
      assert.equal(french.title, 'Connexion bloquée');
      assert.equal(await flagOf(stack, 'locked@e2e.example'), true);
    });

    for (const [email, password] of [
      ['weak@e2e.example', CANARY_PASSWORDS.weak],
      ['unicode@e2e.example', CANARY_PASSWORDS.unicode],
    ] as const) {
      test(`${email}: a right password that Entra's policy refuses asks for a new one`, async () => {
        const result = await signIn(stack, email, password);
        assert.equal(result.outcome, 'password-change-required');
        assert.ok(result.state);
        assert.equal(await flagOf(stack, email), true, 'not migrated until the new password is set');

        const changed = await changePassword(stack, result.state, `${CANARY_PASSWORDS.correct}x`);
        assert.equal(changed.status, 200);
        assert.equal(changed.body.outcome, 'signed-in');
        assert.equal(await flagOf(stack, email), false);
        assert.equal((await changePassword(stack, result.state, `${CANARY_PASSWORDS.correct}y`)).status, 400, 'state is single-use');

        const before = stack.emulator.calloutCount();
        assert.equal((await signIn(stack, email, `${CANARY_PASSWORDS.correct}x`)).outcome, 'signed-in');
        assert.equal(stack.emulator.calloutCount(), before);
      });
    }

    test('every decision is in the ledger, and no password is', async () => {
      const ledger = await openLedger(stack.ledgerUrl);
      try {
        // The ledger is written after each answer is sent; give the last write a moment to land.
        await new Promise((resolve) => setTimeout(resolve, 100));
        const counts = await ledger.countByAction();
        assert.equal(counts.MigratePassword, 3);
        assert.equal(counts.UpdatePassword, 2);
        assert.equal(counts.Block, 2);
        assert.equal(counts.Retry, 2);
        const rows = await ledger.listDecisions({ limit: 100 });
        assert.ok(rows.some((row) => row.legacyId === '5' && row.reason === 'legacy-account-blocked'));
        assert.ok(rows.some((row) => row.legacyId === null && row.reason === 'legacy-account-not-found'));
        const text = JSON.stringify(rows);
        for (const password of Object.values(CANARY_PASSWORDS)) assert.ok(!text.includes(password));
      } finally {
        await ledger.close();
      }
    });

    test('the logs hold one line per callout with its action, and no password or token', () => {
      const lines = stack.logs().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const callouts = lines.filter((line) => line.msg === 'request' && line.path === '/events/password-submit');
      assert.equal(callouts.length, 9);
      assert.ok(callouts.every((line) => typeof line.correlationId === 'string' && typeof line.action === 'string'));
      const text = stack.logs();
      for (const password of Object.values(CANARY_PASSWORDS)) assert.ok(!text.includes(password));
      assert.doesNotMatch(text, /eyJ[\w-]+\.eyJ/, 'no JWT or JWE in the logs');
    });
  });
}

describe('JIT migration end to end, legacy store unreachable', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      legacy: { LEGACY_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :username' },
      entraUsers: ['someone@e2e.example'],
    });
  });
  after(() => stack?.close());

  test('the user is blocked with "temporarily unavailable", and nothing migrates', async () => {
    const result = await signIn(stack, 'someone@e2e.example', CANARY_PASSWORDS.correct);
    assert.equal(result.outcome, 'blocked');
    assert.equal(result.title, 'Temporarily unavailable');
    assert.match(result.message ?? '', /try again in a few minutes/);
    assert.equal(await flagOf(stack, 'someone@e2e.example'), true);
  });

  test('/readyz says the legacy store is what is wrong', async () => {
    const response = await stack.extension.server.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 503);
    const body = response.json() as { checks: Record<string, string> };
    assert.notEqual(body.checks.legacyStore, 'ok');
    assert.equal(body.checks.decryptionKeys, 'ok');
    assert.equal(body.checks.entraSigningKeys, 'ok');
  });
});
