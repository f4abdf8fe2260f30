/**
 * The `serve` replicas of the scale bench: bench/callouts.ts's startServe (dist/, as deployed, one child process
 * each), numbered from 1, with what the bench reads back from their logs: which replica answered which callout (each
 * request's log line carries its correlation id) and the warnings they wrote.
 */
import { startServe, type RunningServe, type ServerLogLine } from '../callouts.js';
import { indexOfCorrelationId } from './callouts.js';

export interface Replica {
  number: number;
  serve: RunningServe;
  pid: number;
  /** `127.0.0.1:<port>`, as nginx's upstream names it. */
  address: string;
  /** performance.now() when it said it was listening (its signing keys are being fetched from then on). */
  listeningAtMs: number;
}

interface LogLine extends ServerLogLine {
  level?: number;
  correlationId?: string;
}

/** Pino's level number of `warn`. */
const WARN = 40;

export async function startReplica(number: number, env: Record<string, string>): Promise<Replica> {
  const serve = await startServe(env);
  return { number, serve, pid: serve.child.pid!, address: new URL(serve.url).host, listeningAtMs: performance.now() };
}

/** How many of the callouts with indexes in [from, to) each replica answered, in the order of `replicas`. */
export function answeredBy(replicas: readonly Replica[], from: number, to: number): number[] {
  return replicas.map((replica) => {
    let count = 0;
    for (const line of replica.serve.log as LogLine[]) {
      if (line.correlationId === undefined) continue;
      const i = indexOfCorrelationId(line.correlationId);
      if (i >= from && i < to) count++;
    }
    return count;
  });
}

/**
 * The warning and error lines the replicas wrote since the last call (`replica 2: <msg>`, each message once with its
 * count), and forgets every line read so far: a run logs one line per callout, which the bench need not keep.
 */
export function takeWarnings(replicas: readonly Replica[]): string[] {
  const seen = new Map<string, number>();
  for (const replica of replicas) {
    for (const line of replica.serve.log as LogLine[]) {
      if ((line.level ?? 0) < WARN) continue;
      const text = `replica ${replica.number}: ${line.msg ?? '(no message)'}`;
      seen.set(text, (seen.get(text) ?? 0) + 1);
    }
    replica.serve.log.length = 0;
  }
  return [...seen].map(([text, n]) => (n > 1 ? `${text} (×${n})` : text));
}
