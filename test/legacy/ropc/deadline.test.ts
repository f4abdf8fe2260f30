import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { openRopcAuthority } from '../../../src/legacy/stores/ropc/index.js';
import { attempt, rejectionOf, settingsFor } from './fixtures.js';
import { json, startStandIn, type StandIn, type StandInHandler } from './stand-in.js';

/** The request's remaining deadline is the timeout; the abort signal ends the wait at once and frees the socket. */
describe('deadline and abort', () => {
  let standIn: StandIn;
  let handler: StandInHandler = json(200, { access_token: 'x' });
  before(async () => {
    standIn = await startStandIn((request, response) => handler(request, response));
  });
  after(() => standIn.close());

  const stall: StandInHandler = () => undefined;
  const stallBody: StandInHandler = (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"access_token":');
  };
  const waitForClosed = async (count: number) => {
    for (let i = 0; i < 100 && standIn.connections.closed < count; i += 1) await delay(10);
    return standIn.connections.closed >= count;
  };

  for (const [what, answer] of [['no answer at all', stall], ['headers, then a stalled body', stallBody]] as const) {
    test(`${what}: LEGACY_STORE_TIMEOUT at the deadline, and the connection is closed`, async () => {
      handler = answer;
      const closedBefore = standIn.connections.closed;
      const authority = openRopcAuthority(settingsFor(`${standIn.origin}/oauth/token`));
      const started = Date.now();
      const error = await rejectionOf(authority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: started + 250 }));
      const elapsed = Date.now() - started;
      assert.equal(error.code, 'LEGACY_STORE_TIMEOUT');
      assert.ok(elapsed >= 200 && elapsed < 1000, `gave up after ${elapsed} ms`);
      assert.ok(await waitForClosed(closedBefore + 1), 'the stalled connection was destroyed, not returned to the pool');
      await authority.close();
    });
  }

  test("an abort rejects at once with the signal's own reason, and closes the connection", async () => {
    handler = stall;
    const closedBefore = standIn.connections.closed;
    const authority = openRopcAuthority(settingsFor(`${standIn.origin}/oauth/token`));
    const controller = new AbortController();
    const reason = new Error('the server is closing');
    setTimeout(() => controller.abort(reason), 50);
    const started = Date.now();
    const error = await rejectionOf(authority.checkPassword(attempt(), { abortSignal: controller.signal, deadlineAt: started + 5000 }));
    assert.equal(error, reason);
    assert.ok(Date.now() - started < 1000);
    assert.ok(await waitForClosed(closedBefore + 1));
    await authority.close();
  });

  test('an already aborted signal, or a deadline already past: no request is sent', async () => {
    handler = json(200, { access_token: 'x' });
    const sent = standIn.requests.length;
    const authority = openRopcAuthority(settingsFor(`${standIn.origin}/oauth/token`));
    const controller = new AbortController();
    const reason = new Error('gone');
    controller.abort(reason);
    assert.equal(await rejectionOf(authority.checkPassword(attempt(), { abortSignal: controller.signal, deadlineAt: Date.now() + 5000 })), reason);
    const late = await rejectionOf(authority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: Date.now() - 1 }));
    assert.equal(late.code, 'LEGACY_STORE_TIMEOUT');
    assert.equal(standIn.requests.length, sent);
    await authority.close();
  });

  test('the deadline is measured with the injected clock', async () => {
    handler = json(200, { access_token: 'x' });
    const authority = openRopcAuthority(settingsFor(`${standIn.origin}/oauth/token`), { now: () => 1_000_000 });
    const check = await authority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: 1_000_000 + 2000 });
    assert.equal(check.outcome, 'correct');
    const late = await rejectionOf(authority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: 1_000_000 }));
    assert.equal(late.code, 'LEGACY_STORE_TIMEOUT');
    await authority.close();
  });

  test('sequential checks reuse keep-alive connections instead of opening one each', async () => {
    handler = json(200, { access_token: 'x' });
    const openedBefore = standIn.connections.opened;
    const authority = openRopcAuthority(settingsFor(`${standIn.origin}/oauth/token`));
    for (let i = 0; i < 10; i += 1) {
      assert.equal((await authority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 2000 })).outcome, 'correct');
    }
    // undici may open a second connection while the first is being released; never one per check.
    assert.ok(standIn.connections.opened - openedBefore <= 2, `${standIn.connections.opened - openedBefore} connections for 10 checks`);
    await authority.close();
  });
});
