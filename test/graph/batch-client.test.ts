import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { answerKind, createClientSecretCredential, createGraphBatchClient, createGraphClient, createPacer, GraphErrorCode, type BatchRequest } from '../../src/graph/index.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'batch-client-secret';

describe('Graph batch client against the emulator', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ port: 0, graph: { writeBudget: { perApp: 15, windowInMs: 60_000 } } });
    emulator.registerClientApp(CLIENT_ID, SECRET);
  });
  after(() => emulator.close());

  const credential = (secret = SECRET) => createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: secret });
  const client = (secret = SECRET) => createGraphBatchClient({ baseUrl: emulator.url, credential: credential(secret), pacer: createPacer({ ratePerSecond: 1000 }) });
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

  test('throttled inner requests cut the pacer of the client that sent them, once; successes do not', async () => {
    const pacer = createPacer({ ratePerSecond: 1000 });
    const own = createGraphBatchClient({ baseUrl: emulator.url, credential: credential(), pacer });
    await own.send([{ id: 'r', method: 'GET', url: '/users?$top=1' }]);
    assert.equal(pacer.rate(), 1000);
    const answers = await own.send([create('throttled1@contoso.example'), create('throttled2@contoso.example')]); // the app's budget of 15 is spent above
    assert.deepEqual(answers.map((answer) => answer.status), [429, 429]);
    assert.equal(pacer.rate(), 700);
  });

  test('wrong credentials are GRAPH_AUTH_FAILED, more than 20 requests a RangeError', async () => {
    await assert.rejects(client('wrong').send([create('x@contoso.example')]), (error: { code?: string }) => error.code === GraphErrorCode.AUTH_FAILED);
    await assert.rejects(client().send(Array.from({ length: 21 }, (_, i) => create(`w${i}@contoso.example`))), RangeError);
  });

  test("Graph's x-ms-throttle-limit-percentage reaches the pacer from inner answers: it eases before the first 429", async () => {
    const near = await startEmulator({ port: 0, graph: { writeBudget: { perApp: 20, windowInMs: 60_000 } } });
    try {
      near.registerClientApp(CLIENT_ID, SECRET);
      const pacer = createPacer({ ratePerSecond: 100 });
      const batch = createGraphBatchClient({
        baseUrl: near.url,
        credential: createClientSecretCredential({ authorityHost: near.url, tenantId: near.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET }),
        pacer,
      });
      const answers = await batch.send(Array.from({ length: 20 }, (_, i) => ({ ...create(`near${i}@contoso.example`), id: String(i) })));
      assert.deepEqual(answers.map((answer) => answer.status), Array(20).fill(201), 'the 20th write fills the budget: no 429 yet');
      assert.equal(answers[15]!.headers['x-ms-throttle-limit-percentage'], undefined, '16 of 20 is 0.80: not over 0.8');
      assert.equal(answers[16]!.headers['x-ms-throttle-limit-percentage'], '0.85');
      assert.equal(answers[19]!.headers['x-ms-throttle-limit-percentage'], '1.00');
      assert.equal(pacer.rate(), 95);
    } finally {
      await near.close();
    }
  });
});

describe('Graph batch client, failures', () => {
  const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const answers = (statuses: number[]) => {
    let call = 0;
    const fetch = (async () => {
      const status = statuses[Math.min(call++, statuses.length - 1)]!;
      return status === 200
        ? Response.json({ responses: [{ id: 'a', status: 201, headers: {}, body: {} }] })
        : new Response('', { status, headers: status === 503 ? {} : { 'retry-after': '0' } });
    }) as typeof globalThis.fetch;
    return { fetch, calls: () => call };
  };
  /** A Graph that answers each inner request with the next status listed for its id (the last one repeating). */
  const innerAnswers = (byId: Record<string, Array<number | [number, Record<string, string>]>>) => {
    const sent: string[][] = [];
    const fetch = (async (_url: string, init?: RequestInit) => {
      const { requests } = JSON.parse(String(init?.body)) as { requests: BatchRequest[] };
      sent.push(requests.map((request) => request.id));
      return Response.json({
        responses: requests.map((request) => {
          const next = byId[request.id]!.length > 1 ? byId[request.id]!.shift()! : byId[request.id]![0]!;
          const [status, headers] = Array.isArray(next) ? next : [next, {}];
          return { id: request.id, status, headers, body: status === 201 ? { id: `object-${request.id}` } : { error: { code: 'serviceNotAvailable', message: 'x' } } };
        }),
      });
    }) as typeof globalThis.fetch;
    return { fetch, sent };
  };
  const three: BatchRequest[] = ['a', 'b', 'c'].map((id) => ({ id, method: 'POST', url: '/users', body: {} }));

  test('a throttled batch is sent again after Retry-After, and the pacer slows down', async () => {
    const { fetch, calls } = answers([429, 429, 200]);
    const pacer = createPacer({ ratePerSecond: 20 });
    const responses = await createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer, fetch, sleep: async () => {} }).send([{ id: 'a', method: 'POST', url: '/users', body: {} }]);
    assert.deepEqual(responses.map((entry) => entry.status), [201]);
    assert.equal(calls(), 3);
    assert.ok(pacer.rate() < 20);
  });

  test('a batch failing as a whole with 503 and no Retry-After is sent again after a jittered back-off, the rate unchanged', async () => {
    const { fetch, calls } = answers([503, 503, 200]);
    const pacer = createPacer({ ratePerSecond: 20 });
    const slept: number[] = [];
    const responses = await createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer, fetch, sleep: async (ms) => void slept.push(ms), random: () => 0.5 }).send([
      { id: 'a', method: 'POST', url: '/users', body: {} },
    ]);
    assert.deepEqual(responses.map((entry) => entry.status), [201]);
    assert.equal(calls(), 3);
    assert.deepEqual(slept, [250, 500]);
    assert.equal(pacer.rate(), 20);
  });

  test('an inner 503 without Retry-After is a transient failure: returned for the caller to send again later, the rate unchanged', async () => {
    const graph = innerAnswers({ a: [201], b: [503], c: [201] });
    const pacer = createPacer({ ratePerSecond: 20 });
    const responses = await createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer, fetch: graph.fetch, sleep: async () => {} }).send(three);
    assert.deepEqual(responses.map((entry) => [entry.id, entry.status]), [['a', 201], ['b', 503], ['c', 201]]);
    assert.equal(graph.sent.length, 1, 'the batch in hand is not held up by a retry');
    assert.equal(pacer.rate(), 20);
    assert.deepEqual(responses.map((entry) => answerKind(entry.status, entry.headers['retry-after'])), ['final', 'transient', 'final']);
  });

  test('an inner 503 with Retry-After is throttling: returned to the caller, the pacer paused and cut', async () => {
    const graph = innerAnswers({ a: [201], b: [[503, { 'Retry-After': '3' }]], c: [201] });
    let time = 1_000_000;
    const pacer = createPacer({ ratePerSecond: 20, now: () => time, sleep: async (ms) => void (time += ms) });
    const responses = await createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer, fetch: graph.fetch, now: () => time, sleep: async () => {} }).send(three);
    assert.deepEqual(responses.map((entry) => entry.status), [201, 503, 201]);
    assert.equal(graph.sent.length, 1);
    assert.equal(pacer.rate(), 14);
    const before = time;
    await pacer.acquire(1);
    assert.ok(time - before >= 3000, 'nothing is sent before Retry-After');
  });

  test('after an abort nothing is sent: a batch waiting for the pacer or for a back-off rejects with the reason', async () => {
    const graph = innerAnswers({ a: [201], b: [201], c: [201] });
    const stop = new AbortController();
    const batch = createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer: createPacer({ ratePerSecond: 3 }), fetch: graph.fetch });
    await batch.send(three, { abortSignal: stop.signal });
    const waiting = batch.send(three, { abortSignal: stop.signal }); // the bucket is empty: it waits a second
    stop.abort();
    await assert.rejects(waiting, (error) => error === stop.signal.reason);
    const failing = answers([503, 200]);
    const backingOff = createGraphBatchClient({ baseUrl: 'http://127.0.0.1:9', credential, pacer: createPacer({ ratePerSecond: 100 }), fetch: failing.fetch, sleep: () => new Promise(() => undefined) });
    const again = new AbortController();
    const sent = backingOff.send(three, { abortSignal: again.signal });
    await new Promise((resolve) => setImmediate(resolve));
    again.abort();
    await assert.rejects(sent, (error) => error === again.signal.reason);
    assert.deepEqual([graph.sent.length, failing.calls()], [1, 1]);
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

  test('a Graph that cannot be reached is named with its setting, GRAPH_BASE_URL, and the network\'s reason', async () => {
    const port = await closedPort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const expected = new RegExp(`^Graph at ${baseUrl.replace(/\./g, '\\.')} cannot be reached \\(GRAPH_BASE_URL\\): connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`);
    const isUnreachable = (error: { code?: string; message?: string }) => error.code === GraphErrorCode.UNAVAILABLE && expected.test(error.message ?? '');
    await assert.rejects(createGraphBatchClient({ baseUrl, credential, pacer: createPacer({ ratePerSecond: 100 }), maxAttempts: 1 }).send([{ id: 'a', method: 'GET', url: '/users' }]), isUnreachable);
    await assert.rejects(createGraphClient({ baseUrl, credential, maxAttempts: 1 }).call('GET', '/v1.0/applications'), isUnreachable);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
