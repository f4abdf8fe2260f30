import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LegacyStoreErrorCode } from '../../../src/legacy/errors.js';
import { openWebServiceAuthority } from '../../../src/legacy/stores/web-service/index.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { inTime, OBJECT_ID, rejectsWith, settingsFrom } from './support.js';

// The reference service of docs/legacy-web-service.md, copied from the page as it stands and run, answers the store
// as the contract says: the sample a legacy team starts from works.

const PAGE = fileURLToPath(new URL('../../../docs/legacy-web-service.md', import.meta.url));
const TOKEN = 'svc-token-7f3a';

/** A free loopback port (the sample takes PORT, so the test picks one). */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('docs/legacy-web-service.md: the reference service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reference-service-'));
  let child: ChildProcess;
  let origin: string;

  before(async () => {
    const source = /```js\n(\/\/ verify-server\.mjs\n[\s\S]*?)```/.exec(readFileSync(PAGE, 'utf8'))?.[1];
    assert.ok(source, 'the page holds the sample');
    writeFileSync(join(dir, 'verify-server.mjs'), source);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [join(dir, 'verify-server.mjs')], { env: { PATH: process.env.PATH, VERIFY_TOKEN: TOKEN, PORT: String(port) }, stdio: 'ignore' });
    for (let tries = 0; ; tries += 1) {
      const up = await fetch(`${origin}/`).then(() => true, () => false);
      if (up) break;
      assert.ok(tries < 100, 'the sample started');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  after(() => {
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = async (auth: string, username: string, password: string) => {
    const authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${origin}/verify`, LEGACY_VERIFY_AUTH: auth }));
    try {
      return await authority.checkPassword({ username, password, email: null, objectId: OBJECT_ID }, inTime(2000));
    } finally {
      await authority.close();
    }
  };

  test('the right password → correct, with the id', async () => {
    assert.deepEqual(await check(`bearer:${TOKEN}`, 'Ada@Example.com', 'Correct-Horse-7!'), { outcome: 'correct', legacyId: '42', mustChangePassword: false });
  });

  test('a wrong password → wrong, with the id', async () => {
    assert.deepEqual(await check(`bearer:${TOKEN}`, 'ada@example.com', CANARY_PASSWORDS.wrong), { outcome: 'wrong', legacyId: '42' });
  });

  test('an unknown user → unknown', async () => {
    assert.deepEqual(await check(`bearer:${TOKEN}`, 'nobody@example.com', CANARY_PASSWORDS.correct), { outcome: 'unknown' });
  });

  test('a wrong token → MISCONFIGURED naming LEGACY_VERIFY_AUTH', async () => {
    await rejectsWith(check('bearer:not-the-token', 'ada@example.com', CANARY_PASSWORDS.correct), LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_VERIFY_AUTH/);
  });

  test('ping: the OPTIONS request is answered (401), so the service is ready', async () => {
    const authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${origin}/verify`, LEGACY_VERIFY_AUTH: `bearer:${TOKEN}` }));
    try {
      await authority.ping();
    } finally {
      await authority.close();
    }
  });
});
