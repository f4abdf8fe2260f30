/** The scale bench's figures: one row per measured run, printed as a table and written as JSON and CSV. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixed } from '../measure.js';
import type { CpuUsed } from './cpu.js';
import type { DriveResult } from './driver.js';
import type { CheckResult } from './checks.js';

export interface RunFigures {
  label: string;
  replicas: number;
  bcryptCost: number;
  concurrency: number;
  callouts: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  answers: Record<string, number>;
  /** Callouts of the window each replica answered. */
  byReplica: number[];
  /** Each replica's CPU-ms per callout it answered (a replica started later may still be warming up). */
  cpuMsPerCalloutByReplica: number[];
  /** CPU-ms per callout answered: all replicas together, nginx, the driver, the bench database's PostgreSQL backends, Redis (shared). */
  cpuMsPerCallout: { replicas: number; nginx: number; driver: number; postgres: number; redis: number };
  /** Cores each part kept busy on average over the window (CPU time ÷ wall time). */
  cores: { replicas: number; nginx: number; driver: number; postgres: number; redis: number; bench: number; machine: number; others: number };
  /** Callouts/s for each core the replicas used: 1000 ÷ their CPU-ms per callout. */
  perReplicaCore: number;
  /** The replicas' warning lines during the run (a Redis timeout, say), each once with its count. */
  warnings: string[];
}

export function figuresOf(label: string, replicas: number, bcryptCost: number, concurrency: number, result: DriveResult, cpu: CpuUsed, byReplica: number[], warnings: string[]): RunFigures {
  const n = result.windowCallouts;
  const perCallout = (ms: number) => ms / n;
  const cores = (ms: number) => ms / cpu.wallMs;
  return {
    label,
    replicas,
    bcryptCost,
    concurrency,
    callouts: n,
    seconds: result.windowMs / 1000,
    perSecond: (n * 1000) / result.windowMs,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    maxMs: result.maxMs,
    answers: result.answers,
    byReplica,
    cpuMsPerCalloutByReplica: cpu.replicas.map((ms, i) => ms / byReplica[i]!),
    cpuMsPerCallout: { replicas: perCallout(cpu.replicasTotal), nginx: perCallout(cpu.nginx), driver: perCallout(cpu.driver), postgres: perCallout(cpu.postgres), redis: perCallout(cpu.redis) },
    cores: {
      replicas: cores(cpu.replicasTotal),
      nginx: cores(cpu.nginx),
      driver: cores(cpu.driver),
      postgres: cores(cpu.postgres),
      redis: cores(cpu.redis),
      bench: cores(cpu.bench),
      machine: cores(cpu.machineBusy),
      others: cores(cpu.others),
    },
    perReplicaCore: 1000 / perCallout(cpu.replicasTotal),
    warnings,
  };
}

export function printRuns(runs: readonly RunFigures[]): void {
  console.log('\n| run | callouts/s | p50 / p99 ms | replicas CPU-ms per callout | callouts/s per replica core | cores: replicas + nginx + driver + PostgreSQL + Redis + bench = machine (others) | answered by replica | CPU-ms per callout by replica |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const run of runs) {
    const c = run.cores;
    console.log(
      `| ${run.label} | ${fixed(run.perSecond, 0)} | ${fixed(run.p50Ms)} / ${fixed(run.p99Ms)} | ${fixed(run.cpuMsPerCallout.replicas, 2)} | ${fixed(run.perReplicaCore, 0)} | ` +
        `${fixed(c.replicas, 2)} + ${fixed(c.nginx, 2)} + ${fixed(c.driver, 2)} + ${fixed(c.postgres, 2)} + ${fixed(c.redis, 2)} + ${fixed(c.bench, 2)} = ${fixed(c.machine, 2)} (${fixed(c.others, 2)}) | ${run.byReplica.join(' / ')} | ${run.cpuMsPerCalloutByReplica.map((ms) => fixed(ms, 2)).join(' / ')} |`,
    );
  }
}

/** Three replicas against one at the same bcrypt cost: throughput and CPU per callout. */
export interface Scaling {
  bcryptCost: number;
  throughputRatio: number;
  cpuPerCalloutRatio: number;
  perReplicaCoreRatio: number;
}

/** Three replicas against one, for each bcrypt cost measured with both. */
export function scalingOfRuns(runs: readonly RunFigures[]): Scaling[] {
  return [4, 10].flatMap((cost) => {
    const one = runs.find((run) => run.bcryptCost === cost && run.replicas === 1);
    const three = runs.find((run) => run.bcryptCost === cost && run.replicas === 3);
    if (!one || !three) return [];
    return [{
      bcryptCost: cost,
      throughputRatio: three.perSecond / one.perSecond,
      cpuPerCalloutRatio: three.cpuMsPerCallout.replicas / one.cpuMsPerCallout.replicas,
      perReplicaCoreRatio: three.perReplicaCore / one.perReplicaCore,
    }];
  });
}

/**
 * The ratios, and the one that must hold on any machine: CPU per callout with three replicas within 10 % of one's,
 * so throughput grows with the cores the replicas are given. Throughput itself can only triple with three free cores.
 */
export function printScaling(scaling: readonly Scaling[], cores: number): void {
  console.log('');
  for (const s of scaling) {
    console.log(
      `bcrypt-${s.bcryptCost}, 3 replicas ÷ 1: throughput ×${fixed(s.throughputRatio, 2)} (${cores} cores: 3× needs ≥ 3 free cores); ` +
        `CPU per callout ×${fixed(s.cpuPerCalloutRatio, 2)} (goal ≤ 1.10: ${s.cpuPerCalloutRatio <= 1.1 ? 'met, it scales per core' : 'NOT met'}); callouts/s per replica core ×${fixed(s.perReplicaCoreRatio, 2)}`,
    );
  }
}

export interface Summary {
  startedAt: string;
  node: string;
  cores: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  settings: Record<string, number | string>;
  runs: RunFigures[];
  scaling: Scaling[];
  checks: CheckResult[];
  /** Load accounts (right password every time) whose count was left in Redis by a late answer. */
  leftoverRedisCounts: number;
  passed: boolean;
}

/** Writes scale.json (everything) and scale.csv (one line per run) into `dir`; returns their paths. */
export async function writeSummary(dir: string, summary: Summary): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const jsonPath = join(dir, 'scale.json');
  await writeFile(jsonPath, `${JSON.stringify(summary, null, 2)}\n`);
  const header = [
    'run', 'replicas', 'bcrypt_cost', 'concurrency', 'callouts', 'seconds', 'callouts_per_s', 'p50_ms', 'p99_ms', 'max_ms',
    'replicas_cpu_ms_per_callout', 'nginx_cpu_ms_per_callout', 'driver_cpu_ms_per_callout', 'postgres_cpu_ms_per_callout', 'redis_cpu_ms_per_callout',
    'replicas_cores', 'nginx_cores', 'driver_cores', 'postgres_cores', 'redis_cores', 'bench_cores', 'machine_cores', 'others_cores', 'callouts_per_s_per_replica_core',
  ];
  const cell = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '');
  const lines = summary.runs.map((run) =>
    [
      `"${run.label}"`, run.replicas, run.bcryptCost, run.concurrency, run.callouts, cell(run.seconds, 2), cell(run.perSecond, 1), cell(run.p50Ms, 2), cell(run.p99Ms, 2), cell(run.maxMs, 2),
      ...Object.values(run.cpuMsPerCallout).map((value) => cell(value, 3)),
      ...Object.values(run.cores).map((value) => cell(value, 3)),
      cell(run.perReplicaCore, 1),
    ].join(','),
  );
  const csvPath = join(dir, 'scale.csv');
  await writeFile(csvPath, `${[header.join(','), ...lines].join('\n')}\n`);
  return [jsonPath, csvPath];
}
