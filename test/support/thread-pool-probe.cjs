// Preloaded with `node --require` into a process under test: measures the size of libuv's thread pool that process
// really runs with, once its own work is done, and writes `thread pool: <threads> threads` to stderr.
//
// libuv has no call that says its pool's size, so this counts it: it opens k FIFOs that have no writer — each open
// holds one pool thread, asleep, until a writer comes — and checks whether a stat still completes; the smallest k
// at which it stalls is the size. CommonJS, and started from `beforeExit`, so that it touches the pool only after
// the code under test (a launcher that sizes the pool before its first use) has run.
//
// PROBE_CORES=<n> makes `os.availableParallelism()` say n, so a launcher sizing from the cores can be seen to size
// on a machine of any size.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

if (process.env.PROBE_CORES) os.availableParallelism = () => Number(process.env.PROBE_CORES);

/** A stat stuck this long behind the FIFO opens means every thread is taken (a free thread does it in microseconds). */
const STALLED_AFTER_IN_MS = 300;
/** libuv's own limit is 1024; the tests size far below this. */
const LARGEST_COUNTED = 64;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function threadsTaken(directory, k) {
  const fifos = Array.from({ length: k }, (_, i) => path.join(directory, `${k}-${i}`));
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  const opens = fifos.map((fifo) => fs.promises.open(fifo, 'r'));
  await sleep(50); // the k opens reach their threads
  const stalled = await Promise.race([fs.promises.stat(directory).then(() => false), sleep(STALLED_AFTER_IN_MS).then(() => true)]);
  // Opening a FIFO read-write never blocks on Linux and counts as its writer: every open above completes.
  const writers = fifos.map((fifo) => fs.openSync(fifo, 'r+'));
  for (const handle of await Promise.all(opens)) await handle.close();
  for (const fd of writers) fs.closeSync(fd);
  return stalled;
}

let probed = false;
process.on('beforeExit', async () => {
  if (probed) return;
  probed = true;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'thread-pool-probe-'));
  try {
    for (let k = 1; k <= LARGEST_COUNTED; k++) {
      if (await threadsTaken(directory, k)) {
        process.stderr.write(`thread pool: ${k} threads\n`);
        return;
      }
    }
    process.stderr.write(`thread pool: more than ${LARGEST_COUNTED} threads\n`);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
