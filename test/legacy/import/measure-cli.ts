// Runs the CLI from source like test/support/run-cli.ts, then writes the process's peak resident memory (kB) and
// the run's wall time (ms) as JSON to the file MEASURE_FILE names: for the memory tests.
import { writeFileSync } from 'node:fs';
import { main } from '../../../src/cli/main.js';

const started = performance.now();
process.exitCode = await main(process.argv);
if (process.env.MEASURE_FILE) {
  writeFileSync(process.env.MEASURE_FILE, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, elapsedInMs: Math.round(performance.now() - started) }));
}
