import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { PEOPLE, SERVICE_DN, skipUnlessSlapd, ssha, startSlapd, type Slapd } from '../support/slapd.js';
import { FLAG, startStack, type Stack } from './harness.js';

const { correct, wrong } = CANARY_PASSWORDS;

async function signIn(stack: Stack, username: string, password: string) {
  const response = await fetch(`${stack.emulator.url}/api/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { outcome: string; title?: string; message?: string };
}

const flagOf = async (stack: Stack, email: string) => {
  const user = await stack.emulator.directory.findUserBySignInName(email);
  assert.ok(user, email);
  return (await stack.emulator.directory.getExtensionAttributes(user.id))[FLAG];
};

/** The extension's request log lines for callouts, parsed. */
const calloutLines = (stack: Stack) =>
  stack.logs().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'request' && line.path === '/events/password-submit');

/**
 * A legacy login service as a legacy team would write it against docs/legacy-web-service.md: ada has the correct
 * canary as her password, locked's account is locked, expired's password must be changed.
 */
async function startLegacyService(): Promise<{ server: Server; url: string; calls: () => number }> {
  let calls = 0;
  const accounts = new Map([
    ['ada@legacy.example', { id: 'ws-1', status: 'active', mustChangePassword: false }],
    ['locked@legacy.example', { id: 'ws-2', status: 'locked', mustChangePassword: false }],
    ['expired@legacy.example', { id: 'ws-3', status: 'active', mustChangePassword: true }],
  ]);
  const server = createServer((request, response) => {
    if (request.method !== 'POST') return void response.writeHead(204).end(); // the readiness probe's OPTIONS
    calls += 1;
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      const { username, password } = JSON.parse(body) as { username: string; password: string };
      const account = accounts.get(username.toLowerCase());
      // An account that exists and a wrong password: valid false with its id (answered like an unknown user).
      const answer = !account ? { valid: false } : password === correct ? { valid: true, ...account } : { valid: false, id: account.id };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/verify`, calls: () => calls };
}

describe('JIT migration end to end, legacy store a web service (LEGACY_VERIFY_URL)', () => {
  let service: Awaited<ReturnType<typeof startLegacyService>>;
  let stack: Stack;
  before(async () => {
    service = await startLegacyService();
    stack = await startStack({
      legacy: { LEGACY_VERIFY_URL: service.url },
      entraUsers: ['ada@legacy.example', 'locked@legacy.example', 'expired@legacy.example', 'nobody@legacy.example'],
    });
  });
  after(async () => {
    await stack?.close();
    service?.server.close();
  });

  test('a wrong password is Retry and migrates nothing; the right one migrates', async () => {
    assert.equal((await signIn(stack, 'ada@legacy.example', wrong)).outcome, 'invalid-credentials');
    assert.equal(await flagOf(stack, 'ada@legacy.example'), true);
    assert.equal((await signIn(stack, 'ada@legacy.example', correct)).outcome, 'signed-in');
    assert.equal(await flagOf(stack, 'ada@legacy.example'), false);
  });

  test('locked → blocked; must change → the user picks a new password at Entra; unknown → Retry', async () => {
    assert.equal((await signIn(stack, 'locked@legacy.example', correct)).outcome, 'blocked');
    assert.equal((await signIn(stack, 'expired@legacy.example', correct)).outcome, 'password-change-required');
    assert.equal((await signIn(stack, 'nobody@legacy.example', correct)).outcome, 'invalid-credentials');
  });

  test('the ledger line records the service\'s id; /readyz is ready; no password in the logs', async () => {
    const lines = calloutLines(stack);
    assert.deepEqual(lines.map((line) => line.reason), [
      'password-wrong', 'password-correct', 'legacy-account-blocked', 'password-correct-must-change', 'legacy-account-not-found',
    ]);
    const ready = await stack.extension.server.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    for (const password of Object.values(CANARY_PASSWORDS)) assert.ok(!stack.logs().includes(password));
  });
});

describe('JIT migration end to end, legacy store a directory (LEGACY_LDAP_URL)', { skip: skipUnlessSlapd() }, () => {
  let slapd: Slapd;
  let stack: Stack;
  before(async () => {
    slapd = await startSlapd({
      entries: [`dn: uid=grace,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: grace', 'cn: grace', 'sn: Hopper', 'mail: grace@legacy.example', `userPassword: ${ssha(correct)}`].join('\n'),
    });
    stack = await startStack({
      legacy: {
        LEGACY_LDAP_URL: slapd.url,
        LEGACY_LDAP_BIND_DN: SERVICE_DN,
        LEGACY_LDAP_BIND_PASSWORD: slapd.servicePassword,
        LEGACY_LDAP_SEARCH_BASE: PEOPLE,
        LEGACY_LDAP_SEARCH_FILTER: '(|(mail={username})(uid={username}))',
      },
      entraUsers: ['grace@legacy.example'],
    });
  });
  after(async () => {
    await stack?.close();
    await slapd?.stop();
  });

  test('wrong → Retry; right → migrated, with the entry\'s entryUUID as the legacy id', async () => {
    assert.equal((await signIn(stack, 'grace@legacy.example', wrong)).outcome, 'invalid-credentials');
    assert.equal((await signIn(stack, 'grace@legacy.example', correct)).outcome, 'signed-in');
    assert.equal(await flagOf(stack, 'grace@legacy.example'), false);
    const ready = await stack.extension.server.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200, ready.body);
    assert.ok(!stack.logs().includes(slapd.servicePassword), 'the service password is in no log line');
  });
});

describe('the circuit breaker through serve: a web service that is down', () => {
  let stack: Stack;
  before(async () => {
    // Port 1 on loopback: nothing listens, every check fails at once with LEGACY_STORE_UNAVAILABLE.
    stack = await startStack({ legacy: { LEGACY_VERIFY_URL: 'http://127.0.0.1:1/verify' }, entraUsers: ['someone@legacy.example'] });
  });
  after(() => stack?.close());

  test('after 5 failures in a row the circuit opens: the next sign-ins are "temporarily unavailable" without asking', async () => {
    for (let i = 0; i < 7; i++) {
      const result = await signIn(stack, 'someone@legacy.example', correct);
      assert.equal(result.outcome, 'blocked');
      assert.equal(result.title, 'Temporarily unavailable');
    }
    const codes = calloutLines(stack).map((line) => line.errorCode);
    assert.deepEqual(codes, [...Array(5).fill('LEGACY_STORE_UNAVAILABLE'), 'LEGACY_STORE_CIRCUIT_OPEN', 'LEGACY_STORE_CIRCUIT_OPEN']);
    assert.match(stack.logs(), /legacy store circuit open after 5 failures in a row \(last: LEGACY_STORE_UNAVAILABLE\)/);
    assert.equal(stack.extension.legacy.circuitState(), 'open');
    assert.equal(await flagOf(stack, 'someone@legacy.example'), true);
  });
});
