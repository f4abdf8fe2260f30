import type { Logger } from '../common/logger.js';
import { startTelemetry, type Telemetry } from './start-telemetry.js';
import { loadTelemetryConfig } from './telemetry-config.js';

/**
 * The telemetry this process runs, if any. OpenTelemetry's providers are process-wide by design (the API's globals),
 * so the handle is too: the CLI starts it once before a command's action and stops it once after, and the command
 * (serve) reads the tracer and meter from here instead of starting a second SDK.
 */
let running: Telemetry | null = null;

/**
 * Starts telemetry from `env` for this process (see startTelemetry), unless it is already running; null when
 * nothing is configured.
 *
 * @example
 *   await startProcessTelemetry(process.env, { serviceName: 'entra-migrate', logger });
 *   const tracer = processTelemetry()?.tracer;
 *
 * @throws ConfigError (CONFIG_INVALID) naming each telemetry setting that is wrong; nothing is started then.
 */
export async function startProcessTelemetry(env: NodeJS.ProcessEnv, options: { serviceName: string; logger: Logger }): Promise<Telemetry | null> {
  running ??= await startTelemetry(loadTelemetryConfig(env), options);
  return running;
}

/** The running telemetry, or null when none was started (nothing configured, or a command that does not start it). */
export function processTelemetry(): Telemetry | null {
  return running;
}

/** Sends what is left and stops, within TELEMETRY_SHUTDOWN_TIMEOUT_IN_MS; nothing when none is running. */
export async function stopProcessTelemetry(): Promise<void> {
  const stopping = running;
  running = null;
  await stopping?.shutdown();
}
