/**
 * `npm run bench` (second part): verifications per second for every format of the shared vectors, and the event
 * loop's delay while all of them run mixed. Each format is measured for about half a second with as many checks in
 * flight as the verifier admits.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createPasswordVerifier } from '../src/legacy/hashes/index.js';
import { NOT_YET, storedOf, withEncoding } from '../test/legacy/hashes/vector-schemes.js';
import { passwordOf, VECTORS } from '../test/legacy/hashes/vectors.js';
import { fixed } from './measure.js';

const verifier = createPasswordVerifier();
const seen = new Set<string>();
const samples = VECTORS.filter((vector) => !(vector.format in NOT_YET) && !seen.has(vector.format) && seen.add(vector.format));
const IN_FLIGHT = 4;

console.log(`# hash verification — node ${process.version}, ${availableParallelism()} cores, ${IN_FLIGHT} in flight\n`);
console.log('| format | example | verifies/s |\n|---|---|---|');
for (const vector of samples) {
  const stored = withEncoding(vector, storedOf(vector));
  const password = passwordOf(vector);
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() - started < 500 || done < IN_FLIGHT) {
        if (!(await verifier.verify(password, stored))) throw new Error(`${vector.format} did not verify`);
        done++;
      }
    }),
  );
  console.log(`| ${vector.format} | \`${vector.hash.slice(0, 24).replace(/\|/g, '\\|')}…\` | ${fixed((done * 1000) / (performance.now() - started), 1)} |`);
}

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const mixedStarted = performance.now();
let mixed = 0;
await Promise.all(
  Array.from({ length: 16 }, async (_, lane) => {
    for (let i = lane; performance.now() - mixedStarted < 5000; i += 16) {
      const vector = samples[i % samples.length]!;
      await verifier.verify(passwordOf(vector), withEncoding(vector, storedOf(vector)));
      mixed++;
    }
  }),
);
delay.disable();
console.log(
  `\nMixed load, all ${samples.length} formats, 16 callers for 5 s: ${mixed} verifications; event-loop delay p50 ${fixed(delay.percentile(50) / 1e6, 2)} ms, p99 ${fixed(delay.percentile(99) / 1e6, 2)} ms, max ${fixed(delay.max / 1e6, 1)} ms`,
);
await verifier.close();
