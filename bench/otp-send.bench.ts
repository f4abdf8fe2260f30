/**
 * OnOtpSend through the real server (buildServer, listening on loopback, caller tokens verified) to a real SMTP
 * server (Debian's aiosmtpd, storing every message): first open-loop at Entra's cap of 50 calls a second for
 * BENCH_SECONDS (10 by default) — p50/p99 latency and the answers — then closed-loop with 20 calls in flight for the
 * most sends a second. Every 200 must match a stored message (a send abandoned at the deadline may still arrive).
 * Numbers from a loaded machine mean little: run it alone.
 *
 *   npm run bench:otp            # BENCH_SECONDS=3 for a quick look
 */
import { createSmtpMailer } from '../src/otp/index.js';
import { startOtpServer } from '../test/otp/otp-server-harness.js';
import { skipUnlessAiosmtpd, startSmtpServer } from '../test/support/smtp-server.js';
import { openLoop, tally } from './callouts.js';
import { fixed, percentiles, throughput } from './measure.js';

const RATE = 50; // Entra's cap: 50 extension calls a second per tenant
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLOSED_LOOP_SENDS = 1000;
const CONCURRENCY = 20;

const skip = await skipUnlessAiosmtpd();
if (skip) {
  console.log(`OTP send benchmark skipped: ${skip}`);
  process.exit(0);
}

/** One configuration: a fresh aiosmtpd (with or without AUTH) and a fresh server over it. */
async function run(label: string, auth: { user: string; password: string } | undefined): Promise<void> {
  const smtp = await startSmtpServer({ auth });
  const server = await startOtpServer({ mailer: createSmtpMailer({ url: smtp.url(auth), timeoutInMs: 1500 }), responseDeadlineInMs: 2000, logLevel: 'warn' });
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const token = await server.token();

  async function send(i: number): Promise<{ status: number; latencyInMs: number }> {
    const body = JSON.stringify(server.body(`user${i}@example.com`, { code: String(10_000_000 + i), locale: ['en-us', 'fr-fr', 'de-de', 'es-es'][i % 4]!, requestType: i % 2 ? 'signUp' : 'passwordReset' }));
    const started = performance.now();
    const response = await fetch(`${address}/events/otp-send`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    return { status: response.status, latencyInMs: performance.now() - started };
  }

  try {
    // Warm-up, 3 s at the rate: the pool's connections open (and authenticate), the JIT and the event-loop delay
    // measure (which answers 503 while it reads overloaded) settle.
    await openLoop(RATE, RATE * 3, (i) => send(1_000_000 + i));
    const before = smtp.messages().length;

    const open = await openLoop(RATE, RATE * SECONDS, (i) => send(i));
    const openStats = percentiles(open.map((result) => result.latencyInMs));
    console.log(`${label}: open loop ${RATE}/s for ${SECONDS} s: p50 ${fixed(openStats.p50)} ms, p99 ${fixed(openStats.p99)} ms, max ${fixed(openStats.max)} ms; answers ${tally(open.map((result) => String(result.status)))}`);

    let next = RATE * SECONDS;
    const statuses: string[] = [];
    const closed = await throughput(CLOSED_LOOP_SENDS, CONCURRENCY, async () => statuses.push(String((await send(next++)).status)));
    const closedStats = percentiles(closed.latencies);
    console.log(`${label}: closed loop, ${CONCURRENCY} in flight: ${fixed(closed.perSecond, 0)} sends/s, p50 ${fixed(closedStats.p50)} ms, p99 ${fixed(closedStats.p99)} ms; answers ${tally(statuses)}`);

    const ok = [...open.map((result) => String(result.status)), ...statuses].filter((status) => status === '200').length;
    const stored = smtp.messages().length - before;
    // A send abandoned at the deadline (504) may still be delivered: stored ≥ answers 200 is expected, fewer is a bug.
    console.log(`${label}: messages stored by the SMTP server: ${stored} for ${ok} answers 200${stored < ok ? ' (MISSING MESSAGES)' : stored > ok ? ' (the rest: late sends delivered after their 504)' : ''}`);
  } finally {
    await server.close();
    await smtp.close();
  }
}

console.log(`OnOtpSend → buildServer on loopback → nodemailer pool (5 connections) → aiosmtpd (one Python process)`);
await run('no AUTH', undefined);
await run('AUTH PLAIN', { user: 'otp', password: 'bench-only' });
