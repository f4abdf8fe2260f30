import { EntraMigrateError } from '../common/errors.js';
import { ConfigError } from '../config/index.js';
import { ExitCode } from './exit-codes.js';

/**
 * Prints what failed in a form a person can act on, and returns the exit code. Configuration problems get one line
 * each (`SETTING: what is wrong`); our own errors their code and public message; anything else its message.
 */
export function reportError(command: string, error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof ConfigError) {
    for (const { setting, problem } of error.problems) stderr.write(`entra-migrate ${command}: ${setting} ${problem}\n`);
    stderr.write(`entra-migrate ${command}: nothing was started; see \`entra-migrate ${command} --help\`.\n`);
    return ExitCode.USAGE;
  }
  if (error instanceof EntraMigrateError) {
    stderr.write(`entra-migrate ${command}: ${error.publicMessage} [${error.code}]\n`);
    if (error.message !== error.publicMessage) stderr.write(`  detail: ${error.message}\n`);
    return ExitCode.FAILURE;
  }
  stderr.write(`entra-migrate ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
  return ExitCode.FAILURE;
}
