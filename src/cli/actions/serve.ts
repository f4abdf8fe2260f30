import { openExtension } from '../../app/index.js';
import { createLogger } from '../../common/logger.js';
import { loadServeConfig, loadSettings } from '../../config/index.js';
import { processTelemetry } from '../../telemetry/process-telemetry.js';
import { ExitCode } from '../exit-codes.js';
import { reportError, type PortChoice } from '../report-error.js';
import { untilSignal } from '../until-signal.js';

export interface ServeCommandOptions {
  /** `--config`: a JSON file of settings. */
  config?: string;
  /** `--env-file`: a dotenv file of settings, as `setup --write-env` writes it. */
  envFile?: string;
}

/** `entra-migrate serve`: loads the settings, opens the extension, listens until SIGINT/SIGTERM. */
export async function serve(options: ServeCommandOptions): Promise<number> {
  let extension;
  let ports: PortChoice[] = [];
  try {
    const config = loadServeConfig(loadSettings({ env: process.env, configFile: options.config, envFile: options.envFile }));
    ports = [{ port: config.port, chosenWith: 'PORT' }, ...(config.metrics.port === undefined ? [] : [{ port: config.metrics.port, chosenWith: 'METRICS_PORT' }])];
    const logger = createLogger({ level: config.logLevel });
    // Started by main.ts before this action when OTEL_EXPORTER_OTLP_ENDPOINT or APPLICATIONINSIGHTS_CONNECTION_STRING is set.
    const telemetry = processTelemetry();
    extension = await openExtension(config, { logger, ...(telemetry && { telemetry }) });
    const address = await extension.server.listen({ port: config.port, host: config.host });
    logger.info({ address, keys: extension.keyRing.keys.map((key) => key.id) }, 'entra-migrate serve is listening');
    if (extension.metricsServer) logger.info({ address: await extension.metricsServer.listen({ port: config.metrics.port!, host: config.host }) }, 'metrics are served at /metrics');
  } catch (error) {
    await extension?.close();
    return reportError('serve', error, { ports });
  }
  await untilSignal();
  await extension.close();
  return ExitCode.OK;
}
