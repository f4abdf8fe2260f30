import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createClientSecretCredential, createGraphBatchClient, createPacer, GraphErrorCode, type BatchRequest } from '../../src/graph/index.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'batch-client-secret';

describe('Graph batch client against the emulator', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ port: 0, graph: { writeBudget: { perApp: 15, windowInMs: 60_000 } } });
    emulator.registerClientApp(CLIENT_ID, SECRET);
  });
  after(() => emulator.close());

  const client = (secret = SECRET) =>
    createGraphBatchClient({
      baseUrl: emulator.url,
      credential: createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: secret }),
      pacer: createPacer({ ratePerSecond: 1000 }),
    });
  const create = (email: string): BatchRequest => ({
    id: email,
    method: 'POST',
    url: '/users',
    body: {
      displayName: email,
      identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }],
      passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Random-Initial-Password-1!' },
    },
  });

  test('answers each request of a batch on its own, in request order, including the throttled ones', async () => {
    const batch = client();
    const first = await batch.send(Array.from({ length: 10 }, (_, i) => create(`u${i}@contoso.example`)));
    assert.deepEqual(first.map((entry) => entry.status), Array(10).fill(201));
    const second = await batch.send(Array.from({ length: 10 }, (_, i) => create(`v${i}@contoso.example`)));
    assert.deepEqual(second.map((entry) => entry.id), Array.from({ length: 10 }, (_, i) => `v${i}@contoso.example`));
    assert.deepEqual(second.map((entry) => entry.status), [...Array(5).fill(201), ...Array(5).fill(429)]);
    assert.match(second[9]!.headers['retry-after']!, /^\d+$/);
    assert.equal(emulator.directory.countUsers(), 15);
  });

  test('throttled inner requests slow the pacer of the client that sent them; successes do not', async () => {
    const pacer = createPacer({ ratePerSecond: 1000 });
    const own = createGraphBatchClient({
      baseUrl: emulator.url,
      credential: createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET }),
      pacer,
    });
    await own.send([{ id: 'r', method: 'GET', url: '/users?$top=1' }]);
    assert.equal(pacer.rate(), 1000);
    const answers = await own.send([create('throttled@contoso.example')]); // the app's budget of 15 is spent above
    assert.equal(answers[0]!.status, 429);
    assert.equal(pacer.rate(), 500);
  });

  test('wrong credentials are GRAPH_AUTH_FAILED, more than 20 requests a RangeError', async () => {
    await assert.rejects(client('wrong').send([create('x@contoso.example')]), (error: { code?: string }) => error.code === GraphErrorCode.AUTH_FAILED);
    await assert.rejects(client().send(Array.from({ length: 21 }, (_, i) => create(`w${i}@contoso.example`))), RangeError);
  });
});

describe('Graph batch client, whole-batch failures', () => {
  const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const answers = (statuses: number[]) => {
    let call = 0;
    const fetch = (async () => {
      const status = statuses[Math.min(call++, statuses.length - 1)]!;
      return status === 200
        ? Response.json({ responses: [{ id: 'a', status: 201, headers: {}, body: {} }] })
        : new Response('', { status, headers: { 'retry-after': '0' } });
    }) as typeof globalThis.fetch;
    return { fetch, calls: () => call };
  };

  test('a throttled batch is sent again after Retry-After, and the pacer slows down', async () => {
    const { fetch, calls } = answers([429, 503, 200]);
    const pacer = createPacer({ ratePerSecond: 20 });
    const responses = await createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer, fetch, sleep: async () => {} }).send([{ id: 'a', method: 'POST', url: '/users', body: {} }]);
    assert.deepEqual(responses.map((entry) => entry.status), [201]);
    assert.equal(calls(), 3);
    assert.ok(pacer.rate() < 20);
  });

  test('a refused batch fails at once; a batch that keeps failing gives up after the attempts', async () => {
    const refused = answers([400]);
    await assert.rejects(
      createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer: createPacer({ ratePerSecond: 100 }), fetch: refused.fetch }).send([{ id: 'a', method: 'GET', url: '/users' }]),
      (error: { code?: string }) => error.code === GraphErrorCode.REQUEST_FAILED,
    );
    assert.equal(refused.calls(), 1);
    const failing = answers([500]);
    await assert.rejects(
      createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer: createPacer({ ratePerSecond: 100 }), fetch: failing.fetch, sleep: async () => {}, maxAttempts: 3 }).send([{ id: 'a', method: 'GET', url: '/users' }]),
      (error: { code?: string }) => error.code === GraphErrorCode.UNAVAILABLE,
    );
    assert.equal(failing.calls(), 3);
  });
});
