/**
 * The scale bench's load generator, a child process of bench/scale.ts (forked, IPC) so that its CPU is its own and
 * can be counted apart from the replicas' and nginx's. Closed loop: `concurrency` callers, each sending its next
 * callout as soon as the last one is answered, for `seconds` after a warm-up; that saturates whatever is behind the
 * target, which is the point (throughput, not latency at a given rate).
 *
 * Messages: in, one {@link DriveRequest} per run; out, `{ kind: 'window-start' }` when the measured window opens
 * (the parent reads the other processes' CPU then) and one {@link DriveResult} when it has closed.
 */
import { Pool } from 'undici';
import type { CalloutIdentity } from '../callouts.js';
import { percentiles } from '../measure.js';
import { answerOf, bodyTemplates, withCorrelation } from './callouts.js';

export interface DriveRequest {
  kind: 'run';
  target: string;
  token: string;
  identity: CalloutIdentity;
  accounts: string[];
  password: string;
  seconds: number;
  concurrency: number;
  warmupCallouts: number;
  /** Correlation ids from this index on are this run's: warm-up first, then the window. */
  firstIndex: number;
}

export interface DriveResult {
  kind: 'result';
  /** Callouts sent, warm-up included: indexes firstIndex … firstIndex + sent − 1. */
  sent: number;
  /** Indexes of callouts answered other than with HTTP 200 (no ledger row is expected for them). */
  notAnswered: number[];
  /** Answers in the window, by what they were. */
  answers: Record<string, number>;
  /** Callouts answered (any status) inside the window. */
  windowCallouts: number;
  windowMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** This process's CPU (user + system) during the window, in ms. */
  cpuMs: number;
}

process.on('message', (message: DriveRequest) => {
  drive(message).then(
    (result) => process.send!(result),
    (error: unknown) => {
      console.error(`driver: ${error instanceof Error ? error.stack : String(error)}`);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));

async function drive(request: DriveRequest): Promise<DriveResult> {
  const templates = await bodyTemplates(request.identity, request.accounts, request.password);
  const pool = new Pool(request.target, { connections: request.concurrency, pipelining: 1 });
  const headers = { authorization: `Bearer ${request.token}`, 'content-type': 'application/json' };
  let next = request.firstIndex;
  const notAnswered: number[] = [];

  const send = async (): Promise<{ ms: number; answer: string }> => {
    const i = next++;
    const body = withCorrelation(templates[i % templates.length]!, i);
    const t0 = performance.now();
    try {
      const response = await pool.request({ path: '/events/password-submit', method: 'POST', headers, body });
      const payload = await response.body.json().catch(() => undefined);
      if (response.statusCode !== 200) notAnswered.push(i);
      return { ms: performance.now() - t0, answer: answerOf(response.statusCode, payload) };
    } catch (error) {
      notAnswered.push(i);
      return { ms: performance.now() - t0, answer: `connection failed (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  };

  // Warm-up: JIT, connection pools (nginx's to the replicas, the replicas' to PostgreSQL and Redis), the caches.
  let warmed = 0;
  await Promise.all(Array.from({ length: request.concurrency }, async () => {
    while (warmed++ < request.warmupCallouts) await send();
  }));

  process.send!({ kind: 'window-start' });
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const endAt = started + request.seconds * 1000;
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  await Promise.all(Array.from({ length: request.concurrency }, async () => {
    while (performance.now() < endAt) {
      const { ms, answer } = await send();
      latencies.push(ms);
      answers[answer] = (answers[answer] ?? 0) + 1;
    }
  }));
  const windowMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  await pool.close();
  const latency = percentiles(latencies);
  return {
    kind: 'result',
    sent: next - request.firstIndex,
    notAnswered,
    answers,
    windowCallouts: latencies.length,
    windowMs,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    maxMs: latency.max,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
