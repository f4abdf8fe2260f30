import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SERVER_TIMEOUTS } from '../../src/server/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { startServer, type ServerUnderTest } from './harness.js';

/** Longest a test waits for the server to close a connection; the timeouts under test are about 2 s. */
const GIVE_UP_AFTER_IN_MS = 15_000;

interface Connection {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves true when the server closed the connection, false when it was still open after GIVE_UP_AFTER_IN_MS. */
  closed: Promise<boolean>;
}

const opened: Socket[] = [];

function open(port: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    opened.push(socket);
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => void (text += chunk));
    const closed = new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), GIVE_UP_AFTER_IN_MS);
      socket.once('close', () => {
        clearTimeout(timer);
        done(true);
      });
    });
    socket.on('error', () => undefined); // a reset is one way of being closed
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Writes `chunks` one by one, `everyInMs` apart, until they run out or the server closes the connection. */
async function trickle(connection: Connection, chunks: readonly string[], everyInMs: number): Promise<void> {
  for (const chunk of chunks) {
    if (connection.socket.destroyed || connection.socket.writableEnded || connection.socket.readyState !== 'open') return;
    connection.socket.write(chunk);
    const closed = await Promise.race([connection.closed, new Promise((resolve) => setTimeout(resolve, everyInMs, 'next'))]);
    if (closed !== 'next') return;
  }
}

describe('slow clients', () => {
  let server: ServerUnderTest;
  let port: number;
  before(async () => {
    server = await startServer({ maxConnections: 6 });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.app.server.address() as { port: number }).port;
  });
  after(async () => {
    for (const socket of opened) socket.destroy(); // whatever the server failed to close
    await server.close();
  });

  test('timeouts fit a 2-second protocol', () => {
    assert.ok(SERVER_TIMEOUTS.headersTimeoutInMs <= 2000 && SERVER_TIMEOUTS.requestTimeoutInMs <= 2000);
    assert.equal(server.app.server.requestTimeout, SERVER_TIMEOUTS.requestTimeoutInMs);
    assert.equal(server.app.server.headersTimeout, SERVER_TIMEOUTS.headersTimeoutInMs);
    assert.equal(server.app.server.maxConnections, 6);
  });

  test('headers trickled a line at a time, a body trickled a byte at a time with a valid token, silence and an idle keep-alive connection are each cut off', async () => {
    const body = JSON.stringify(await server.body('ada@contoso.example', CANARY_PASSWORDS.correct));
    const token = await server.token();
    const [slowHeaders, slowBody, silent, idle] = await Promise.all([open(port), open(port), open(port), open(port)]);
    idle.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n\r\n');

    const headerLines = Array.from({ length: 200 }, (_, i) => `x-pad-${i}: a\r\n`);
    const trickledHeaders = trickle(slowHeaders, ['POST /events/password-submit HTTP/1.1\r\nhost: 127.0.0.1\r\n', ...headerLines], 250);
    const head = `POST /events/password-submit HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const trickledBody = trickle(slowBody, [head, ...body.slice(0, 200)], 250);

    assert.equal(await slowHeaders.closed, true, 'slow headers: closed by the server');
    assert.equal(await slowBody.closed, true, 'slow body: closed by the server');
    assert.equal(await silent.closed, true, 'a connection that never sends: closed by the server');
    assert.equal(await idle.closed, true, 'an idle keep-alive connection: closed by the server');
    assert.match(idle.received(), /^HTTP\/1\.1 200/);
    await Promise.all([trickledHeaders, trickledBody]);
    assert.doesNotMatch(slowBody.received(), /MigratePassword/, 'a request never completed is never answered');
  });

  test('connections over the cap are closed as they arrive; the ones held are served', async () => {
    const held = await Promise.all(Array.from({ length: 6 }, () => open(port)));
    const extra = await open(port).catch(() => undefined);
    if (extra) {
      extra.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      assert.equal(await extra.closed, true);
      assert.equal(extra.received(), '', 'the connection over the cap got no answer');
    }
    held[0]!.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    assert.equal(await held[0]!.closed, true);
    assert.match(held[0]!.received(), /^HTTP\/1\.1 200/);
    for (const connection of held.slice(1)) connection.socket.destroy();
  });
});
