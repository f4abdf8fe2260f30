import { EntraMigrateError } from '../common/errors.js';
// config/errors.js alone: the error path must not load every configuration module.
import { ConfigError } from '../config/errors.js';
import { ExitCode } from './exit-codes.js';

/** A port a command listens on and what chooses it: an option (`--port`), a setting (`PORT`) or both. */
export interface PortChoice {
  readonly port: number;
  readonly chosenWith: string;
}

export interface ReportErrorOptions {
  /** The ports the command listens on, so "address in use" names the one taken and how to choose another. */
  readonly ports?: readonly PortChoice[];
  readonly stderr?: NodeJS.WritableStream;
}

/**
 * Prints what failed in a form a person can act on, and returns the exit code. Configuration problems get one line
 * each (`SETTING: what is wrong`) and exit 2; a port another process holds gets "port 7071 is in use; choose another
 * with --port" and exit 1 (nothing started, but the command line was right); our own errors their code and public
 * message; anything else its message.
 *
 * @example
 *   return reportError('demo', error, { ports: [{ port: 7071, chosenWith: '--port' }, { port: 7080, chosenWith: '--emulator-port' }] });
 */
export function reportError(command: string, error: unknown, options: ReportErrorOptions = {}): number {
  const stderr = options.stderr ?? process.stderr;
  if (error instanceof ConfigError) {
    for (const { setting, problem } of error.problems) stderr.write(`entra-migrate ${command}: ${setting} ${problem}\n`);
    stderr.write(`entra-migrate ${command}: nothing was started; see \`entra-migrate ${command} --help\`.\n`);
    return ExitCode.USAGE;
  }
  const inUse = portInUse(error, options.ports ?? []);
  if (inUse !== undefined) {
    stderr.write(`entra-migrate ${command}: ${inUse}\n`);
    return ExitCode.FAILURE;
  }
  if (error instanceof EntraMigrateError) {
    stderr.write(`entra-migrate ${command}: ${error.publicMessage} [${error.code}]\n`);
    if (error.message !== error.publicMessage) stderr.write(`  detail: ${error.message}\n`);
    return ExitCode.FAILURE;
  }
  stderr.write(`entra-migrate ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
  return ExitCode.FAILURE;
}

/** "port 7071 is in use; choose another with PORT" for a listen that found the port taken, else undefined. */
function portInUse(error: unknown, ports: readonly PortChoice[]): string | undefined {
  const failure = error as (NodeJS.ErrnoException & { port?: unknown }) | undefined;
  if (failure?.code !== 'EADDRINUSE' || typeof failure.port !== 'number') return undefined;
  const ways = ports.filter((choice) => choice.port === failure.port).map((choice) => choice.chosenWith);
  return `port ${failure.port} is in use${ways.length > 0 ? `; choose another with ${ways.join(' or ')}` : ''}`;
}
