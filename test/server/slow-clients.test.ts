import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
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

  test('at the cap, a new connection closes the oldest one with no request in progress, and is served', async () => {
    const held = await Promise.all(Array.from({ length: 6 }, () => open(port))); // each says nothing
    const fresh = await open(port);
    assert.equal(await held[0]!.closed, true, 'the oldest silent connection made room');
    fresh.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    assert.equal(await fresh.closed, true);
    assert.match(fresh.received(), /^HTTP\/1\.1 200/, 'the new connection was answered');
    for (const connection of held.slice(1)) connection.socket.destroy();
  });

  test('at the cap with every connection mid-request, the new connection is the one closed', async () => {
    const body = JSON.stringify(await server.body('ada@contoso.example', CANARY_PASSWORDS.correct));
    const token = await server.token();
    const head = `POST /events/password-submit HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const held = await Promise.all(Array.from({ length: 6 }, () => open(port)));
    for (const connection of held) connection.socket.write(head + body.slice(0, 10)); // headers in, body under way
    await new Promise((resolve) => setTimeout(resolve, 200));
    const extra = await open(port).catch(() => undefined);
    if (extra) {
      extra.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      assert.equal(await extra.closed, true);
      assert.equal(extra.received(), '', 'the connection over the cap got no answer');
    }
    assert.equal(held.filter((connection) => connection.socket.destroyed).length, 0, 'no request in progress was cut for it');
    for (const connection of held) connection.socket.destroy();
  });
});

/** Connections that trickle bytes, held at once: the figure (15), just under the default MAX_CONNECTIONS (512). */
const TRICKLING = 500;
/** A trickling client sends its next byte this often (a byte of its headers, or of its body). */
const TRICKLE_EVERY_IN_MS = 300;
/** Valid callouts in each phase, one every VALID_EVERY_IN_MS: 10 a second, each on a connection of its own. */
const VALID_CALLOUTS = 60;
const VALID_EVERY_IN_MS = 100;
/** serve's RESPONSE_DEADLINE_MS (its default): every valid callout must be answered within it, counted from its send. */
const DEADLINE_IN_MS = 1500;

/**
 * Holds `count` connections open that trickle: a third send their headers a byte at a time, a third send complete
 * headers with a valid caller token and then their body a byte at a time, a third send nothing. Each one the server
 * closes is opened again at once, as an attacker keeping up the pressure would.
 */
function holdTrickling(port: number, count: number, head: string, body: string) {
  let stopped = false;
  let open = 0;
  let cutOff = 0;
  const sockets = new Set<Socket>();
  const hold = async (slot: number): Promise<void> => {
    while (!stopped) {
      const socket = connect({ host: '127.0.0.1', port });
      sockets.add(socket);
      socket.on('error', () => undefined);
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        open++;
      });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const chunks = slot % 3 === 0 ? [...head] : slot % 3 === 1 ? [head, ...body] : [];
      for (const chunk of chunks) {
        const next = await Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, TRICKLE_EVERY_IN_MS, 'next'))]);
        if (next === 'closed' || stopped) break;
        socket.write(chunk);
      }
      await Promise.race([closed, new Promise<void>((resolve) => { const timer = setInterval(() => stopped && (clearInterval(timer), resolve()), 100); })]);
      if (socket.readyState === 'open' || socket.readyState === 'opening') socket.destroy();
      await closed;
      sockets.delete(socket);
      if (connected) open--;
      if (!stopped) cutOff++;
    }
  };
  const slots = Array.from({ length: count }, (_, slot) => hold(slot));
  return {
    open: () => open,
    cutOff: () => cutOff,
    async stop() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
      await Promise.all(slots);
    },
  };
}

/** One OnPasswordSubmit callout on a connection of its own: its status, its action and how long it took, in ms. */
function postCallout(port: number, token: string, body: string): Promise<{ status: number; action: string | undefined; latencyInMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/events/password-submit', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const latencyInMs = performance.now() - started;
          let action: string | undefined;
          try {
            action = (JSON.parse(text) as { data?: { actions?: Array<{ '@odata.type'?: string }> } }).data?.actions?.[0]?.['@odata.type'];
          } catch {
            action = undefined;
          }
          resolve({ status: response.statusCode ?? 0, action, latencyInMs });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function validCallouts(port: number, token: string, bodies: readonly string[]) {
  const answers: Array<Promise<{ status: number; action: string | undefined; latencyInMs: number } | { error: string }>> = [];
  for (const body of bodies) {
    answers.push(postCallout(port, token, body).catch((error: Error) => ({ error: error.message })));
    await new Promise((resolve) => setTimeout(resolve, VALID_EVERY_IN_MS));
  }
  return Promise.all(answers);
}

/** Runs VALID_CALLOUTS valid callouts without, then with `trickling` trickling connections held; asserts and reports. */
function trickleTest(title: string, options: { trickling: number; maxConnections?: number }) {
  describe(title, () => {
    let server: ServerUnderTest;
    let port: number;
    before(async () => {
      server = await startServer({ responseDeadlineInMs: DEADLINE_IN_MS, ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }) });
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      port = (server.app.server.address() as { port: number }).port;
    });
    after(() => server.close());

    test('every valid callout is answered, right and inside the deadline, with and without them', async (t) => {
      const token = await server.token();
      const bodyOf = async (i: number) => JSON.stringify(await server.body('ada@contoso.example', CANARY_PASSWORDS.correct, { nonce: `valid-${i}` }));
      const quiet = await Promise.all(Array.from({ length: VALID_CALLOUTS }, (_, i) => bodyOf(i)));
      const loaded = await Promise.all(Array.from({ length: VALID_CALLOUTS }, (_, i) => bodyOf(VALID_CALLOUTS + i)));
      const trickledBody = JSON.stringify(await server.body('ada@contoso.example', CANARY_PASSWORDS.wrong, { nonce: 'trickled' }));
      const trickledHead = `POST /events/password-submit HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(trickledBody)}\r\n\r\n`;
      const expectedHeld = Math.min(options.trickling, options.maxConnections ?? Number.POSITIVE_INFINITY);

      const without = await validCallouts(port, token, quiet);

      const trickle = holdTrickling(port, options.trickling, trickledHead, trickledBody);
      const heldBy = performance.now() + 10_000;
      while (trickle.open() < expectedHeld && performance.now() < heldBy) await new Promise((resolve) => setTimeout(resolve, 50));
      const openWhenStarted = trickle.open();
      const during = await validCallouts(port, token, loaded);
      const cutOff = trickle.cutOff();
      await trickle.stop();

      const figures = (answers: typeof without) => {
        const latencies = answers.flatMap((answer) => ('latencyInMs' in answer ? [answer.latencyInMs] : [])).sort((a, b) => a - b);
        const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
        return { p50: Math.round(at(0.5) * 10) / 10, p99: Math.round(at(0.99) * 10) / 10, max: Math.round(latencies.at(-1)! * 10) / 10 };
      };
      t.diagnostic(`without: ${JSON.stringify(figures(without))} ms; with ${openWhenStarted} trickling connections open (${cutOff} cut off by the server and opened again): ${JSON.stringify(figures(during))} ms`);

      assert.ok(openWhenStarted >= expectedHeld * 0.95, `the trickling connections were held (${openWhenStarted} open)`);
      // The clients never close a connection themselves: every close is the server's (about 2–2.5 s after each opened).
      assert.ok(cutOff >= options.trickling / 2, `the server cut the trickling connections off (${cutOff} times) and they came back`);
      for (const [phase, answers] of [['without', without], ['with', during]] as const) {
        for (const answer of answers) {
          assert.ok(!('error' in answer), `${phase} the trickle: a valid callout failed: ${'error' in answer ? answer.error : ''}`);
          assert.equal(answer.status, 200, `${phase} the trickle`);
          assert.equal(answer.action, 'microsoft.graph.passwordSubmit.MigratePassword', `${phase} the trickle: the right password migrated`);
          assert.ok(answer.latencyInMs < DEADLINE_IN_MS, `${phase} the trickle: answered in ${answer.latencyInMs} ms, inside the ${DEADLINE_IN_MS} ms deadline`);
        }
      }
    });
  });
}

trickleTest(`${TRICKLING} trickling connections against a listening server (default MAX_CONNECTIONS, 512)`, { trickling: TRICKLING });
trickleTest('more trickling connections than MAX_CONNECTIONS (100 against 64): the cap closes theirs, not the valid callouts', { trickling: 100, maxConnections: 64 });
