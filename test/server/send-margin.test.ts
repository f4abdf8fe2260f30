import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { BASE_SEND_MARGIN_IN_MS, MAX_SEND_MARGIN_IN_MS, createSendMargin } from '../../src/server/index.js';

test('the send margin is the base plus twice the largest timer delay of the last seconds, capped, and decays', () => {
  mock.timers.enable({ apis: ['setInterval'] });
  let now = 0;
  const margin = createSendMargin({ now: () => now });
  const tick = (lateBy = 0) => {
    now += 10 + lateBy;
    mock.timers.tick(10);
  };
  try {
    for (let i = 0; i < 50; i++) tick();
    assert.equal(margin.lagInMs(), 0);
    assert.equal(margin.inMs(), BASE_SEND_MARGIN_IN_MS, 'a quiet loop: the base');
    tick(40); // one timer ran 40 ms late
    assert.equal(margin.lagInMs(), 40);
    assert.equal(margin.inMs(), BASE_SEND_MARGIN_IN_MS + 80);
    for (let i = 0; i < 300; i++) tick();
    assert.equal(margin.inMs(), BASE_SEND_MARGIN_IN_MS + 80, 'remembered for three more windows');
    for (let i = 0; i < 150; i++) tick();
    assert.equal(margin.inMs(), BASE_SEND_MARGIN_IN_MS, 'forgotten after four');
    assert.equal(margin.overloaded(), false);
    tick(2000);
    assert.equal(margin.inMs(), MAX_SEND_MARGIN_IN_MS, 'never more than the cap');
    assert.equal(margin.overloaded(), false, 'one long pause does not shed');
    for (let i = 0; i < 200; i++) tick(i % 20 === 0 ? 300 : 0);
    assert.equal(margin.overloaded(), true, 'long delays in the last two whole windows: shed');
    for (let i = 0; i < 200; i++) tick();
    assert.equal(margin.overloaded(), false, 'quiet again: accept');
  } finally {
    margin.close();
    mock.timers.reset();
  }
});

test('the sampler measures a blocked event loop', async () => {
  const margin = createSendMargin();
  try {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const until = performance.now() + 60;
    while (performance.now() < until); // the loop is stuck for 60 ms
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(margin.lagInMs() >= 40, `lag ${margin.lagInMs()} ms`);
    assert.ok(margin.inMs() >= BASE_SEND_MARGIN_IN_MS + 80);
  } finally {
    margin.close();
  }
});
