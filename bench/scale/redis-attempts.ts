/**
 * The bench's side of the shared Redis: its attempt counts are named with a RATE_LIMIT_KEY_SECRET drawn for the run,
 * so they cannot collide with another user's, and are found again at the end (HMAC of each name the run used, the
 * replicas' own naming) and deleted: nothing is scanned or flushed on a server others use.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { attemptKeyOf, REDIS_KEY_PREFIX } from '../../src/limits/index.js';
import { cpuTimeInMs } from '../measure.js';

export interface BenchRedis {
  /** RATE_LIMIT_KEY_SECRET for the replicas: 32 random bytes, base64url. */
  keySecret: string;
  /** How many of `names` have a count in Redis now. */
  countsHeld(names: readonly string[]): Promise<number>;
  /** Round trips (PING) from this process, one after another, in ms: how quickly Redis answers right now. */
  roundTripsInMs(count: number): Promise<number[]>;
  /** CPU time of the Redis server process in ms (it serves others too), or NaN when it cannot be read. */
  serverCpuTimeInMs(): number;
  /** Deletes the counts of `names` and closes the connection; returns how many there were. */
  deleteAndClose(names: readonly string[]): Promise<number>;
}

export async function connectBenchRedis(url: string): Promise<BenchRedis> {
  const client = createClient({ url });
  client.on('error', () => undefined); // a failed call rejects on its own; the event would end the process
  await client.connect();
  const keySecret = randomBytes(32).toString('base64url');
  const info = await client.info('server');
  const serverPid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  const keysOf = (names: readonly string[]) => names.map((name) => REDIS_KEY_PREFIX + attemptKeyOf(name, keySecret));
  return {
    keySecret,
    countsHeld: async (names) => (names.length === 0 ? 0 : client.exists(keysOf(names))),
    async roundTripsInMs(count) {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await client.ping();
        times.push(performance.now() - t0);
      }
      return times;
    },
    serverCpuTimeInMs() {
      try {
        return cpuTimeInMs(serverPid);
      } catch {
        return Number.NaN; // a Redis on another machine or in a container: its process is not ours to read
      }
    },
    async deleteAndClose(names) {
      let deleted = 0;
      const keys = keysOf(names);
      for (let i = 0; i < keys.length; i += 500) deleted += await client.del(keys.slice(i, i + 500));
      await client.close();
      return deleted;
    },
  };
}
