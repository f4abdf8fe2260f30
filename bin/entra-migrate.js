#!/usr/bin/env -S node --
// `node --` ends node's own options: Node 20 reads `--env-file` anywhere on its command line (nodejs/node#54232),
// even after the script, and would take `entra-migrate serve --env-file f` for itself.
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through the `prepare` script).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`entra-migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
