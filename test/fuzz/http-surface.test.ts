import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startFuzzServer, type FuzzServer } from './fuzz-server.js';
import { runInjectFuzz, runSocketFuzz, runsOf, seedOf } from './http-fuzz.js';

// Issue 15, "Fuzzing and hostile input": generated and mutated requests over every event route. The seed is printed
// first; replay a failure with FUZZ_SEED (and FUZZ_PATH, which fast-check prints with the counterexample).
const SEED = seedOf(process.env);
const RUNS = runsOf(process.env, 10_000);
const SOCKET_RUNS = 300;
/**
 * A run may grow RSS by this much over the warm-up's, in MB. Measured on 2 cores: −18 to +42 MB over 10,000 requests
 * (the heap still settling; no trend), −16 and −2 MB over 200,000 and 100,000 (`npm run fuzz`). A leak of 400 bytes
 * per request passes here (4 MB) and fails the long run (80 MB).
 */
const RSS_GROWTH_BOUND_IN_MB = 64;
console.log(`http fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${RUNS} requests through inject, ${SOCKET_RUNS} over a socket`);

const MB = 1024 * 1024;
const unexpected: string[] = [];
const onRejection = (reason: unknown) => unexpected.push(`unhandled rejection: ${String((reason as Error)?.stack ?? reason).slice(0, 500)}`);
const onException = (error: Error) => unexpected.push(`uncaught exception: ${String(error.stack ?? error).slice(0, 500)}`);

describe('the HTTP surface under generated and mutated requests', () => {
  let server: FuzzServer;
  before(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    server = await startFuzzServer();
  });
  after(async () => {
    await server?.close();
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });

  test(`${RUNS} requests through inject: no 500, no late answer, every 200 schema-valid and every refusal an error body, RSS flat`, async (t) => {
    const result = await runInjectFuzz(server, { seed: SEED, runs: RUNS, warmUpRuns: Math.min(2_500, Math.ceil(RUNS / 4)), path: process.env.FUZZ_PATH });
    const growthInMb = (result.rssAfterRunInBytes - result.rssAfterWarmUpInBytes) / MB;
    t.diagnostic(`${result.tally.requests} requests in ${(result.durationInMs / 1000).toFixed(1)} s; by status ${JSON.stringify(result.tally.byStatus)}`);
    t.diagnostic(`slowest ${result.tally.maxElapsedInMs.toFixed(1)} ms; RSS ${(result.rssAfterWarmUpInBytes / MB).toFixed(1)} → ${(result.rssAfterRunInBytes / MB).toFixed(1)} MB`);
    // The run reached past the caller-token check and the body parser into every handler, and answered all of them.
    assert.equal(result.tally.requests, RUNS);
    for (const status of ['200', '400', '401']) assert.ok((result.tally.byStatus[status] ?? 0) > 0, `some ${status} answers`);
    if (RUNS >= 5_000) for (const code of ['MigratePassword', 'Retry', 'Block', 'showBlockPage', 'provideClaimsForToken', 'continueWithDefaultBehavior']) assert.ok((result.tally.byCode[code] ?? 0) > 0, `some ${code} answers`);
    assert.ok(growthInMb <= RSS_GROWTH_BOUND_IN_MB, `RSS grew ${growthInMb.toFixed(1)} MB over the run`);
    assert.deepEqual(server.errorLines(), [], 'no error-level log line (unexpected error, an answer the handler could not build)');
    assert.deepEqual(unexpected, []);
  });

  test(`${SOCKET_RUNS} requests over a real socket, 8 at once: the same checks behind Node's HTTP parser`, async (t) => {
    const result = await runSocketFuzz(server, { seed: SEED + 1, runs: SOCKET_RUNS, concurrency: 8 });
    t.diagnostic(`${result.tally.requests} answered, ${result.hungUp} hung up on; by status ${JSON.stringify(result.tally.byStatus)}; slowest ${result.tally.maxElapsedInMs.toFixed(1)} ms`);
    assert.deepEqual(result.failures, []);
    assert.ok(result.tally.requests >= SOCKET_RUNS * 0.95, 'nearly every request answered');
    assert.deepEqual(server.errorLines(), []);
    assert.deepEqual(unexpected, []);
  });

  describe('hostile framing on a raw socket', () => {
    before(async () => {
      if (!server.app.server.listening) await server.app.listen({ port: 0, host: '127.0.0.1' });
    });
    /** Sends `bytes` on a new connection; resolves with everything the server wrote before it closed (or 1 s passed). */
    const raw = (bytes: string | Buffer): Promise<string> =>
      new Promise((resolve) => {
        const { port } = server.app.server.address() as AddressInfo;
        const socket = connect(port, '127.0.0.1');
        const chunks: Buffer[] = [];
        const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
        socket.setTimeout(1_000, () => socket.destroy());
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('close', done);
        socket.on('error', () => undefined);
        socket.write(bytes);
      });
    const HOSTILE: Record<string, string> = {
      'a request line that is not HTTP': 'GARBAGE\r\n\r\n',
      'HTTP/0.9': 'POST /events/password-submit\r\n\r\n',
      'an unknown HTTP version': 'POST /events/password-submit HTTP/9.9\r\nHost: x\r\n\r\n',
      'Content-Length and Transfer-Encoding together (smuggling)': 'POST /events/password-submit HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'two Content-Lengths that disagree': 'POST /events/password-submit HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x',
      'a chunk size that is not hex': 'POST /events/password-submit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'a NUL in a header value': 'POST /events/password-submit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\u0000b\r\nContent-Length: 0\r\n\r\n',
      'a header line without a colon': 'POST /events/password-submit HTTP/1.1\r\nHost: x\r\nnot-a-header\r\nContent-Length: 0\r\n\r\n',
      'a bare LF line ending': 'POST /events/password-submit HTTP/1.1\nHost: x\nContent-Length: 0\n\n',
      'a negative Content-Length': 'POST /events/password-submit HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'headers over 16 KiB': `POST /events/password-submit HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'A'.repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`,
      'a Content-Length over the body limit, no body sent': 'POST /events/password-submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n',
      'a chunked body over the limit': `POST /events/password-submit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n${'10000\r\n' + 'x'.repeat(0x10000) + '\r\n'}${'10000\r\n' + 'x'.repeat(0x10000) + '\r\n'}0\r\n\r\n`,
    };

    for (const [name, bytes] of Object.entries(HOSTILE)) {
      test(`${name}: a 4xx with our error body or a closed connection, never a 5xx; the server answers the next callout`, async () => {
        const answer = await raw(bytes);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
        assert.ok(answer === '' || (status !== undefined && status.startsWith('4')), `answered ${JSON.stringify(answer.slice(0, 120))}`);
        if (answer !== '') {
          const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
          assert.deepEqual(Object.keys(body), ['error'], answer.slice(0, 200));
          assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
        }
        const probe = await fetch(`http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/events/password-submit`);
        assert.equal(probe.status, 200);
      });
    }

    // Found by the socket fuzz (a request after a 431 on the same keep-alive connection was reset), fixed in
    // server/client-errors.ts: Fastify's default answered {"error":"Bad Request","message":"Client Error","statusCode":400}
    // and destroyed the socket without saying Connection: close.
    test('a framing error is answered with our { error: { code, message } } body and Connection: close', async () => {
      for (const bytes of [HOSTILE['a request line that is not HTTP']!, HOSTILE['headers over 16 KiB']!]) {
        const answer = await raw(bytes);
        assert.match(answer, /\r\nconnection: close\r\n/i);
        const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
        assert.deepEqual(Object.keys(body), ['error']);
        assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
      }
    });
  });
});
