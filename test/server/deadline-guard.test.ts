import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startServer } from './harness.js';

test('a request held before the handler past its deadline is answered 503 DEADLINE_EXCEEDED in time, and nothing answers twice', async () => {
  const server = await startServer({ responseDeadlineInMs: 300, callerTokenDelayInMs: 600 });
  try {
    const lookups = server.lookups();
    const response = await server.app.inject({
      method: 'POST',
      url: '/events/password-submit',
      headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
      payload: JSON.stringify(await server.body('ada@contoso.example', CANARY_PASSWORDS.correct)),
    });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { error: { code: 'DEADLINE_EXCEEDED', message: 'The extension could not answer in time.' } });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the token check finishes after the answer left
    assert.equal(server.lookups(), lookups, 'the legacy store was never asked');
    assert.equal(server.outcomes.length, 0, 'no decision recorded');
    assert.doesNotMatch(server.logs(), /already sent/i);
  } finally {
    await server.close();
  }
});

test("once the context is decrypted, the handler's own deadline answer (a Block with the nonce) wins over the guard", async () => {
  const server = await startServer({ responseDeadlineInMs: 300 });
  server.store.delayInMs = 5000;
  try {
    for (let i = 0; i < 5; i++) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/events/password-submit',
        headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
        payload: JSON.stringify(await server.body('ada@contoso.example', CANARY_PASSWORDS.correct, { nonce: `n-${i}` })),
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().data.nonce, `n-${i}`);
      assert.equal(server.outcomes.at(-1)?.reason, 'deadline-exceeded');
    }
    assert.doesNotMatch(server.logs(), /already sent/i);
  } finally {
    await server.close();
  }
});

test('while the event loop is too far behind, a callout is refused at once with 503 OVERLOADED, before any work', async () => {
  let overloaded = true;
  const server = await startServer({ sendMargin: { inMs: () => 500, lagInMs: () => 300, overloaded: () => overloaded, close: () => undefined } });
  try {
    const lookups = server.lookups();
    const call = async () =>
      server.app.inject({
        method: 'POST',
        url: '/events/password-submit',
        headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
        payload: JSON.stringify(await server.body('ada@contoso.example', CANARY_PASSWORDS.correct)),
      });
    const refused = await call();
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.json().error.code, 'OVERLOADED');
    assert.equal(server.lookups(), lookups, 'the legacy store was never asked');
    overloaded = false;
    assert.equal((await call()).statusCode, 200, 'back to normal: answered');
  } finally {
    await server.close();
  }
});
