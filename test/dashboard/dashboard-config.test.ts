import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/index.js';
import { loadDashboardConfig } from '../../src/dashboard/dashboard-config.js';

const TOKEN = 'a-dashboard-token-of-32-characters';

function problemsOf(raw: Record<string, string>): Array<{ setting: string; problem: string }> {
  try {
    loadDashboardConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return [...error.problems];
  }
  return assert.fail('the settings were accepted');
}

describe('dashboard settings', () => {
  test('by default: port 7090 on 127.0.0.1, no token needed, the default ledger and deadline', () => {
    const config = loadDashboardConfig({});
    assert.deepEqual({ ...config }, { port: 7090, host: '127.0.0.1', token: undefined, ledgerDatabaseUrl: 'sqlite://./data/ledger.db', responseDeadlineInMs: 1500 });
    assert.ok(Object.isFrozen(config));
  });

  test('a non-loopback HOST without DASHBOARD_TOKEN is refused, naming the setting and how to fix it', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'dashboard.contoso.example']) {
      const problems = problemsOf({ HOST: host });
      assert.equal(problems.length, 1, host);
      assert.equal(problems[0]!.setting, 'DASHBOARD_TOKEN');
      assert.match(problems[0]!.problem, /required when HOST is not this machine.*openssl rand/);
    }
  });

  test('loopback hosts need no token; a token is accepted anywhere and never appears in a problem', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.8.9.10']) assert.equal(loadDashboardConfig({ HOST: host }).token, undefined);
    assert.equal(loadDashboardConfig({ HOST: '0.0.0.0', DASHBOARD_TOKEN: TOKEN }).token, TOKEN);
    const short = 'short-secret-123';
    const problems = problemsOf({ HOST: '0.0.0.0', DASHBOARD_TOKEN: short.slice(0, 10), DASHBOARD_PORT: '70900' });
    assert.deepEqual(problems.map((p) => p.setting), ['DASHBOARD_PORT', 'DASHBOARD_TOKEN']);
    assert.ok(!JSON.stringify(problems).includes(short.slice(0, 10)), 'the token is not echoed');
  });

  test('DASHBOARD_PORT and RESPONSE_DEADLINE_MS are checked', () => {
    assert.equal(loadDashboardConfig({ DASHBOARD_PORT: '0' }).port, 0);
    assert.deepEqual(problemsOf({ DASHBOARD_PORT: 'http' }).map((p) => p.setting), ['DASHBOARD_PORT']);
    assert.deepEqual(problemsOf({ RESPONSE_DEADLINE_MS: '5000' }).map((p) => p.setting), ['RESPONSE_DEADLINE_MS']);
  });
});
