import type { Command } from 'commander';
import { createLogger } from '../../common/logger.js';
import { LOG_LEVELS, type LogLevel } from '../../config/index.js';
import { demoWelcome, startDemo } from '../../demo/index.js';
import { ExitCode } from '../exit-codes.js';
import { parseLogLevel, parsePort } from '../parse-options.js';
import { reportError } from '../report-error.js';
import { untilSignal } from '../until-signal.js';

interface DemoCommandOptions {
  dataDir: string;
  port: number;
  emulatorPort: number;
  host: string;
  logLevel: LogLevel;
}

export function registerDemo(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('demo')
    .description('run the whole migration on this machine: a seeded legacy store, the Entra emulator and the extension')
    .option('--data-dir <dir>', 'where the demo keeps its key, legacy store and ledger', './data/demo')
    .option('--port <port>', "the extension's port (0 = any free port)", parsePort, 7071)
    .option('--emulator-port <port>', "the emulator's port: its sign-in page and OpenID metadata", parsePort, 7080)
    .option('--host <host>', 'the interface both listen on', '127.0.0.1')
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, parseLogLevel, 'info' as LogLevel)
    .addHelpText(
      'after',
      `
The legacy store is re-seeded and the emulated tenant starts empty on every run; the key in the data directory is
kept, so its thumbprint stays the same. Decisions accumulate in <data-dir>/ledger.db.`,
    )
    .action(async (options: DemoCommandOptions) => setExitCode(await demo(options)));
}

async function demo(options: DemoCommandOptions): Promise<number> {
  const logger = createLogger({ level: options.logLevel });
  let running;
  try {
    running = await startDemo({
      dataDir: options.dataDir,
      extensionPort: options.port,
      emulatorPort: options.emulatorPort,
      host: options.host,
      logger,
    });
  } catch (error) {
    return reportError('demo', error);
  }
  process.stdout.write(demoWelcome(running));
  await untilSignal();
  await running.close();
  return ExitCode.OK;
}
