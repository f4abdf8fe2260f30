import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';

export function registerStatus(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('status')
    .description('(being built)')
    .action(() => {
      process.stderr.write('entra-migrate status is being built.\n');
      setExitCode(ExitCode.USAGE);
    });
}
