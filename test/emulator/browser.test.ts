import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startStubExtension, type StubExtension } from './stub-extension.js';

const CHROMIUM = '/usr/bin/chromium';
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';

function skipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `${CHROMIUM} is missing; install Debian's chromium (apt-get install chromium) to run the browser test`;
  if (process.env.CI === 'true') throw new Error(`CI requires the browser test: ${reason}`);
  return reason;
}

describe('emulator sign-in page in a real browser', { skip: skipReason() }, () => {
  let browser: Browser;
  let emulator: RunningEmulator;
  let stub: StubExtension;

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    emulator = await startEmulator({ port: 0 });
    stub = await startStubExtension();
    emulator.configureExtension({ targetUrl: stub.url, appId: APP_ID, encryptionCertificatePem: stub.key.certificatePem });
    await emulator.directory.createUser({
      displayName: 'Ada',
      mail: 'ada@contoso.example',
      identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'ada@contoso.example' }],
      password: 'Random-Initial-Password-1!',
      extensionAttributes: { [`extension_${APP_ID.replace(/-/g, '')}_toBeMigrated`]: true },
    });
  });
  after(async () => {
    await browser?.close();
    await emulator?.close();
    await stub?.close();
  });

  test('signing in with the legacy password migrates it; signing in again does not call the extension', async () => {
    const page = await browser.newPage();
    const signIn = async () => {
      await page.goto(emulator.url);
      await page.fill('#username', 'ada@contoso.example');
      await page.fill('#password', CANARY_PASSWORDS.correct);
      await page.click('button[type=submit]');
      return page.textContent('#result');
    };
    assert.equal(await signIn(), 'Signed in');
    assert.match((await page.textContent('main')) ?? '', /MigratePassword/);
    assert.equal(stub.received.length, 1);
    assert.equal(await signIn(), 'Signed in');
    assert.match((await page.textContent('main')) ?? '', /was not called/);
    assert.equal(stub.received.length, 1);
  });
});
