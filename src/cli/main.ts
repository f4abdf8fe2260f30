import { Command, CommanderError } from 'commander';
import { LOG_LEVELS } from '../config/log-levels.js';
import { registerCutover } from './commands/cutover.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEmulate } from './commands/emulate.js';
import { registerHash } from './commands/hash.js';
import { registerKeys } from './commands/keys.js';
import { registerLegacy } from './commands/legacy.js';
import { registerPremigrate } from './commands/premigrate.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerServe } from './commands/serve.js';
import { registerSetup } from './commands/setup.js';
import { registerStatus } from './commands/status.js';
import { ExitCode } from './exit-codes.js';
import { reportError } from './report-error.js';

/**
 * The commands that send OpenTelemetry (traces and metrics) when OTEL_EXPORTER_OTLP_ENDPOINT or
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set: the service, and the bulk runs whose counters are worth watching
 * (bulk/run-report: premigrate and its --sync, reconcile, cutover). The others are short, interactive or local, and
 * never start it.
 */
const TELEMETRY_COMMANDS: ReadonlySet<string> = new Set(['serve', 'premigrate', 'reconcile', 'cutover']);

/** Builds the `entra-migrate` command line. Each command lives in its own module under commands/. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('entra-migrate')
    .description('Move users, passwords included, from a legacy identity system into Microsoft Entra External ID.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServe(program, setExitCode);
  registerDemo(program, setExitCode);
  registerEmulate(program, setExitCode);
  registerHash(program, setExitCode);
  registerPremigrate(program, setExitCode);
  registerReconcile(program, setExitCode);
  registerStatus(program, setExitCode);
  registerCutover(program, setExitCode);
  registerLegacy(program, setExitCode);
  registerKeys(program, setExitCode);
  registerSetup(program, setExitCode);
  registerDoctor(program, setExitCode);
  registerDashboard(program, setExitCode);
  return program;
}

/**
 * Runs the CLI and resolves with the process exit code (see exit-codes.ts).
 *
 * @example
 *   process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[]): Promise<number> {
  // A reader that stops early (`entra-migrate … | head`) is not a failure: stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.OK);
    throw error;
  });
  let exitCode: number = ExitCode.OK;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  let telemetryStarted = false;
  // Telemetry starts before the action, once the command is known, and stops after it has returned (serve: after its
  // drain), sending what is left within a bounded time. A telemetry setting that is wrong stops the command before it
  // starts, as any setting does.
  program.hook('preAction', async (_program, action) => {
    if (!TELEMETRY_COMMANDS.has(action.name())) return;
    const [{ startProcessTelemetry }, { createLogger }] = await Promise.all([import('../telemetry/process-telemetry.js'), import('../common/logger.js')]);
    const level = LOG_LEVELS.find((candidate) => candidate === process.env.LOG_LEVEL?.trim()) ?? 'info';
    // serve logs to standard output like the rest of its lines; the batch commands keep it free for their summaries.
    const logger = createLogger({ level, ...(action.name() !== 'serve' && { destination: process.stderr }) });
    try {
      telemetryStarted = (await startProcessTelemetry(process.env, { serviceName: 'entra-migrate', logger })) !== null;
    } catch (error) {
      throw new CommanderError(reportError(action.name(), error), 'entra-migrate.telemetrySettings', 'invalid telemetry settings');
    }
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
        ? ExitCode.OK
        : ExitCode.USAGE;
    }
    throw error;
  } finally {
    if (telemetryStarted) await (await import('../telemetry/process-telemetry.js')).stopProcessTelemetry();
  }
  return exitCode;
}
