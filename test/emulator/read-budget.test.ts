import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createReadBudget, resourceUnitCostOf, resourceUnitLimitOf } from '../../src/emulator/graph/read-budget.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

describe('the emulator read budget (Graph identity and access resource units)', () => {
  test('costs requests as Graph documents: base cost by path, $select −1, $expand +1, $top under 20 −1, never below 1', () => {
    assert.equal(resourceUnitCostOf('GET', '/v1.0/users/1234'), 1);
    assert.equal(resourceUnitCostOf('GET', '/v1.0/users/1234?$select=id,lastPasswordChangeDateTime'), 1);
    assert.equal(resourceUnitCostOf('GET', '/v1.0/users'), 2);
    assert.equal(resourceUnitCostOf('GET', '/v1.0/users?$select=id'), 1);
    assert.equal(resourceUnitCostOf('GET', '/v1.0/users?$expand=manager'), 3);
    assert.equal(resourceUnitCostOf('GET', '/v1.0/users?$top=10'), 1);
    assert.equal(resourceUnitCostOf('GET', '/v1.0/users?$top=999'), 2);
    assert.equal(resourceUnitCostOf('get', '/beta/applications'), 2);
    assert.equal(resourceUnitCostOf('POST', '/v1.0/directoryObjects/getByIds'), 5);
    assert.equal(resourceUnitCostOf('POST', '/v1.0/users'), 1);
  });

  test('sizes the limit by the tenant: S under 50 users, M up to 500, L above', () => {
    assert.deepEqual([0, 49, 50, 500, 501].map(resourceUnitLimitOf), [3500, 3500, 5000, 5000, 8000]);
  });

  test('admits up to the limit in a 10 s window, then says when the oldest units leave it', () => {
    const budget = createReadBudget({ perApp: 10 });
    for (let i = 0; i < 10; i++) assert.equal(budget.admit('app', 1, 1000 + i * 100, 0).ok, true);
    const refused = budget.admit('app', 1, 2000, 0);
    assert.deepEqual(refused, { ok: false, retryAfterInSeconds: 9, usage: 1 });
    assert.equal(budget.admit('other-app', 1, 2000, 0).ok, true, 'each app has its own budget');
    assert.equal(budget.admit('app', 1, 11_001, 0).ok, true, 'the first request left the window');
    assert.equal(budget.admit('app', 1, 11_002, 0).ok, false);
  });

  test('counts costs, not requests, and reports the usage Graph reports from 80 %', () => {
    const budget = createReadBudget({ perApp: 10 });
    assert.deepEqual(budget.admit('app', 5, 0, 0), { ok: true, usage: 0.5 });
    assert.deepEqual(budget.admit('app', 3, 1, 0), { ok: true, usage: 0.8 });
    const refused = budget.admit('app', 3, 2, 0);
    assert.equal(refused.ok, false, 'would be 11 of 10');
    assert.equal(budget.admit('app', 2, 3, 0).ok, true, 'a cheaper request still fits');
  });

  test('without a set limit, follows the tenant size given with each request', () => {
    const budget = createReadBudget();
    for (let i = 0; i < 3500; i++) budget.admit('app', 1, 0, 10);
    assert.equal(budget.admit('app', 1, 0, 10).ok, false, 'S: 3,500');
    assert.equal(budget.admit('app', 1, 0, 1000).ok, true, 'L: 8,000');
  });

  test('keeps memory to the window over a long run', () => {
    const budget = createReadBudget({ perApp: 100 });
    let admitted = 0;
    for (let t = 0; t < 1_000_000; t += 10) if (budget.admit('app', 1, t, 0).ok) admitted++;
    assert.equal(admitted, 100 * 100, '100 per 10 s over 1,000 s');
  });
});

describe('the emulated Graph charges resource units per app', () => {
  const CLIENT_ID = '11111111-2222-4333-8444-666666666666';
  const SECRET = 'read-budget-secret';
  let emulator: RunningEmulator;
  let token: string;
  const graph = (path: string, init: RequestInit = {}) =>
    fetch(`${emulator.url}/v1.0${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

  before(async () => {
    emulator = await startEmulator({ port: 0, graph: { readBudget: { perApp: 6 } } });
    emulator.registerClientApp(CLIENT_ID, SECRET);
    const response = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' }),
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  after(() => emulator.close());

  test('answers each request with its cost, 429 with Retry-After and the scope past the limit, and charges a batch by its inner requests', async () => {
    const first = await graph('/users?$select=id');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ms-resource-unit'), '1');
    const list = await graph('/users');
    assert.equal(list.headers.get('x-ms-resource-unit'), '2', 'a list without $select costs 2');
    // 3 of 6 spent; a batch of four GETs of a missing user: three admitted (404), the fourth throttled.
    const batch = await graph('/$batch', {
      method: 'POST',
      body: JSON.stringify({ requests: ['1', '2', '3', '4'].map((id) => ({ id, method: 'GET', url: `/users/00000000-0000-4000-8000-00000000000${id}?$select=id` })) }),
    });
    assert.equal(batch.status, 200, 'the $batch itself is not charged');
    const { responses } = (await batch.json()) as { responses: { id: string; status: number; headers: Record<string, string> }[] };
    assert.deepEqual(responses.map((response) => response.status), [404, 404, 404, 429]);
    assert.match(responses[3]!.headers['retry-after'] ?? '', /^\d+$/);
    assert.equal(responses[2]!.headers['x-ms-throttle-limit-percentage'], '1.00', 'from 80 % of the limit, the share in use');
    const refused = await graph('/users?$select=id');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('x-ms-throttle-information'), 'ResourceUnitLimitExceeded');
    assert.equal(refused.headers.get('x-ms-throttle-scope'), `Tenant_Application/ReadWrite/${CLIENT_ID}/${emulator.tenant.tenantId}`);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'TooManyRequests');
  });
});
