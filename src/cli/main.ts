import { Command, CommanderError } from 'commander';
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
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
        ? ExitCode.OK
        : ExitCode.USAGE;
    }
    throw error;
  }
  return exitCode;
}
