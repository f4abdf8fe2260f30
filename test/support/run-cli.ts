// Runs the CLI from source in a child process: `node --import tsx test/support/run-cli.ts <args>`.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
