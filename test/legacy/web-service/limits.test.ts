import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LegacyAuthority } from '../../../src/legacy/authority.js';
import { LegacyStoreErrorCode } from '../../../src/legacy/errors.js';
import { MAX_ANSWER_BYTES, openWebServiceAuthority } from '../../../src/legacy/stores/web-service/index.js';
import { answerWith, startService, type TestService } from './service.js';
import { attempt, inTime, rejectsWith, settingsFrom, within } from './support.js';

// Time, size and connections: the deadline and the abort signal end a call and free its socket, a huge answer is cut
// at 64 KiB, and checks share keep-alive connections.

const { ANSWER_INVALID, TIMEOUT, UNAVAILABLE } = LegacyStoreErrorCode;
const never = () => undefined; // an answer that never comes
const nextEvent = () => new Promise((resolve) => setImmediate(resolve));

/** A service and a store of their own, for tests that count connections from zero. */
async function withOwnService(use: (service: TestService, authority: LegacyAuthority) => Promise<void>): Promise<void> {
  const service = await startService();
  const authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/verify` }));
  try {
    await use(service, authority);
  } finally {
    await authority.close();
    await service.close();
  }
}

describe('web-service store: deadline, abort, answer size, connections', () => {
  let service: TestService;
  let authority: LegacyAuthority;

  before(async () => {
    service = await startService();
    authority = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/verify` }));
  });
  after(async () => {
    await authority.close();
    await service.close();
  });

  test('no answer: TIMEOUT when deadlineAt comes, and the connection is closed', async () => {
    service.answer = never;
    const before = service.requests.length;
    const started = Date.now();
    await rejectsWith(authority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: started + 300 }), TIMEOUT, /did not answer within (29\d|300) ms/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 450, `${elapsed} ms`);
    await within(service.requests[before]!.connectionClosed, 500, 'closing the abandoned connection');
  });

  test('headers in time, the body trickling past the deadline: TIMEOUT at the deadline (headers and body share it)', async () => {
    service.answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"valid":');
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    await rejectsWith(authority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: started + 400 }), TIMEOUT);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 390 && elapsed < 550, `${elapsed} ms`);
  });

  test('a deadline already passed: TIMEOUT at once, nothing sent (not even a connection)', () =>
    withOwnService(async (own, ownAuthority) => {
      await rejectsWith(ownAuthority.checkPassword(attempt(), { abortSignal: new AbortController().signal, deadlineAt: Date.now() - 1 }), TIMEOUT);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(own.connections(), 0);
    }));

  test('abort: rejects with the signal\'s reason at once and the connection is closed', async () => {
    service.answer = never;
    const before = service.requests.length;
    const controller = new AbortController();
    const checking = authority.checkPassword(attempt(), { abortSignal: controller.signal, deadlineAt: Date.now() + 5000 });
    while (service.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('the server is closing');
    const abortedAt = Date.now();
    controller.abort(reason);
    await assert.rejects(checking, (error) => error === reason);
    assert.ok(Date.now() - abortedAt < 50, `${Date.now() - abortedAt} ms after the abort`);
    await within(service.requests[before]!.connectionClosed, 500, 'closing the aborted connection');
  });

  test('abort while the body is being read: the reason, at once', async () => {
    service.answer = (_request, response) => void response.writeHead(200, { 'content-type': 'application/json' }).write('{"valid"');
    const controller = new AbortController();
    const before = service.requests.length;
    const checking = authority.checkPassword(attempt(), { abortSignal: controller.signal, deadlineAt: Date.now() + 5000 });
    while (service.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('gone'));
    await assert.rejects(checking, { message: 'gone' });
    await within(service.requests[before]!.connectionClosed, 500, 'closing the aborted connection');
  });

  test('a signal aborted already: its reason, nothing sent (not even a connection)', () =>
    withOwnService(async (own, ownAuthority) => {
      const reason = new Error('too late');
      await assert.rejects(ownAuthority.checkPassword(attempt(), { abortSignal: AbortSignal.abort(reason), deadlineAt: Date.now() + 1000 }), (error) => error === reason);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(own.connections(), 0);
    }));

  test('after a timeout and an abort, the next check is answered on a fresh connection', async () => {
    service.answer = answerWith(200, { valid: true });
    assert.equal((await authority.checkPassword(attempt(), inTime())).outcome, 'correct');
  });

  test('10 MB streamed: cut off past 64 KiB, ANSWER_INVALID, the service stopped long before 10 MB', async (t) => {
    // 16 KiB a millisecond (10 MB would take over 600 ms), chunked: no content-length to refuse it early.
    let written = 0;
    let closed = false;
    service.answer = async (_request, response) => {
      response.on('close', () => (closed = true));
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      while (written < 10 * 1024 * 1024 && !closed) {
        written += chunk.length;
        response.write(chunk);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    const started = Date.now();
    await rejectsWith(authority.checkPassword(attempt(), inTime(2000)), ANSWER_INVALID, /more than 64 KiB/);
    assert.ok(Date.now() - started < 300, `${Date.now() - started} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(closed, 'the connection was dropped');
    assert.ok(written < 1024 * 1024, `${written} bytes written before the connection closed`);
    t.diagnostic(`${written} bytes written by the service before the connection closed`);
  });

  test('content-length over 64 KiB: refused before the body is read', async () => {
    service.answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      response.write('{"valid":true}'); // and nothing more: only the header can refuse it in time
    };
    const started = Date.now();
    await rejectsWith(authority.checkPassword(attempt(), inTime(2000)), ANSWER_INVALID, /more than 64 KiB/);
    assert.ok(Date.now() - started < 200);
  });

  test('a verdict of exactly 64 KiB is read; one byte more is refused', async () => {
    const padded = (size: number) => {
      const json = '{"valid":true,"id":"big"}';
      return `${json}${' '.repeat(size - json.length)}`;
    };
    service.answer = answerWith(200, padded(MAX_ANSWER_BYTES));
    assert.deepEqual(await authority.checkPassword(attempt(), inTime()), { outcome: 'correct', legacyId: 'big', mustChangePassword: false });
    service.answer = (_request, response) => void response.writeHead(200).end(padded(MAX_ANSWER_BYTES + 1)); // chunked this time
    service.answer = (_request, response) => {
      response.writeHead(200);
      response.write(padded(MAX_ANSWER_BYTES + 1).slice(0, 1000));
      response.end(padded(MAX_ANSWER_BYTES + 1).slice(1000));
    };
    await rejectsWith(authority.checkPassword(attempt(), inTime()), ANSWER_INVALID, /more than 64 KiB/);
  });

  // Callouts arrive as separate events, so checks are a macrotask apart: undici frees a connection for the next
  // request just after the previous answer is read (a request sent in the same tick gets a second connection).
  test('keep-alive: 20 checks one after another use one connection', () =>
    withOwnService(async (own, ownAuthority) => {
      own.answer = answerWith(200, { valid: false, id: '1' });
      for (let i = 0; i < 20; i += 1) {
        assert.equal((await ownAuthority.checkPassword(attempt(), inTime())).outcome, 'wrong');
        await nextEvent();
      }
      assert.equal(own.requests.length, 20);
      assert.equal(own.connections(), 1);
    }));

  test('keep-alive: 10 checks at once open 10 connections, which the next 10 reuse', () =>
    withOwnService(async (own, ownAuthority) => {
      own.answer = (_request, response) => void setTimeout(() => response.writeHead(200).end('{"valid":true}'), 30);
      await Promise.all(Array.from({ length: 10 }, () => ownAuthority.checkPassword(attempt(), inTime())));
      assert.equal(own.connections(), 10);
      await nextEvent();
      await Promise.all(Array.from({ length: 10 }, () => ownAuthority.checkPassword(attempt(), inTime())));
      assert.equal(own.connections(), 10, 'no new connection for the second round');
    }));

  test('a redirect is not followed: ANSWER_INVALID naming LEGACY_VERIFY_URL, the target never asked', async () => {
    const target = await startService();
    try {
      service.answer = answerWith(307, '', { location: `${target.origin}/verify` });
      await rejectsWith(authority.checkPassword(attempt(), inTime()), ANSWER_INVALID, /redirect \(307\).*LEGACY_VERIFY_URL/);
      assert.equal(target.connections(), 0, 'the password never went to the redirect target');
    } finally {
      await target.close();
    }
  });

  test('nothing listening: UNAVAILABLE naming the URL without its query', async () => {
    const gone = await startService();
    const origin = gone.origin;
    await gone.close();
    const closedPort = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${origin}/verify?code=svc-key-4c1d` }));
    try {
      await rejectsWith(closedPort.checkPassword(attempt(), inTime()), UNAVAILABLE, new RegExp(`${origin}/verify cannot be reached \\(ECONNREFUSED\\)`));
    } finally {
      await closedPort.close();
    }
  });

  test('close: a check in flight is ended, later checks are UNAVAILABLE, close is idempotent', async () => {
    const own = await openWebServiceAuthority(settingsFrom({ LEGACY_VERIFY_URL: `${service.origin}/verify` }));
    service.answer = never;
    const before = service.requests.length;
    const inFlight = own.checkPassword(attempt(), inTime(5000));
    while (service.requests.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    await own.close();
    await rejectsWith(within(inFlight, 500, 'ending the check in flight'), UNAVAILABLE);
    await rejectsWith(own.checkPassword(attempt(), inTime()), UNAVAILABLE, /closed/);
    await rejectsWith(own.ping(), UNAVAILABLE, /closed/);
    await own.close();
  });
});
