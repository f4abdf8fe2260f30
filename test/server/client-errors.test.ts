import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startServer, type ServerUnderTest } from './harness.js';

/** Writes `bytes` on a connection of its own; resolves with everything the server sent once it closed the connection. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => void (text += chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(text));
    socket.once('connect', () => socket.write(bytes));
    setTimeout(() => reject(new Error(`no close after 10 s; received: ${text}`)), 10_000).unref();
  });
}

function parse(answer: string): { status: number; headers: string; body: unknown } {
  const split = answer.indexOf('\r\n\r\n');
  return { status: Number(answer.slice(9, 12)), headers: answer.slice(0, split), body: JSON.parse(answer.slice(split + 4)) };
}

describe('bytes that never become a request', () => {
  let server: ServerUnderTest;
  let port: number;
  before(async () => {
    server = await startServer();
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as { port: number }).port;
  });
  after(() => server.close());

  test('a request line that is not HTTP: 400 REQUEST_MALFORMED, our body, Connection: close, nothing quoted', async () => {
    const answer = parse(await exchange(port, 'GARBAGE-secret-looking-bytes\r\n\r\n'));
    assert.equal(answer.status, 400);
    assert.match(answer.headers, /\r\nconnection: close/i);
    assert.deepEqual(answer.body, { error: { code: 'REQUEST_MALFORMED', message: 'The request is not valid HTTP.' } });
  });

  test('headers over 16 KiB: 431 HEADERS_TOO_LARGE', async () => {
    const answer = parse(await exchange(port, `POST /events/password-submit HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${'A'.repeat(20_000)}\r\ncontent-length: 0\r\n\r\n`));
    assert.equal(answer.status, 431);
    assert.match(answer.headers, /\r\nconnection: close/i);
    assert.deepEqual(answer.body, { error: { code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large.' } });
  });

  test('a body that never completes, on a route with no earlier answer: 408 REQUEST_TIMEOUT once the request timeout passes', async () => {
    const started = performance.now();
    const answer = parse(await exchange(port, 'POST /healthz HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":'));
    assert.equal(answer.status, 408);
    assert.deepEqual(answer.body, { error: { code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time.' } });
    assert.ok(performance.now() - started < 4000, 'cut off within the 2 s request timeout and a 500 ms check');
  });

  test('a body that never completes after its request was answered (no token: 401; a valid one: the deadline\'s 503): that answer alone, then closed', async () => {
    const head = (authorization: string) => `POST /events/password-submit HTTP/1.1\r\nhost: x\r\n${authorization}content-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":`;
    const [unauthenticated, trickled] = await Promise.all([exchange(port, head('')), exchange(port, head(`authorization: Bearer ${await server.token()}\r\n`))]);
    assert.match(unauthenticated, /^HTTP\/1\.1 401 /);
    assert.match(trickled, /^HTTP\/1\.1 503 /);
    for (const text of [unauthenticated, trickled]) assert.equal(text.match(/HTTP\/1\.1 /g)?.length, 1, 'no second answer on the connection');
  });
});
