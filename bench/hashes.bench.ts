/**
 * `npm run bench` (second part): verifications per second for every format of the shared vectors, and the event
 * loop's delay while all of them run mixed. Each format is measured for about half a second with as many checks in
 * flight as the verifier admits.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createPasswordVerifier, surveyHashes, type StoredHash } from '../src/legacy/hashes/index.js';
import { NOT_YET, storedOf, withEncoding } from '../test/legacy/hashes/vector-schemes.js';
import { FAMILY_VECTORS, passwordOf, VECTORS } from '../test/legacy/hashes/vectors.js';
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

// The formats added by family (issue 13): one vector of each, with its scheme named as a store would.
const familySeen = new Set<string>();
for (const vector of FAMILY_VECTORS.filter((entry) => !entry.malformed && !entry.disabled && !familySeen.has(entry.format) && familySeen.add(entry.format))) {
  const stored: StoredHash = { hash: vector.hash, scheme: vector.format, ...(vector.params && { params: vector.params }) };
  const password = passwordOf(vector);
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < 300 || done < 2) {
    if (!(await verifier.verify(password, stored))) throw new Error(`${vector.format} did not verify`);
    done++;
  }
  console.log(`| ${vector.format} | \`${vector.hash.slice(0, 24).replace(/\|/g, '\\|')}…\` | ${fixed((done * 1000) / (performance.now() - started), 1)} |`);
}

// `hash survey`'s own work: 100,000 rows of the shared vectors' mix, read and parsed only, then with three timed
// verifications per cost class (what the command does by default).
const SURVEY_ROWS = 100_000;
async function* surveyRows() {
  for (let i = 0; i < SURVEY_ROWS; i++) {
    const vector = samples[i % samples.length]!;
    yield withEncoding(vector, storedOf(vector));
  }
}
for (const samplesPerClass of [0, 3]) {
  const surveyStarted = performance.now();
  const report = await surveyHashes(surveyRows(), { verify: (stored) => verifier.verify('not-the-password', stored), samplesPerClass });
  const surveySeconds = (performance.now() - surveyStarted) / 1000;
  console.log(`${samplesPerClass === 0 ? '\n' : ''}hash survey, ${samplesPerClass} timed per class: ${report.rows} rows of ${report.formats.length} formats in ${fixed(surveySeconds, 1)} s (${fixed(report.rows / surveySeconds, 0)} rows/s)`);
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
