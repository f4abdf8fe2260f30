import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startStubExtension, type StubExtension } from './stub-extension.js';
import { startAction, startAttributeCollectionStandIn, startResponse, submitAction, submitResponse, type AttributeCollectionStandIn } from './attribute-collection-stand-in.js';

const CHROMIUM = '/usr/bin/chromium';
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const FLAG = `extension_${APP_ID.replace(/-/g, '')}_toBeMigrated`;

function skipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `${CHROMIUM} is missing; install Debian's chromium (apt-get install chromium) to run the browser test`;
  if (process.env.CI === 'true') throw new Error(`CI requires the browser test: ${reason}`);
  return reason;
}

describe('emulator sign-up and password reset pages in a real browser', { skip: skipReason() }, () => {
  let browser: Browser;
  let emulator: RunningEmulator;
  let stub: StubExtension;
  let standIn: AttributeCollectionStandIn;

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    emulator = await startEmulator({ port: 0 });
    stub = await startStubExtension();
    standIn = await startAttributeCollectionStandIn();
    emulator.configureExtension({
      targetUrl: stub.url,
      appId: APP_ID,
      encryptionCertificatePem: stub.key.certificatePem,
      signUp: { attributeCollectionStartUrl: `${standIn.url}/start`, attributeCollectionSubmitUrl: `${standIn.url}/submit` },
    });
  });
  after(async () => {
    await browser?.close();
    await emulator?.close();
    await stub?.close();
    await standIn?.close();
  });

  test('sign up: code, prefilled form, a validation error under the field, then the account', async () => {
    standIn.answers.start = { kind: 'json', body: startResponse(startAction('setPrefillValues', { inputs: { givenName: 'Grace' } })) };
    standIn.answers.submit = { kind: 'json', body: submitResponse(submitAction('showValidationError', { message: 'Please fix the below errors to proceed.', attributeErrors: { surname: 'Surname cannot contain digits' } })) };
    const page = await browser.newPage();
    await page.goto(emulator.url);
    await page.click('#sign-up');
    await page.fill('#email', 'grace@contoso.example');
    await page.click('button[type=submit]');
    await page.fill('#code', (await page.textContent('#one-time-code'))!);
    await page.click('button[type=submit]');
    assert.equal(await page.inputValue('#attribute-givenName'), 'Grace');
    await page.fill('#password', CANARY_PASSWORDS.correct);
    await page.fill('#confirmPassword', CANARY_PASSWORDS.correct);
    await page.fill('#attribute-surname', 'H0pper');
    await page.click('button[type=submit]');
    assert.equal(await page.textContent('#attribute-surname-error'), 'Surname cannot contain digits');
    assert.equal(await page.textContent('#validation-message'), 'Please fix the below errors to proceed.');
    standIn.answers.submit = { kind: 'json', body: submitResponse(submitAction('continueWithDefaultBehavior')) };
    await page.fill('#password', CANARY_PASSWORDS.correct);
    await page.fill('#confirmPassword', CANARY_PASSWORDS.correct);
    await page.fill('#attribute-surname', 'Hopper');
    await page.click('button[type=submit]');
    assert.equal(await page.textContent('#result'), 'Account created');
    assert.equal(emulator.directory.findUserBySignInName('grace@contoso.example')!.surname, 'Hopper');
  });

  test('forgot password: a flagged user resets, then signs in without a callout', async () => {
    const user = await emulator.directory.createUser({
      displayName: 'Ada',
      mail: 'ada@contoso.example',
      identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'ada@contoso.example' }],
      password: 'Random-Initial-Password-1!',
      extensionAttributes: { [FLAG]: true },
    });
    const page = await browser.newPage();
    await page.goto(emulator.url);
    await page.click('#forgot-password');
    await page.fill('#email', 'ada@contoso.example');
    await page.click('button[type=submit]');
    await page.fill('#code', (await page.textContent('#one-time-code'))!);
    await page.click('button[type=submit]');
    await page.fill('#newPassword', CANARY_PASSWORDS.correct);
    await page.fill('#confirmPassword', CANARY_PASSWORDS.correct);
    await page.click('button[type=submit]');
    assert.equal(await page.textContent('#result'), 'Your password has been reset');
    await page.goto(emulator.url);
    await page.fill('#username', 'ada@contoso.example');
    await page.fill('#password', CANARY_PASSWORDS.correct);
    await page.click('button[type=submit]');
    assert.equal(await page.textContent('#result'), 'Signed in');
    assert.equal(stub.received.length, 0);
    assert.equal(emulator.directory.getExtensionAttributes(user.id)[FLAG], false);
  });
});
