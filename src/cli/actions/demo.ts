import { createLogger } from '../../common/logger.js';
import type { LogLevel } from '../../config/index.js';
import { demoWelcome, startDemo, type DemoLegacy, type DemoSignUpCollision } from '../../demo/index.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { untilSignal } from '../until-signal.js';

export interface DemoCommandOptions {
  dataDir: string;
  port: number;
  emulatorPort: number;
  dashboardPort: number;
  host: string;
  legacy: DemoLegacy;
  signupCollision?: DemoSignUpCollision;
  logLevel: LogLevel;
}

/** `entra-migrate demo`: the seeded legacy store, the emulator and the extension, until SIGINT/SIGTERM. */
export async function demo(options: DemoCommandOptions): Promise<number> {
  const logger = createLogger({ level: options.logLevel });
  let running;
  try {
    running = await startDemo({
      dataDir: options.dataDir,
      extensionPort: options.port,
      emulatorPort: options.emulatorPort,
      dashboardPort: options.dashboardPort,
      host: options.host,
      legacy: options.legacy,
      ...(options.signupCollision && { signUpCollision: options.signupCollision }),
      logger,
    });
  } catch (error) {
    return reportError('demo', error, {
      ports: [
        { port: options.port, chosenWith: '--port' },
        { port: options.emulatorPort, chosenWith: '--emulator-port' },
        { port: options.dashboardPort, chosenWith: '--dashboard-port' },
      ],
    });
  }
  process.stdout.write(demoWelcome(running));
  await untilSignal();
  await running.close();
  return ExitCode.OK;
}
