import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { FLAG, startStack, type Stack } from './harness.js';

/**
 * Sign-up from end to end, as a user meets it: the emulator's sign-up and "Forgot password" pages driven in Debian's
 * chromium, the emulator calling a real `serve` over HTTP with its own caller tokens, `serve` asking a seeded SQLite
 * legacy store by e-mail. One stack per collision policy.
 */

const CHROMIUM = '/usr/bin/chromium';

function skipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `${CHROMIUM} is missing; install Debian's chromium (apt-get install chromium) to run the sign-up browser test`;
  if (process.env.CI === 'true') throw new Error(`CI requires the browser test: ${reason}`);
  return reason;
}

/** A legacy account created after the bulk run: in the legacy store, not in Entra. */
const LATE = { id: 'L-7001', email: 'late@e2e.example', displayName: 'Hedy Lamarr', givenName: 'Hedy', surname: 'Lamarr' };
/** A pre-created, flagged account whose owner uses "Forgot password" before ever migrating. */
const FLAGGED = { id: 'L-7002', email: 'flagged@e2e.example', displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace' };
const TABLE = `signup_e2e_${process.pid}`;
const GRAPH_CLIENT = { id: '7e4b9c2a-5d1f-4a3e-8b6c-0f9e2d1c3b4a', secret: 'sign-up-e2e-graph-secret' };
const BLOCK_MESSAGE = 'There is already an account with this e-mail address. Sign in with your existing password.';

/** The legacy table, with the name columns the sign-up's prefill and link read. */
async function seedLegacyStore(dir: string): Promise<Record<string, string>> {
  const path = join(dir, 'legacy.db');
  const db = new Database(path);
  try {
    db.exec(`CREATE TABLE ${TABLE} (id TEXT PRIMARY KEY, email TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL, status TEXT, display_name TEXT, given_name TEXT, surname TEXT)`);
    const insert = db.prepare(`INSERT INTO ${TABLE} VALUES (?, ?, ?, 'active', ?, ?, ?)`);
    for (const user of [LATE, FLAGGED]) insert.run(user.id, user.email, await bcryptHash(CANARY_PASSWORDS.unicode, 4), user.displayName, user.givenName, user.surname);
  } finally {
    db.close();
  }
  return {
    LEGACY_DATABASE_URL: `sqlite://${path}`,
    LEGACY_USER_QUERY: `SELECT id, password_hash, status, display_name, given_name, surname FROM ${TABLE} WHERE email = lower(:username)`,
  };
}

/** The stack for one SIGNUP_COLLISION, the legacy id a hidden input of the sign-up flow, the prefill on. */
function startSignUpStack(collision: 'block' | 'link', legacy: Record<string, string>): Promise<Stack> {
  const legacyIdOf = (emulator: RunningEmulator) => emulator.objects.defineUserExtensionProperty('legacyId', 'String');
  return startStack({
    legacy,
    entraUsers: [FLAGGED.email],
    serveSettings: (emulator) => ({ SIGNUP_COLLISION: collision, SIGNUP_PREFILL: 'true', LEGACY_ID_ATTRIBUTE: legacyIdOf(emulator) }),
    signUp: (emulator) => ({ customAttributes: [{ name: legacyIdOf(emulator), dataType: 'string', hidden: true }] }),
  });
}

/** Fills the page's form, field by field (`#id` → value), and submits it. */
async function submitForm(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [selector, value] of Object.entries(fields)) await page.fill(selector, value);
  await page.click('button[type=submit]');
}

/** The one-time code the emulator shows on the page in place of sending mail. */
async function shownCode(page: Page): Promise<string> {
  return (await page.textContent('#one-time-code'))!;
}

/** The sign-up pages up to the attribute page (or whatever Entra shows instead): e-mail, then the code shown on the page. */
async function signUpUntilAttributes(browser: Browser, stack: Stack, email: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(stack.emulator.url);
  await page.click('#sign-up');
  await submitForm(page, { '#email': email });
  await submitForm(page, { '#code': await shownCode(page) });
  return page;
}

/** Starts the stack for `collision` before the suite's tests and closes it after them. */
function stackForSuite(collision: 'block' | 'link', legacy: () => Record<string, string>): () => Stack {
  let stack: Stack | undefined;
  before(async () => {
    stack = await startSignUpStack(collision, legacy());
  });
  after(async () => {
    await stack?.close();
  });
  return () => stack!;
}

/** A user as the emulated Graph answers it with `$select`, through an app's client-credentials token. */
async function graphUser(emulator: RunningEmulator, id: string, select: string | null): Promise<Record<string, unknown>> {
  emulator.registerClientApp(GRAPH_CLIENT.id, GRAPH_CLIENT.secret);
  const tokenResponse = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: GRAPH_CLIENT.id, client_secret: GRAPH_CLIENT.secret, scope: 'https://graph.microsoft.com/.default' }),
  });
  assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const query = select === null ? '' : `?$select=${encodeURIComponent(select)}`;
  const response = await fetch(`${emulator.url}/v1.0/users/${id}${query}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Record<string, unknown>;
}

/** The ledger's decisions once the one the extension writes after answering has landed (it is written after the reply). */
async function decisionsOnceLanded(stack: Stack, expected: number) {
  const ledger = await openLedger(stack.ledgerUrl);
  try {
    for (let tries = 0; ; tries++) {
      const decisions = await ledger.listDecisions();
      if (decisions.length >= expected || tries === 40) return decisions;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await ledger.close();
  }
}

function assertNoPasswordIn(stack: Stack): void {
  const logs = stack.logs();
  assert.ok(logs.length > 0);
  for (const password of Object.values(CANARY_PASSWORDS)) assert.ok(!logs.includes(password), 'a password reached the log');
}

describe('sign-up end to end: the emulator\'s pages in chromium, a real serve, a SQLite legacy store', { skip: skipReason() }, () => {
  let browser: Browser;
  let dir: string;
  let legacy: Record<string, string>;

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    dir = await mkdtemp(join(tmpdir(), 'entra-migrate-sign-up-e2e-'));
    legacy = await seedLegacyStore(dir);
  });
  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('SIGNUP_COLLISION=block', () => {
    const stack = stackForSuite('block', () => legacy);

    test('a legacy e-mail not yet in Entra is blocked before the attribute page, with the collision message', async () => {
      const before = stack().emulator.signUp.calloutCount();
      const page = await signUpUntilAttributes(browser, stack(), LATE.email);
      assert.equal(await page.textContent('#result'), "You can't sign up");
      assert.equal(await page.textContent('#block-message'), BLOCK_MESSAGE);
      assert.equal(await page.locator('#password').count(), 0, 'no attribute page');
      assert.equal(stack().emulator.signUp.calloutCount(), before + 1, 'OnAttributeCollectionStart only');
      assert.equal(stack().emulator.directory.findUserBySignInName(LATE.email), undefined);
      assert.match(stack().logs(), /attribute-collection-start/);
      await page.close();
    });

    test('a new e-mail signs up as usual: the page is not prefilled and the account carries no legacy id', async () => {
      const legacyIdAttribute = stack().emulator.objects.defineUserExtensionProperty('legacyId', 'String');
      const before = stack().emulator.signUp.calloutCount();
      const page = await signUpUntilAttributes(browser, stack(), 'newcomer@e2e.example');
      assert.equal(await page.textContent('#result'), 'Create account');
      assert.equal(await page.inputValue('#attribute-givenName'), '');
      await submitForm(page, { '#password': CANARY_PASSWORDS.correct, '#confirmPassword': CANARY_PASSWORDS.correct, '#attribute-displayName': 'New Comer', '#attribute-givenName': 'New' });
      assert.equal(await page.textContent('#result'), 'Account created');
      assert.equal(stack().emulator.signUp.calloutCount(), before + 2, 'start, then submit (the collision checked again)');
      const user = stack().emulator.directory.findUserBySignInName('newcomer@e2e.example')!;
      const read = await graphUser(stack().emulator, user.id, `id,givenName,${legacyIdAttribute}`);
      assert.deepEqual(read, { '@odata.context': read['@odata.context'], id: user.id, givenName: 'New' });
      await page.close();
    });

    test('Forgot password by a flagged user sets the new password without the extension; the next sign-in needs none', async () => {
      const page = await browser.newPage();
      await page.goto(stack().emulator.url);
      await page.click('#forgot-password');
      await submitForm(page, { '#email': FLAGGED.email });
      await submitForm(page, { '#code': await shownCode(page) });
      await submitForm(page, { '#newPassword': CANARY_PASSWORDS.correct, '#confirmPassword': CANARY_PASSWORDS.correct });
      assert.equal(await page.textContent('#result'), 'Your password has been reset');

      await page.goto(stack().emulator.url);
      await submitForm(page, { '#username': FLAGGED.email, '#password': CANARY_PASSWORDS.correct });
      assert.equal(await page.textContent('#result'), 'Signed in');
      assert.equal(stack().emulator.calloutCount(), 0, 'no OnPasswordSubmit callout, neither for the reset nor for the sign-in');
      const user = stack().emulator.directory.findUserBySignInName(FLAGGED.email)!;
      // The harness's flag is named for the extension app, which defines no extension property: read it in the directory.
      assert.equal(stack().emulator.directory.getExtensionAttributes(user.id)[FLAG], false, 'Entra marked the reset user migrated');
      const read = await graphUser(stack().emulator, user.id, 'lastPasswordChangeDateTime');
      assert.ok(Date.parse(String(read.lastPasswordChangeDateTime)) > Date.now() - 60_000, 'the reset is what reconcile reads');
      assert.deepEqual(await decisionsOnceLanded(stack(), 0), [], 'the extension decided nothing');
      await page.close();
    });

    test('no password reached the extension\'s log', () => assertNoPasswordIn(stack()));
  });

  describe('SIGNUP_COLLISION=link with SIGNUP_PREFILL=true', () => {
    const stack = stackForSuite('link', () => legacy);

    test('the attribute page shows the legacy profile, and the new account carries the legacy id; the ledger says migrated by sign-up', async () => {
      const legacyIdAttribute = stack().emulator.objects.defineUserExtensionProperty('legacyId', 'String');
      const page = await signUpUntilAttributes(browser, stack(), LATE.email);
      assert.equal(await page.inputValue('#attribute-givenName'), LATE.givenName);
      assert.equal(await page.inputValue('#attribute-surname'), LATE.surname);
      const hidden = page.locator(`#attribute-${legacyIdAttribute}`);
      assert.equal(await hidden.getAttribute('type'), 'hidden');
      assert.equal(await hidden.inputValue(), '', 'the legacy id is never put on the page');

      await submitForm(page, { '#password': CANARY_PASSWORDS.correct, '#confirmPassword': CANARY_PASSWORDS.correct, '#attribute-displayName': LATE.displayName });
      assert.equal(await page.textContent('#result'), 'Account created');

      const user = stack().emulator.directory.findUserBySignInName(LATE.email)!;
      const read = await graphUser(stack().emulator, user.id, `id,displayName,givenName,surname,${legacyIdAttribute}`);
      assert.equal(read[legacyIdAttribute], LATE.id, 'the legacy id, as a string, in LEGACY_ID_ATTRIBUTE');
      assert.deepEqual([read.displayName, read.givenName, read.surname], [LATE.displayName, LATE.givenName, LATE.surname]);
      assert.equal((await graphUser(stack().emulator, user.id, null))[legacyIdAttribute], undefined, 'Graph shows an extension only with $select');

      const decisions = await decisionsOnceLanded(stack(), 1);
      assert.deepEqual(
        decisions.map((decision) => [decision.legacyId, decision.action, decision.reason]),
        [[LATE.id, 'modifyAttributeValues', 'migrated-by-sign-up']],
      );
      await page.close();
    });

    test('the linked user signs in with the password chosen at sign-up, without the extension', async () => {
      const outcome = await stack().emulator.signIn.signIn({ username: LATE.email, password: CANARY_PASSWORDS.correct });
      assert.equal(outcome.outcome, 'signed-in', JSON.stringify(outcome));
      assert.equal(stack().emulator.calloutCount(), 0);
    });

    test('no password reached the extension\'s log', () => assertNoPasswordIn(stack()));
  });
});
