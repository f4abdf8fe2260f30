import { createClient } from 'redis';
import type { AttemptStore, AttemptTaken, TakeOptions } from './attempt-store.js';

/** Every key this store writes starts with this, so a Redis shared with other applications keeps ours apart. */
export const REDIS_KEY_PREFIX = 'entra-migrate:attempts:';
/**
 * How long connecting may take, in ms, before the client gives up and tries again: a Redis on the same network
 * answers in a millisecond or two; 1 s tells a slow link from a dead one.
 */
const CONNECT_TIMEOUT_IN_MS = 1000;
/** Longest wait between reconnection attempts, in ms: a Redis that comes back is used again within 2 s. */
const MAX_RECONNECT_DELAY_IN_MS = 2000;

/**
 * Counts one attempt unless the limit is reached, in one step on the server (a script runs alone, so two replicas
 * taking the last attempt at once cannot both get it). KEYS[1] the account; ARGV[1] the limit; ARGV[2] the window
 * in ms. Returns {allowed (1 or 0), failures}. The window is set by the first failure and never extended; a key that
 * somehow has no expiry (set by hand) gets one, so no count outlives its window.
 */
const TAKE_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures >= tonumber(ARGV[1]) then return {0, failures} end
failures = redis.call('INCR', KEYS[1])
if failures == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, failures}
`;
/** Gives one attempt back (never below zero, never recreating a count whose window ended). */
const GIVE_BACK_SCRIPT = `
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures > 0 then return redis.call('DECR', KEYS[1]) end
return 0
`;

/** The Redis store, and whether its connection can take a command right now. */
export interface RedisAttemptStore extends AttemptStore {
  /** True while connected: a command sent now is answered unless Redis is slow. */
  isReady(): boolean;
  /**
   * Drops the connection and opens a new one: for a call that got no answer in time, since a connection whose peer
   * hangs with TCP still up is never noticed by the client (no error, no close) and would hold every later command.
   * The commands still waiting on the old one fail.
   */
  reconnect(): void;
}

export interface RedisAttemptStoreOptions {
  /** RATE_LIMIT_REDIS_URL: `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. Never logged. */
  url: string;
  /** Told each time the connection fails or drops (with the error's code or name, never the URL). */
  onConnectionError?: (code: string) => void;
}

/**
 * Attempt counts in Redis, shared by every replica that points at it (node-redis, the official client). The
 * connection is opened in the background and reopened on its own after a drop, with a backoff up to 2 s; commands are
 * not queued while it is down (`disableOfflineQueue`), they fail at once, so the caller can count in memory instead
 * (limits/shared-attempt-store.ts). Time limits per call are the caller's, for the same reason.
 *
 * Each count is one string key `entra-migrate:attempts:<keyed hash>` holding the failures, expiring with its window.
 *
 * @example
 *   const redis = createRedisAttemptStore({ url: 'redis://127.0.0.1:6379' });
 *   const taken = await redis.take(key, { limit: 10, windowInMs: 900_000, answerBy: Date.now() + 1000 });
 */
export function createRedisAttemptStore(options: RedisAttemptStoreOptions): RedisAttemptStore {
  const connect = () => {
    const fresh = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: CONNECT_TIMEOUT_IN_MS,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_IN_MS),
      },
    });
    // Without a listener an 'error' event would end the process; the caller hears of it through onConnectionError.
    fresh.on('error', (error: unknown) => options.onConnectionError?.(errorCodeOf(error)));
    fresh.connect().catch(() => undefined);
    return fresh;
  };
  let client = connect();
  let closed = false;

  const shas = new Map<string, string>();
  const run = async (script: string, key: string, args: readonly string[]): Promise<unknown> => {
    const sha = shas.get(script);
    if (sha !== undefined) {
      try {
        return await client.sendCommand(['EVALSHA', sha, '1', key, ...args]);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      }
    }
    // First use, or Redis restarted and forgot its scripts: load it and run it in one go.
    const loaded = String(await client.sendCommand(['SCRIPT', 'LOAD', script]));
    shas.set(script, loaded);
    return client.sendCommand(['EVALSHA', loaded, '1', key, ...args]);
  };

  return {
    isReady: () => client.isReady,
    reconnect() {
      if (closed) return;
      const old = client;
      client = connect();
      destroyQuietly(old);
    },
    async take(hashedKey: string, { limit, windowInMs }: TakeOptions): Promise<AttemptTaken> {
      const key = REDIS_KEY_PREFIX + hashedKey;
      const reply = await run(TAKE_SCRIPT, key, [String(limit), String(Math.ceil(windowInMs))]);
      const [allowed, failures] = reply as [number, number];
      return {
        allowed: allowed === 1,
        failures: Number(failures),
        clear: async () => {
          if (allowed === 1) await client.sendCommand(['DEL', key]);
        },
        giveBack: async () => {
          if (allowed === 1) await run(GIVE_BACK_SCRIPT, key, []);
        },
      };
    },
    async close() {
      closed = true;
      if (client.isReady) await client.close().catch(() => destroyQuietly(client));
      else destroyQuietly(client);
    },
  };
}

/** Ends a client whatever state it is in (connecting, reconnecting, closed already). */
function destroyQuietly(client: { destroy(): void }): void {
  try {
    client.destroy();
  } catch {
    // Already closed: nothing to end.
  }
}

/** A connection error's code (`ECONNREFUSED`) or class name: what a log line may say about it. */
export function errorCodeOf(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.name;
  return 'UNKNOWN';
}
