import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openWebServiceAuthority } from '../../../src/legacy/stores/web-service/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { startService, type SeenRequest, type TestService } from './service.js';
import { attempt, inTime, settingsFrom } from './support.js';

// Each LEGACY_VERIFY_AUTH form as the service receives it, read from the setting as an operator writes it.

describe('web-service store: LEGACY_VERIFY_AUTH as the service sees it', () => {
  let service: TestService;
  before(async () => {
    service = await startService();
  });
  after(() => service.close());

  /** The request the service saw for one check with LEGACY_VERIFY_AUTH = `auth`. */
  const seenWith = async (auth: string | undefined): Promise<SeenRequest> => {
    const authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/verify`, LEGACY_VERIFY_AUTH: auth }));
    try {
      const before = service.requests.length;
      await authority.checkPassword(attempt(), inTime());
      return service.requests[before]!;
    } finally {
      await authority.close();
    }
  };

  test('bearer:<token> → Authorization: Bearer <token>', async () => {
    const seen = await seenWith('bearer:svc-token-7f3a.x_y~z+/==');
    assert.ok(seen.headers.authorization === 'Bearer svc-token-7f3a.x_y~z+/==', 'the bearer header');
  });

  test('basic:<user>:<password> → Authorization: Basic, UTF-8, the password keeping its colons', async () => {
    const password = `svc-password-9b2e:${CANARY_PASSWORDS.unicode}:end`;
    const seen = await seenWith(`basic:jit-service:${password}`);
    const [scheme, encoded] = String(seen.headers.authorization).split(' ');
    assert.equal(scheme, 'Basic');
    const decoded = Buffer.from(encoded!, 'base64').toString('utf8');
    assert.ok(decoded === `jit-service:${password}`, 'user, a colon, then the whole password (RFC 7617 §2)');
  });

  test('basic with an empty password (an API key as the user name) is allowed', async () => {
    const seen = await seenWith('basic:svc-key-4c1d:');
    assert.ok(Buffer.from(String(seen.headers.authorization).slice(6), 'base64').toString() === 'svc-key-4c1d:', 'user and empty password');
  });

  test('header:<Name>:<value> → that header, the value keeping its colons; no Authorization', async () => {
    const seen = await seenWith('header:X-Functions-Key:svc-key-4c1d:v2');
    assert.ok(seen.headers['x-functions-key'] === 'svc-key-4c1d:v2', 'the custom header');
    assert.equal(seen.headers.authorization, undefined);
  });

  test('header:Authorization:<scheme value> sets a scheme of the service\'s own', async () => {
    const seen = await seenWith('header:Authorization:ApiKey svc-key-4c1d');
    assert.ok(seen.headers.authorization === 'ApiKey svc-key-4c1d', 'the custom authorization');
  });

  test('no LEGACY_VERIFY_AUTH → no credentials at all', async () => {
    const seen = await seenWith(undefined);
    assert.equal(seen.headers.authorization, undefined);
    assert.deepEqual(Object.keys(seen.headers).sort(), ['accept', 'connection', 'content-length', 'content-type', 'host', 'user-agent']);
  });
});
