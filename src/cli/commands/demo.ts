import { Option, type Command } from 'commander';
import { LOG_LEVELS, type LogLevel } from '../../config/log-levels.js';
import type { DemoCommandOptions } from '../actions/demo.js';
import { parseLogLevel, parsePort } from '../parse-options.js';

export function registerDemo(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('demo')
    .description('run the whole migration on this machine: a seeded legacy store, the Entra emulator and the extension')
    .option('--data-dir <dir>', 'where the demo keeps its key, legacy store and ledger', './data/demo')
    .option('--port <port>', "the extension's port (0 = any free port)", parsePort, 7071)
    .option('--emulator-port <port>', "the emulator's port: its sign-in page and OpenID metadata", parsePort, 7080)
    .option('--dashboard-port <port>', "the migration dashboard's port, on 127.0.0.1 only (0 = any free port)", parsePort, 7090)
    .option('--host <host>', 'the interface the extension and the emulator listen on', '127.0.0.1')
    .addOption(
      new Option('--legacy <kind>', 'the legacy system: sqlite, a seeded table of hashes in 13 formats; web-service, a legacy login API over that table, asked over HTTP; b2c, an Azure AD B2C tenant asked through its password grant (ROPC)')
        .choices(['sqlite', 'web-service', 'b2c'])
        .default('sqlite'),
    )
    .addOption(
      new Option('--signup-collision <policy>', "what a sign-up with a legacy account's e-mail gets (SIGNUP_COLLISION): block (default with sqlite), link, or off (the only one for web-service and b2c)")
        .choices(['block', 'link', 'off']),
    )
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, parseLogLevel, 'info' as LogLevel)
    .addHelpText(
      'after',
      `
Try it: npm start (the SQLite store), npm start -- --legacy web-service (a legacy login API), or
npm start -- --legacy b2c (a B2C → External ID migration). Sign-up: npm start -- --signup-collision link.
The dashboard (docs/dashboard.md) shows the demo's ledger live: open it beside the sign-in page.
The legacy store is re-seeded and the emulated tenant starts empty on every run; the key in the data directory is
kept, so its thumbprint stays the same. Decisions accumulate in <data-dir>/ledger.db. The demo reads no settings:
these options are all there is. Exit codes: 0 stopped with Ctrl-C, 1 it could not start (e.g. "port 7071 is in
use; choose another with --port"), 2 invalid options.`,
    )
    .action(async (options: DemoCommandOptions) => setExitCode(await (await import('../actions/demo.js')).demo(options)));
}
