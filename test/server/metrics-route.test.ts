import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { startServer, type ServerUnderTest } from './harness.js';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('GET /metrics on the callouts\' port, behind METRICS_TOKEN', () => {
  let server: ServerUnderTest;
  before(async () => {
    server = await startServer({ metrics: { token: TOKEN } });
  });
  after(() => server.close());

  const signIn = async (password: string) =>
    server.app.inject({
      method: 'POST',
      url: '/events/password-submit',
      headers: { authorization: `Bearer ${await server.token()}`, 'content-type': 'application/json' },
      payload: JSON.stringify(await server.body('ada@contoso.example', password)),
    });
  const scrape = (authorization?: string) => server.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });

  test('without the token, or with another, it is 401 and says how to send it', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`]) {
      const response = await scrape(authorization);
      assert.equal(response.statusCode, 401, String(authorization));
      assert.equal(response.json().error.code, 'METRICS_TOKEN_REQUIRED');
      assert.doesNotMatch(response.body, /metrics-token-0123/);
    }
  });

  test('sign-ins are counted by action and timed; the scrape parses, and holds no password, user or correlation id', async () => {
    assert.equal((await signIn(CANARY_PASSWORDS.correct)).json().data.actions[0]['@odata.type'], 'microsoft.graph.passwordSubmit.MigratePassword');
    await signIn(CANARY_PASSWORDS.wrong);
    const unauthorised = await server.app.inject({ method: 'POST', url: '/events/password-submit', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(unauthorised.statusCode, 401);
    const response = await scrape(`Bearer ${TOKEN}`);
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal(response.headers['cache-control'], 'no-store');
    const samples = parsePrometheusText(response.body);
    assert.equal(sampleValue(samples, 'entra_migrate_answers_total', { event: 'OnPasswordSubmit', action: 'MigratePassword', status: '200' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_answers_total', { event: 'OnPasswordSubmit', action: 'Retry', status: '200' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_answers_total', { event: 'OnPasswordSubmit', action: 'error', status: '401' }), 1);
    assert.equal(sampleValue(samples, 'entra_migrate_request_duration_seconds_count', { event: 'OnPasswordSubmit' }), 3);
    for (const secret of [CANARY_PASSWORDS.correct, CANARY_PASSWORDS.wrong, 'ada@contoso.example', 'aaaa0000-bb11-2222-33cc-444444dddddd']) {
      assert.ok(!response.body.includes(secret), 'a scrape names no user, password or call');
    }
  });

  test('the probes and /metrics itself are not counted as callouts', async () => {
    const before = sampleValue(parsePrometheusText((await scrape(`Bearer ${TOKEN}`)).body), 'entra_migrate_request_duration_seconds_count', { event: 'OnPasswordSubmit' });
    await server.app.inject({ method: 'GET', url: '/events/password-submit' });
    await server.app.inject({ method: 'GET', url: '/healthz' });
    const samples = parsePrometheusText((await scrape(`Bearer ${TOKEN}`)).body);
    assert.equal(sampleValue(samples, 'entra_migrate_request_duration_seconds_count', { event: 'OnPasswordSubmit' }), before);
  });
});

test('without metrics configured there is no /metrics (404), so the figures are never public by accident', async () => {
  const server = await startServer();
  try {
    assert.equal((await server.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
  } finally {
    await server.close();
  }
});
