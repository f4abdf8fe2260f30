/**
 * `npm run fuzz`: the long run of the HTTP fuzz (test/fuzz/http-surface.test.ts runs 10,000 in CI). Prints the seed
 * first, then what the server answered, the RSS figures and the time taken; exits 1 on the first failing request
 * (shrunk by fast-check, with the seed and path to replay it) or on an RSS growth over FUZZ_RSS_BOUND_MB.
 *
 *   FUZZ_RUNS=200000 FUZZ_SEED=12345 node --import tsx test/fuzz/run-fuzz.ts
 *
 * Not part of `npm test`: it takes minutes.
 */
import { startFuzzServer } from './fuzz-server.js';
import { runInjectFuzz, runSocketFuzz, runsOf, seedOf } from './http-fuzz.js';

const MB = 1024 * 1024;
const seed = seedOf(process.env);
const runs = runsOf(process.env, 200_000);
const socketRuns = Number(process.env.FUZZ_SOCKET_RUNS ?? 2_000);
const rssBoundInMb = Number(process.env.FUZZ_RSS_BOUND_MB ?? 64);
console.log(`fuzz: seed ${seed} (replay with FUZZ_SEED=${seed}), ${runs} requests through inject, ${socketRuns} over a socket`);

const unexpected: string[] = [];
process.on('unhandledRejection', (reason) => unexpected.push(`unhandled rejection: ${String((reason as Error)?.stack ?? reason).slice(0, 500)}`));
process.on('uncaughtException', (error) => unexpected.push(`uncaught exception: ${String(error.stack ?? error).slice(0, 500)}`));

const server = await startFuzzServer();
let failed = false;
try {
  const injected = await runInjectFuzz(server, { seed, runs, warmUpRuns: Math.min(2_000, Math.ceil(runs / 10)), path: process.env.FUZZ_PATH });
  const growthInMb = (injected.rssAfterRunInBytes - injected.rssAfterWarmUpInBytes) / MB;
  console.log(`inject: ${injected.tally.requests} requests in ${(injected.durationInMs / 1000).toFixed(1)} s (${((injected.durationInMs * 1000) / injected.tally.requests).toFixed(0)} µs each)`);
  console.log(`  by status ${JSON.stringify(injected.tally.byStatus)}`);
  console.log(`  by code   ${JSON.stringify(injected.tally.byCode)}`);
  console.log(`  slowest answer ${injected.tally.maxElapsedInMs.toFixed(1)} ms (deadline ${server.responseDeadlineInMs} ms)`);
  console.log(`  RSS after warm-up ${(injected.rssAfterWarmUpInBytes / MB).toFixed(1)} MB, after the run ${(injected.rssAfterRunInBytes / MB).toFixed(1)} MB (growth ${growthInMb.toFixed(1)} MB, bound ${rssBoundInMb} MB)`);
  if (growthInMb > rssBoundInMb) {
    console.log(`FAIL: RSS grew ${growthInMb.toFixed(1)} MB`);
    failed = true;
  }
  const socket = await runSocketFuzz(server, { seed: seed + 1, runs: socketRuns, concurrency: 8 });
  console.log(`socket: ${socket.tally.requests} answered, ${socket.hungUp} hung up on (over-limit requests), slowest ${socket.tally.maxElapsedInMs.toFixed(1)} ms`);
  console.log(`  by status ${JSON.stringify(socket.tally.byStatus)}`);
  for (const failure of socket.failures.slice(0, 20)) console.log(`FAIL: ${failure}`);
  if (socket.failures.length > 0) failed = true;
} catch (error) {
  console.log(String((error as Error).stack ?? error).slice(0, 3000));
  failed = true;
} finally {
  await server.close();
}
for (const line of server.errorLines().slice(0, 20)) console.log(`FAIL: server error log: ${line}`);
for (const line of unexpected) console.log(`FAIL: ${line}`);
if (failed || server.errorLines().length > 0 || unexpected.length > 0) process.exitCode = 1;
else console.log('fuzz: no failure');
