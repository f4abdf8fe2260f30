import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDemoLegacyService, type DemoLegacyService } from '../../src/demo/demo-legacy-service.js';
import type { LegacyAuthority } from '../../src/legacy/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

/** ada's password is the correct canary; mallory is locked; everything else is unknown. */
const authority: LegacyAuthority = {
  kind: 'fixed',
  async checkPassword({ username, password }) {
    if (username === 'ada@example.com') return password === CANARY_PASSWORDS.correct ? { outcome: 'correct', legacyId: '1', mustChangePassword: false } : { outcome: 'wrong', legacyId: '1' };
    if (username === 'mallory@example.com') return password === CANARY_PASSWORDS.correct ? { outcome: 'blocked', legacyId: '2', status: 'locked' } : { outcome: 'wrong', legacyId: '2' };
    return { outcome: 'unknown' };
  },
  ping: async () => undefined,
  close: async () => undefined,
};

let service: DemoLegacyService;
before(async () => { service = await startDemoLegacyService(authority); });
after(() => service.close());

const post = (body: string, authorization = `Bearer ${service.auth.slice('bearer:'.length)}`) =>
  fetch(service.url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
const verify = async (username: string, password: string) => (await post(JSON.stringify({ username, password, email: null, objectId: 'x' }))).json();

test('demo legacy service: answers the web-service contract, the status only after the right password', async () => {
  assert.match(service.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/verify$/);
  assert.deepEqual(await verify('ada@example.com', CANARY_PASSWORDS.correct), { valid: true, status: 'active', id: '1' });
  assert.deepEqual(await verify('ada@example.com', CANARY_PASSWORDS.wrong), { valid: false, id: '1' });
  assert.deepEqual(await verify('mallory@example.com', CANARY_PASSWORDS.correct), { valid: true, status: 'locked', id: '2' });
  assert.deepEqual(await verify('mallory@example.com', CANARY_PASSWORDS.wrong), { valid: false, id: '2' });
  assert.deepEqual(await verify('nobody@example.com', CANARY_PASSWORDS.correct), { valid: false });
});

test('demo legacy service: a wrong or missing token, malformed and oversized bodies are refused', async () => {
  assert.equal((await post('{}', 'Bearer not-the-token')).status, 401);
  assert.equal((await post('{}', '')).status, 401);
  assert.equal((await post('not json')).status, 400);
  assert.equal((await post(JSON.stringify({ username: 1, password: [] }))).status, 400);
  await assert.rejects(post(JSON.stringify({ username: 'a', password: 'x'.repeat(64 * 1024) })), 'a body over 16 KiB ends the connection');
  assert.equal((await fetch(service.url, { method: 'GET' })).status, 404);
  assert.equal((await fetch(service.url, { method: 'OPTIONS' })).status, 204, 'the readiness probe is answered');
});
