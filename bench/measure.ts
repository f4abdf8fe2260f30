import { readFileSync } from 'node:fs';

/** Latency percentiles of a sample, in ms. */
export function percentiles(samples: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux). */
export function cpuTimeInMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Runs `work` `count` times with `concurrency` in flight; returns ops/s and per-op latencies in ms. */
export async function throughput(count: number, concurrency: number, work: () => Promise<unknown>): Promise<{ perSecond: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const t0 = performance.now();
        await work();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { perSecond: (count * 1000) / (performance.now() - started), latencies };
}

export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/** Reads `read()` every `intervalInMs` until `stop()`, which returns the samples with their times (ms). */
export function sampleEvery<T>(intervalInMs: number, read: () => T): { stop(): Array<{ at: number; value: T }> } {
  const samples: Array<{ at: number; value: T }> = [{ at: performance.now(), value: read() }];
  const timer = setInterval(() => samples.push({ at: performance.now(), value: read() }), intervalInMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push({ at: performance.now(), value: read() });
      return samples;
    },
  };
}
