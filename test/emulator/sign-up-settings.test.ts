import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EmulatorErrorCode, startEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startStubExtension, type StubExtension } from './stub-extension.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const LEGACY_ID = 'extension_0a1b2c3d4e5f40718293a4b5c6d7e8f9_legacyId';

describe('emulator sign-up settings', () => {
  let dir: string;
  let stub: StubExtension;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulator-sign-up-'));
    stub = await startStubExtension();
  });
  after(async () => {
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('are kept with the extension in the directory file: a restart runs the same user flow; a user signed up survives with its password date', async () => {
    const path = join(dir, 'tenant.db');
    const settings = {
      targetUrl: stub.url,
      appId: APP_ID,
      encryptionCertificatePem: stub.key.certificatePem,
      timeoutInMs: 400,
      signUp: { attributeCollectionStartUrl: 'http://127.0.0.1:9/start', customAttributes: [{ name: LEGACY_ID, hidden: true }] },
    };
    const first = await startEmulator({ port: 0, directoryPath: path });
    first.configureExtension(settings);
    const sent = await first.passwordReset.begin({ email: 'nobody@contoso.example' });
    assert.equal(sent.outcome, 'user-not-found');
    await first.directory.createUser({ displayName: 'Ada', identities: [{ signInType: 'emailAddress', issuer: first.tenant.domain, issuerAssignedId: 'ada@contoso.example' }], password: CANARY_PASSWORDS.correct });
    await first.close();
    const second = await startEmulator({ port: 0, directoryPath: path });
    try {
      const flow = second.signUpFlow();
      assert.equal(flow.start?.targetUrl, 'http://127.0.0.1:9/start');
      assert.equal(flow.start?.appId, APP_ID);
      assert.equal(flow.start?.timeoutInMs, 400);
      assert.equal(flow.submit, undefined);
      assert.deepEqual(flow.attributes.map((attribute) => attribute.name), ['displayName', 'givenName', 'surname', LEGACY_ID]);
      assert.match(second.directory.findUserBySignInName('ada@contoso.example')!.lastPasswordChangeDateTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    } finally {
      await second.close();
    }
  });

  test('are validated before anything is configured: URLs, custom attribute names, types, duplicates', async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const base = { targetUrl: stub.url, appId: APP_ID, encryptionCertificatePem: stub.key.certificatePem };
      const refused = (signUp: object, pattern: RegExp) =>
        assert.throws(() => emulator.configureExtension({ ...base, signUp }), (error: { code?: string; message: string }) => error.code === EmulatorErrorCode.CONFIG_INVALID && pattern.test(error.message));
      refused({ attributeCollectionStartUrl: 'http://example.com/start' }, /attributeCollectionStartUrl must be https/);
      refused({ attributeCollectionSubmitUrl: 'not a url' }, /attributeCollectionSubmitUrl is not a URL/);
      refused({ customAttributes: [{ name: 'legacyId' }] }, /extension_<appId without hyphens>_<name>/);
      refused({ customAttributes: [{ name: LEGACY_ID }, { name: LEGACY_ID.replace('legacyId', 'LEGACYID') }] }, /twice/);
      refused({ customAttributes: [{ name: LEGACY_ID, dataType: 'date' }] }, /dataType/);
      refused({ customAttributes: Array.from({ length: 21 }, (_, i) => ({ name: `${LEGACY_ID}${i}` })) }, /more than 20/);
      assert.equal(emulator.signUpFlow().start, undefined, 'nothing refused was configured');
      await assert.rejects(startEmulator({ port: 0, extension: { ...base, signUp: { attributeCollectionStartUrl: 'ftp://x/' } } }), /must be https/);
    } finally {
      await emulator.close();
    }
  });
});
