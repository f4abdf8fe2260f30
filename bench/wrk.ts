/**
 * Callouts driven by wrk (Debian's `wrk`, C and epoll): a load generator whose own cost and jitter are small next
 * to the server's, so that the server's CPU and latency are what is measured. A Lua script sends the given bodies in
 * turn with the caller token, tallies the answers' actions and prints one JSON line at the end.
 */
import { execFile, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What one wrk run saw. Latencies in ms, from the request written to the answer read. */
export interface WrkRun {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** `MigratePassword 7000`, `status 503 12`, `socket errors 0` …: how often each answer came. */
  actions: string;
}

/** True when `wrk` is on PATH (`apt-get install wrk`). */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

/**
 * Writes the bodies (one JSON per line) and the Lua script into `dir`; returns a function that runs wrk for
 * `seconds` with `connections` connections on one thread. With `pauseInMs`, each connection waits that long after an
 * answer before its next request (wrk's `delay()`): one connection and a pause of 20 ms less the answer time sends
 * about 50 callouts a second, one at a time.
 */
export async function prepareWrk(options: { dir: string; url: string; path: string; token: string; bodies: readonly string[] }) {
  const bodiesFile = join(options.dir, 'wrk-bodies.jsonl');
  const script = join(options.dir, 'wrk-callouts.lua');
  await writeFile(bodiesFile, `${options.bodies.join('\n')}\n`);
  await writeFile(
    script,
    `local bodies = {}
for line in io.lines(${JSON.stringify(bodiesFile)}) do bodies[#bodies + 1] = line end
local i = 0
counts = {} -- a global: done() reads each thread's with thread:get
wrk.method = "POST"
wrk.headers["authorization"] = "Bearer ${options.token}"
wrk.headers["content-type"] = "application/json"
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "0")
if pause > 0 then delay = function() return pause end end
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, ${JSON.stringify(options.path)}, nil, bodies[i])
end
response = function(status, headers, body)
  local key = status == 200 and (string.match(body, "passwordSubmit%.(%a+)") or "200 without an action") or ("status " .. status)
  counts[key] = (counts[key] or 0) + 1
end
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
done = function(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do merged[key] = (merged[key] or 0) + n end
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  if errors > 0 then merged["socket errors"] = errors end
  local parts = {}
  for key, n in pairs(merged) do parts[#parts + 1] = string.format("%q:%d", key, n) end
  io.write(string.format('{"requests":%d,"seconds":%f,"p50":%f,"p99":%f,"max":%f,"actions":{%s}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, table.concat(parts, ",")))
end
`,
  );
  return async (run: { connections: number; seconds: number; pauseInMs?: number }): Promise<WrkRun> => {
    const args = ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--timeout', '5s', '-s', script, options.url];
    // Asynchronous: this process must keep reading the server's log pipe while wrk runs, or the server's writes stall.
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('wrk', args, { env: { ...process.env, WRK_PAUSE_MS: String(run.pauseInMs ?? 0) } }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"requests"'));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const summary = JSON.parse(line) as { requests: number; seconds: number; p50: number; p99: number; max: number; actions: Record<string, number> };
    return {
      requests: summary.requests,
      perSecond: summary.requests / summary.seconds,
      p50: summary.p50,
      p99: summary.p99,
      max: summary.max,
      actions: Object.entries(summary.actions).map(([action, n]) => `${action} ${n}`).join(', '),
    };
  };
}
