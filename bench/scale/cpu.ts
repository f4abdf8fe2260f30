/**
 * Where the CPU of a measured window went, from /proc (Linux): each replica (every thread of the process: the event
 * loop and the libuv pool that verifies the hashes), nginx (master and worker), the load driver, the PostgreSQL
 * backends of the bench's database, the shared Redis server, this orchestrating process, and the whole machine (so
 * what other users of the machine took in the same seconds shows too).
 */
import { readFileSync } from 'node:fs';
import { cpuTimeInMs } from '../measure.js';

export interface CpuSources {
  replicaPids: readonly number[];
  nginx: { cpuTimeInMs(): number };
  driverPid: number;
  postgresBackends(): Promise<number>;
  redisServer(): number;
}

/** CPU time used so far by each part, in ms; `machineBusy` counts every process of every core. */
export interface CpuReading {
  atMs: number;
  replicas: number[];
  nginx: number;
  driver: number;
  postgres: number;
  redis: number;
  bench: number;
  machineBusy: number;
}

export async function readCpu(sources: CpuSources): Promise<CpuReading> {
  const postgres = await sources.postgresBackends();
  const bench = process.cpuUsage();
  return {
    atMs: performance.now(),
    replicas: sources.replicaPids.map((pid) => cpuTimeInMs(pid)),
    nginx: sources.nginx.cpuTimeInMs(),
    driver: cpuTimeInMs(sources.driverPid),
    postgres,
    redis: sources.redisServer(),
    bench: (bench.user + bench.system) / 1000,
    machineBusy: machineBusyInMs(),
  };
}

/** CPU ms of each part between two readings. */
export interface CpuUsed {
  wallMs: number;
  replicas: number[];
  replicasTotal: number;
  nginx: number;
  driver: number;
  postgres: number;
  redis: number;
  bench: number;
  machineBusy: number;
  /** The machine's busy time not accounted for by any part above: other users of the machine. */
  others: number;
}

export function cpuBetween(before: CpuReading, after: CpuReading): CpuUsed {
  const replicas = after.replicas.map((ms, i) => ms - before.replicas[i]!);
  const replicasTotal = replicas.reduce((sum, ms) => sum + ms, 0);
  const used = {
    nginx: after.nginx - before.nginx,
    driver: after.driver - before.driver,
    postgres: after.postgres - before.postgres,
    redis: after.redis - before.redis,
    bench: after.bench - before.bench,
  };
  const machineBusy = after.machineBusy - before.machineBusy;
  const ours = replicasTotal + used.nginx + used.driver + used.postgres + (Number.isFinite(used.redis) ? used.redis : 0) + used.bench;
  return { wallMs: after.atMs - before.atMs, replicas, replicasTotal, ...used, machineBusy, others: Math.max(0, machineBusy - ours) };
}

/** Busy time of all cores since boot, in ms: the first line of /proc/stat less idle and iowait (USER_HZ 100). */
function machineBusyInMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) * 10;
}
