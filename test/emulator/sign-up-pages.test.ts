import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startStubExtension, type StubExtension } from './stub-extension.js';
import { startAction, startAttributeCollectionStandIn, startResponse, submitAction, submitResponse, type AttributeCollectionStandIn } from './attribute-collection-stand-in.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const LEGACY_ID = 'extension_0a1b2c3d4e5f40718293a4b5c6d7e8f9_legacyId';

describe('emulator sign-up pages', () => {
  let emulator: RunningEmulator;
  let stub: StubExtension;
  let standIn: AttributeCollectionStandIn;
  let count = 0;

  const form = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    return { status: response.status, html: await response.text() };
  };
  const field = (html: string, name: string) => new RegExp(`name="${name.replace(/\./g, '\\.')}"[^>]*value="([^"]*)"`).exec(html)?.[1];
  /** The attribute page for a new address, through the e-mail and code pages. */
  const attributePage = async (email = `page${++count}@contoso.example`) => {
    const sent = await form('/signup', { email });
    const code = /id="one-time-code">(\d{8})</.exec(sent.html)![1]!;
    return form('/signup/verify', { verificationId: field(sent.html, 'verificationId')!, code });
  };

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    stub = await startStubExtension();
    standIn = await startAttributeCollectionStandIn();
    emulator.configureExtension({
      targetUrl: stub.url,
      appId: APP_ID,
      encryptionCertificatePem: stub.key.certificatePem,
      timeoutInMs: 500,
      signUp: { attributeCollectionStartUrl: `${standIn.url}/start`, attributeCollectionSubmitUrl: `${standIn.url}/submit`, customAttributes: [{ name: LEGACY_ID, hidden: true }] },
    });
  });
  after(async () => {
    await emulator.close();
    await stub.close();
    await standIn.close();
  });

  test('prefilled values are in the inputs, the e-mail is a hidden read-only input, hidden attributes are hidden inputs', async () => {
    standIn.answers.start = { kind: 'json', body: startResponse(startAction('setPrefillValues', { inputs: { givenName: 'Grace <b>', [LEGACY_ID]: 'L-7' } })) };
    const email = `prefill${++count}@contoso.example`;
    const page = await attributePage(email);
    assert.equal(field(page.html, 'a.givenName'), 'Grace &lt;b&gt;');
    assert.match(page.html, new RegExp(`<input type="hidden" name="email" value="${email}" readonly>`));
    assert.match(page.html, new RegExp(`<input type="hidden" id="attribute-${LEGACY_ID}" name="a.${LEGACY_ID}" value="L-7">`));
    assert.doesNotMatch(page.html, /<b>/);
  });

  test('a validation error shows the message and the error under its field; the form keeps the values', async () => {
    standIn.answers.start = { kind: 'json', body: startResponse(startAction('continueWithDefaultBehavior')) };
    standIn.answers.submit = { kind: 'json', body: submitResponse(submitAction('showValidationError', { message: 'Please fix the below errors to proceed.', attributeErrors: { surname: 'Surname cannot contain digits' } })) };
    const page = await attributePage();
    const again = await form('/signup/submit', { state: field(page.html, 'state')!, password: CANARY_PASSWORDS.correct, confirmPassword: CANARY_PASSWORDS.correct, 'a.surname': 'L0velace', 'a.givenName': 'Ada' });
    assert.match(again.html, /id="validation-message" role="alert">Please fix the below errors to proceed\./);
    assert.match(again.html, /name="a\.surname" type="text" value="L0velace" aria-invalid="true" aria-describedby="attribute-surname-error"><p class="error" id="attribute-surname-error" role="alert">Surname cannot contain digits<\/p>/);
    assert.equal(field(again.html, 'a.givenName'), 'Ada');
  });

  test('the passwords must match; then the account is created', async () => {
    standIn.answers.submit = { kind: 'json', body: submitResponse(submitAction('continueWithDefaultBehavior')) };
    const email = `match${++count}@contoso.example`;
    const page = await attributePage(email);
    const state = field(page.html, 'state')!;
    const mismatch = await form('/signup/submit', { state, password: CANARY_PASSWORDS.correct, confirmPassword: CANARY_PASSWORDS.unicode, 'a.givenName': 'Ada' });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.html, /The passwords do not match/);
    assert.equal(field(mismatch.html, 'a.givenName'), 'Ada');
    const done = await form('/signup/submit', { state, password: CANARY_PASSWORDS.correct, confirmPassword: CANARY_PASSWORDS.correct, 'a.givenName': 'Ada' });
    assert.match(done.html, /Account created/);
    assert.equal(emulator.directory.findUserBySignInName(email)!.givenName, 'Ada');
  });

  test('a block page shows its message; an extension failure shows AADSTS1100001 and the code', async () => {
    standIn.answers.start = { kind: 'json', body: startResponse(startAction('showBlockPage', { message: 'There is already an account with this e-mail address.' })) };
    const blocked = await attributePage();
    assert.match(blocked.html, /id="block-message">There is already an account with this e-mail address\.</);
    assert.doesNotMatch(blocked.html, /name="password"/);
    standIn.answers.start = { kind: 'raw', status: 200, contentType: 'text/plain', body: 'ok' };
    assert.match((await attributePage()).html, /AADSTS1100001[\s\S]*<strong>1003006<\/strong>/);
  });

  test('hostile forms: missing fields, oversized bodies and an unknown state answer HTML pages', async () => {
    assert.equal((await form('/signup', {})).status, 400);
    assert.equal((await form('/signup/verify', { verificationId: 'x' })).status, 400);
    assert.equal((await form('/signup/submit', { state: 'x', password: 'p', confirmPassword: 'p', 'a.givenName': 'g'.repeat(20_000) })).status, 413);
    assert.match((await form('/signup/submit', { state: 'never-issued', password: CANARY_PASSWORDS.correct, confirmPassword: CANARY_PASSWORDS.correct })).html, /This page has expired/);
    assert.match((await form('/signup/verify', { verificationId: 'never-issued', code: '12345678' })).html, /expired or was already used/);
  });
});
