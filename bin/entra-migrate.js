#!/usr/bin/env -S node --
// `node --` ends node's own options: Node 20 reads `--env-file` anywhere on its command line (nodejs/node#54232),
// even after the script, and would take `entra-migrate serve --env-file f` for itself.
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through the `prepare` script).
//
// CommonJS (bin/package.json), and the thread pool sized before anything else: libuv reads UV_THREADPOOL_SIZE once,
// when its pool starts, and Node 20 starts it as it loads the first ES module (its loader reads files on the pool).
// A CommonJS file is read synchronously, so this `require` runs while the pool has not started yet; the CLI's ES
// modules come after it (src/common/thread-pool-size.cts says how the size is chosen; a UV_THREADPOOL_SIZE set by
// the user wins).
'use strict';

require('../dist/common/thread-pool-size.cjs').sizeThreadPool();

import('../dist/cli/main.js')
  .then(({ main }) => main(process.argv))
  .then(
    (code) => { process.exitCode = code; },
    (error) => {
      process.stderr.write(`entra-migrate: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
