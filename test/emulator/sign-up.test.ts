import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startStubExtension, type StubExtension } from './stub-extension.js';
import { startAction, startAttributeCollectionStandIn, startResponse, submitAction, submitResponse, type AttributeCollectionStandIn } from './attribute-collection-stand-in.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const B2C_APP = '0a1b2c3d4e5f40718293a4b5c6d7e8f9';
const LEGACY_ID = `extension_${B2C_APP}_legacyId`;
const NEWSLETTER = `extension_${B2C_APP}_newsletter`;
const BIRTH_YEAR = `extension_${B2C_APP}_birthYear`;
const continueStart = () => ({ kind: 'json' as const, body: startResponse(startAction('continueWithDefaultBehavior')) });
const continueSubmit = () => ({ kind: 'json' as const, body: submitResponse(submitAction('continueWithDefaultBehavior')) });

describe('emulator sign-up (e-mail + password, attribute collection events)', () => {
  let emulator: RunningEmulator;
  let stub: StubExtension;
  let standIn: AttributeCollectionStandIn;
  let count = 0;

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const newEmail = () => `signup${++count}@contoso.example`;
  /** Runs e-mail and code: the outcome of the verification (the attribute page, a block page, an error). */
  const verified = async (email = newEmail()) => {
    const sent = await post('/api/sign-up/start', { email });
    assert.equal(sent.body.outcome, 'code-sent');
    return (await post('/api/sign-up/verify', { verificationId: sent.body.verificationId, code: sent.body.code })).body;
  };
  const submit = async (state: string, attributes: Record<string, string>, password: string = CANARY_PASSWORDS.correct) => (await post('/api/sign-up/submit', { state, password, attributes })).body;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    stub = await startStubExtension();
    standIn = await startAttributeCollectionStandIn();
    emulator.configureExtension({
      targetUrl: stub.url,
      appId: APP_ID,
      encryptionCertificatePem: stub.key.certificatePem,
      timeoutInMs: 300,
      maximumRetries: 1,
      signUp: {
        attributeCollectionStartUrl: `${standIn.url}/start`,
        attributeCollectionSubmitUrl: `${standIn.url}/submit`,
        customAttributes: [
          { name: LEGACY_ID, hidden: true },
          { name: NEWSLETTER, dataType: 'boolean', label: 'Newsletter' },
          { name: BIRTH_YEAR, dataType: 'int64', label: 'Birth year' },
        ],
      },
    });
  });
  after(async () => {
    await emulator.close();
    await stub.close();
    await standIn.close();
  });
  beforeEach(() => {
    standIn.answers = { start: continueStart(), submit: continueSubmit() };
    standIn.received.start.length = 0;
    standIn.received.submit.length = 0;
  });

  test('sends the documented OnAttributeCollectionStart request, with a callout token for the extension app', async () => {
    const email = newEmail();
    const page = await verified(email);
    assert.equal(page.outcome, 'attributes-required');
    const [request] = standIn.received.start;
    assert.ok(request);
    const { body } = request;
    assert.equal(body.type, 'microsoft.graph.authenticationEvent.attributeCollectionStart');
    assert.equal(body.source, `/tenants/${emulator.tenant.tenantId}/applications/${APP_ID}`);
    assert.equal(body.data['@odata.type'], 'microsoft.graph.onAttributeCollectionStartCalloutData');
    assert.equal(body.data.tenantId, emulator.tenant.tenantId);
    assert.match(body.data.authenticationEventListenerId, /^[0-9a-f-]{36}$/);
    assert.match(body.data.customAuthenticationExtensionId, /^[0-9a-f-]{36}$/);
    assert.equal(body.data.authenticationContext.protocol, 'OAUTH2.0');
    assert.deepEqual(body.data.authenticationContext.client, { ip: '127.0.0.1', locale: 'en-us', market: 'en-us' });
    assert.equal(body.data.authenticationContext.user, undefined, 'the user does not exist yet');
    assert.deepEqual(body.data.userSignUpInfo.identities, [{ signInType: 'email', issuer: emulator.tenant.domain, issuerAssignedId: email }]);
    assert.deepEqual(body.data.userSignUpInfo.attributes.givenName, { '@odata.type': 'microsoft.graph.stringDirectoryAttributeValue', value: '', attributeType: 'builtIn' });
    assert.deepEqual(body.data.userSignUpInfo.attributes[NEWSLETTER], { '@odata.type': 'microsoft.graph.booleanDirectoryAttributeValue', value: false, attributeType: 'directorySchemaExtension' });
    assert.deepEqual(body.data.userSignUpInfo.attributes[BIRTH_YEAR]['@odata.type'], 'microsoft.graph.int64DirectoryAttributeValue');
    assert.deepEqual(Object.keys(body.data.userSignUpInfo.attributes).sort(), ['displayName', 'givenName', 'surname', LEGACY_ID, NEWSLETTER, BIRTH_YEAR].sort());
    assert.equal(JSON.stringify(body).includes('password'), false, 'no password is sent');
    const metadata = (await (await fetch(emulator.openIdConfigurationUrl)).json()) as { issuer: string; jwks_uri: string };
    await jwtVerify(request.authorization!.replace(/^Bearer /, ''), createRemoteJWKSet(new URL(metadata.jwks_uri)), { issuer: metadata.issuer, audience: APP_ID });
  });

  test('continueWithDefaultBehavior at start and submit: the user is created with the values typed, an emailAddress identity and the password chosen', async () => {
    const email = newEmail();
    const page = await verified(email);
    assert.equal(page.email, email);
    assert.ok(page.attributes.every((attribute: { value: unknown }) => attribute.value === null));
    const done = await submit(page.state, { displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace', [NEWSLETTER]: 'true', [BIRTH_YEAR]: '1815' });
    assert.deepEqual(done, { outcome: 'signed-up', userId: done.userId, email });
    const submitted = standIn.received.submit[0]!.body;
    assert.equal(submitted.type, 'microsoft.graph.authenticationEvent.attributeCollectionSubmit');
    assert.equal(submitted.data['@odata.type'], 'microsoft.graph.onAttributeCollectionSubmitCalloutData');
    assert.deepEqual(submitted.data.userSignUpInfo.attributes.givenName, { '@odata.type': 'microsoft.graph.stringDirectoryAttributeValue', value: 'Ada', attributeType: 'builtIn' });
    assert.deepEqual(submitted.data.userSignUpInfo.attributes[BIRTH_YEAR], { '@odata.type': 'microsoft.graph.int64DirectoryAttributeValue', value: 1815, attributeType: 'directorySchemaExtension' });
    assert.equal(submitted.data.userSignUpInfo.attributes[NEWSLETTER].value, true);
    const user = emulator.directory.getUser(done.userId)!;
    assert.equal(user.displayName, 'Ada Lovelace');
    assert.equal(user.givenName, 'Ada');
    assert.equal(user.surname, 'Lovelace');
    assert.equal(user.mail, email);
    assert.deepEqual(user.identities, [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }]);
    assert.deepEqual(emulator.directory.getExtensionAttributes(user.id), { [NEWSLETTER]: true, [BIRTH_YEAR]: 1815 });
    assert.deepEqual(await emulator.signIn.signIn({ username: email, password: CANARY_PASSWORDS.correct }), { outcome: 'signed-in', migrated: false });
  });

  test('setPrefillValues: the page shows the values for collected attributes (hidden ones included), and others are ignored', async () => {
    standIn.answers.start = { kind: 'json', body: startResponse(startAction('setPrefillValues', { inputs: { givenName: 'Grace', [LEGACY_ID]: 'L-42', [NEWSLETTER]: true, city: 'Paris' } })) };
    const page = await verified();
    const value = (name: string) => page.attributes.find((attribute: { name: string }) => attribute.name === name)?.value;
    assert.equal(value('givenName'), 'Grace');
    assert.equal(value(LEGACY_ID), 'L-42');
    assert.equal(value(NEWSLETTER), true);
    assert.equal(page.attributes.some((attribute: { name: string }) => attribute.name === 'city'), false);
    // A posted value for the hidden attribute is ignored: the prefilled one is submitted and written.
    const done = await submit(page.state, { givenName: 'Grace', [LEGACY_ID]: 'forged', [NEWSLETTER]: 'true' });
    assert.equal(done.outcome, 'signed-up');
    assert.equal(standIn.received.submit[0]!.body.data.userSignUpInfo.attributes[LEGACY_ID].value, 'L-42');
    assert.equal(emulator.directory.getExtensionAttributes(done.userId)[LEGACY_ID], 'L-42');
  });

  test('showBlockPage at start: the block page with its message, or Entra\'s default, and the sign-up ends before the form', async () => {
    standIn.answers.start = { kind: 'json', body: startResponse(startAction('showBlockPage', { message: 'There is already an account with this e-mail address.' })) };
    const email = newEmail();
    assert.deepEqual(await verified(email), { outcome: 'blocked', message: 'There is already an account with this e-mail address.' });
    standIn.answers.start = { kind: 'json', body: startResponse(startAction('showBlockPage')) };
    assert.deepEqual(await verified(), { outcome: 'blocked', message: 'You are not permitted to sign up. Please contact the owner of the application/website.' });
    assert.equal(emulator.directory.findUserBySignInName(email), undefined);
  });

  test('modifyAttributeValues: the values written are the extension\'s, only for collected attributes', async () => {
    standIn.answers.submit = { kind: 'json', body: submitResponse(submitAction('modifyAttributeValues', { attributes: { displayName: 'Ada L.', [LEGACY_ID]: '1042', jobTitle: 'ignored' } })) };
    const page = await verified();
    const done = await submit(page.state, { displayName: 'Ada', givenName: 'Ada' });
    assert.equal(done.outcome, 'signed-up');
    const user = emulator.directory.getUser(done.userId)!;
    assert.equal(user.displayName, 'Ada L.');
    assert.equal(user.givenName, 'Ada');
    assert.equal(emulator.directory.getExtensionAttributes(user.id)[LEGACY_ID], '1042');
    assert.equal(JSON.stringify(user).includes('ignored'), false);
  });

  test('showValidationError: the form again with the message and the errors under the fields, values kept; a corrected submit succeeds', async () => {
    standIn.answers.submit = { kind: 'json', body: submitResponse(submitAction('showValidationError', { message: 'Please fix the below errors to proceed.', attributeErrors: { surname: 'Surname cannot contain digits', [LEGACY_ID]: 'hidden: never shown' } })) };
    const email = newEmail();
    const page = await verified(email);
    const again = await submit(page.state, { givenName: 'Ada', surname: 'L0velace' });
    assert.equal(again.outcome, 'attributes-required');
    assert.equal(again.state, page.state);
    assert.equal(again.message, 'Please fix the below errors to proceed.');
    const surname = again.attributes.find((attribute: { name: string }) => attribute.name === 'surname');
    assert.deepEqual([surname.value, surname.error], ['L0velace', 'Surname cannot contain digits']);
    assert.equal(again.attributes.find((attribute: { name: string }) => attribute.name === LEGACY_ID).error, undefined);
    assert.equal(emulator.directory.findUserBySignInName(email), undefined);
    standIn.answers.submit = continueSubmit();
    assert.equal((await submit(page.state, { givenName: 'Ada', surname: 'Lovelace' })).outcome, 'signed-up');
    assert.equal(emulator.directory.findUserBySignInName(email)!.surname, 'Lovelace');
  });

  test('showBlockPage at submit: the block page, no user, and the state is spent', async () => {
    standIn.answers.submit = { kind: 'json', body: submitResponse(submitAction('showBlockPage', { message: 'Your access request is already processing.' })) };
    const email = newEmail();
    const page = await verified(email);
    assert.deepEqual(await submit(page.state, {}), { outcome: 'blocked', message: 'Your access request is already processing.' });
    assert.equal(emulator.directory.findUserBySignInName(email), undefined);
    assert.deepEqual(await submit(page.state, {}), { outcome: 'state-invalid' });
  });

  const refused: Array<[string, object, number]> = [
    ['a wrong response @odata.type', { kind: 'json', body: { data: { '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData', actions: [startAction('continueWithDefaultBehavior')] } } }, 1003003],
    ['two actions', { kind: 'json', body: startResponse(startAction('continueWithDefaultBehavior'), startAction('continueWithDefaultBehavior')) }, 1003010],
    ['no action', { kind: 'json', body: startResponse() }, 1003010],
    ['an unknown action', { kind: 'json', body: startResponse(startAction('modifyAttributeValues', { attributes: {} })) }, 1003012],
    ['a submit action at start', { kind: 'json', body: startResponse(submitAction('continueWithDefaultBehavior')) }, 1003012],
    ['setPrefillValues without inputs', { kind: 'json', body: startResponse(startAction('setPrefillValues')) }, 1003003],
    ['a prefill value of the wrong type', { kind: 'json', body: startResponse(startAction('setPrefillValues', { inputs: { [NEWSLETTER]: 'yes' } })) }, 1003003],
    ['HTTP 400', { kind: 'raw', status: 400, contentType: 'application/json', body: '{}' }, 1003002],
    ['HTTP 503 twice', { kind: 'raw', status: 503, contentType: 'application/json', body: '{}' }, 1003002],
    ['text/html', { kind: 'raw', status: 200, contentType: 'text/html', body: '<p>hi</p>' }, 1003006],
    ['a body that is not JSON', { kind: 'raw', status: 200, contentType: 'application/json', body: '{"data":' }, 1003003],
    ['an answer later than the timeout', { kind: 'slow', delayInMs: 600, body: startResponse(startAction('continueWithDefaultBehavior')) }, 1003005],
  ];
  for (const [what, answer, errorCode] of refused) {
    test(`an OnAttributeCollectionStart answer with ${what} fails the sign-up with AADSTS1100001 and ${errorCode}`, async () => {
      standIn.answers.start = answer as never;
      const email = newEmail();
      const outcome = await verified(email);
      assert.equal(outcome.outcome, 'extension-error');
      assert.equal(outcome.event, 'start');
      assert.equal(outcome.aadsts, 'AADSTS1100001');
      assert.equal(outcome.errorCode, errorCode);
      assert.equal(emulator.directory.findUserBySignInName(email), undefined);
    });
  }

  test('a timeout and a 5xx are retried once (maximumRetries 1); a 4xx is not', async () => {
    standIn.answers.start = { kind: 'slow', delayInMs: 600, body: startResponse(startAction('continueWithDefaultBehavior')) };
    await verified();
    assert.equal(standIn.received.start.length, 2);
    standIn.received.start.length = 0;
    standIn.answers.start = { kind: 'raw', status: 400, contentType: 'application/json', body: '{}' };
    await verified();
    assert.equal(standIn.received.start.length, 1);
  });

  test('an OnAttributeCollectionSubmit answer Entra refuses fails the sign-up (wrong type, two actions, unknown action, late), and no user is created', async () => {
    const cases: Array<[object, number]> = [
      [{ kind: 'json', body: startResponse(startAction('continueWithDefaultBehavior')) }, 1003003],
      [{ kind: 'json', body: submitResponse(submitAction('continueWithDefaultBehavior'), submitAction('showBlockPage')) }, 1003010],
      [{ kind: 'json', body: submitResponse(submitAction('setPrefillValues', { inputs: {} })) }, 1003012],
      [{ kind: 'json', body: submitResponse(submitAction('showValidationError', { attributeErrors: {} })) }, 1003003],
      [{ kind: 'json', body: submitResponse(submitAction('modifyAttributeValues', { attributes: { [BIRTH_YEAR]: '1815' } })) }, 1003003],
      [{ kind: 'slow', delayInMs: 600, body: submitResponse(submitAction('continueWithDefaultBehavior')) }, 1003005],
    ];
    for (const [answer, errorCode] of cases) {
      standIn.answers.submit = answer as never;
      const email = newEmail();
      const page = await verified(email);
      const outcome = await submit(page.state, { givenName: 'Ada' });
      assert.deepEqual([outcome.outcome, outcome.event, outcome.errorCode], ['extension-error', 'submit', errorCode], JSON.stringify(answer));
      assert.equal(emulator.directory.findUserBySignInName(email), undefined);
    }
  });

  test('a password against the policy shows the form again before any submit callout', async () => {
    const page = await verified();
    const again = await submit(page.state, { givenName: 'Ada' }, CANARY_PASSWORDS.weak);
    assert.equal(again.outcome, 'attributes-required');
    assert.equal(again.passwordError, 'too-few-character-classes');
    assert.equal(standIn.received.submit.length, 0);
  });

  test('a whole number attribute refuses text with an error under the field', async () => {
    const page = await verified();
    const again = await submit(page.state, { [BIRTH_YEAR]: 'nineteen' });
    assert.equal(again.attributes.find((attribute: { name: string }) => attribute.name === BIRTH_YEAR).error, 'Enter a whole number.');
    assert.equal(standIn.received.submit.length, 0);
  });

  test('the one-time code is valid once, not for another verification, and a known address cannot sign up again', async () => {
    const email = newEmail();
    const sent = (await post('/api/sign-up/start', { email })).body;
    assert.equal(sent.code.length, 8);
    assert.equal(sent.expiresInSeconds, 600);
    const wrong = String((Number(sent.code) + 1) % 1e8).padStart(8, '0');
    assert.equal((await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: wrong })).body.reason, 'wrong-code');
    const page = (await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: sent.code })).body;
    assert.equal(page.outcome, 'attributes-required');
    assert.equal((await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: sent.code })).body.reason, 'unknown', 'a code is never valid twice');
    assert.equal((await submit(page.state, {})).outcome, 'signed-up');
    assert.equal((await post('/api/sign-up/start', { email: email.toUpperCase() })).body.outcome, 'user-exists');
  });

  test('three wrong codes void the code', async () => {
    const sent = (await post('/api/sign-up/start', { email: newEmail() })).body;
    const reasons = [];
    for (let i = 0; i < 3; i++) reasons.push((await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: 'abcdefgh' })).body.reason);
    assert.deepEqual(reasons, ['wrong-code', 'wrong-code', 'too-many-tries']);
    assert.equal((await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: sent.code })).body.reason, 'unknown');
  });

  test('hostile input on the API: malformed JSON, wrong types, oversized bodies, prototype keys, an invalid address', async () => {
    assert.equal((await post('/api/sign-up/start', '{"email":')).status, 400);
    assert.equal((await post('/api/sign-up/start', { email: 42 })).status, 400);
    assert.equal((await post('/api/sign-up/start', { email: ['a@b.example'] })).status, 400);
    assert.equal((await post('/api/sign-up/start', { email: 'x'.repeat(300) })).status, 400);
    assert.equal((await post('/api/sign-up/start', { email: 'not an address' })).body.outcome, 'email-invalid');
    assert.equal((await post('/api/sign-up/verify', { verificationId: 'x', code: 12345678 })).status, 400);
    assert.equal((await post('/api/sign-up/submit', { state: 'x', password: CANARY_PASSWORDS.correct, attributes: { givenName: 7 } })).status, 400);
    assert.equal((await post('/api/sign-up/submit', '{"state":"x","password":"p","attributes":{"__proto__":{"admin":true}}}')).status, 400);
    assert.equal((await post('/api/sign-up/submit', { state: 'x', password: CANARY_PASSWORDS.correct, attributes: { givenName: 'y'.repeat(20_000) } })).status, 413);
    assert.deepEqual((await post('/api/sign-up/submit', { state: 'never-issued', password: CANARY_PASSWORDS.correct })).body, { outcome: 'state-invalid' });
  });

  test('without attribute collection endpoints, the sign-up runs without callouts', async () => {
    const plain = await startEmulator({ port: 0 });
    try {
      const sent = await plain.signUp.begin({ email: 'plain@contoso.example' });
      assert.equal(sent.outcome, 'code-sent');
      const page = await plain.signUp.verify({ verificationId: sent.outcome === 'code-sent' ? sent.verificationId : '', code: sent.outcome === 'code-sent' ? sent.code : '' });
      assert.equal(page.outcome, 'attributes-required');
      const done = await plain.signUp.submit({ state: page.outcome === 'attributes-required' ? page.state : '', password: CANARY_PASSWORDS.correct, attributes: {} });
      assert.equal(done.outcome, 'signed-up');
      assert.equal(plain.directory.findUserBySignInName('plain@contoso.example')!.displayName, 'unknown');
      assert.equal(plain.signUp.calloutCount(), 0);
    } finally {
      await plain.close();
    }
  });
});
