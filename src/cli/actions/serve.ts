import { openExtension } from '../../app/index.js';
import { createLogger } from '../../common/logger.js';
import { loadServeConfig, settingsFromFile } from '../../config/index.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';
import { untilSignal } from '../until-signal.js';

/** `entra-migrate serve`: loads the settings, opens the extension, listens until SIGINT/SIGTERM. */
export async function serve(options: { config?: string }): Promise<number> {
  let extension;
  try {
    const settings = options.config ? settingsFromFile(options.config, process.env) : process.env;
    const config = loadServeConfig(settings);
    const logger = createLogger({ level: config.logLevel });
    extension = await openExtension(config, { logger });
    const address = await extension.server.listen({ port: config.port, host: config.host });
    logger.info({ address, keys: extension.keyRing.keys.map((key) => key.id) }, 'entra-migrate serve is listening');
  } catch (error) {
    await extension?.close();
    return reportError('serve', error);
  }
  await untilSignal();
  await extension.close();
  return ExitCode.OK;
}
