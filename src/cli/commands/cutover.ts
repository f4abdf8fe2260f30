import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';

export function registerCutover(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('cutover')
    .description('(being built)')
    .action(() => {
      process.stderr.write('entra-migrate cutover is being built.\n');
      setExitCode(ExitCode.USAGE);
    });
}
