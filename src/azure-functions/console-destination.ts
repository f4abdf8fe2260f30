import type { DestinationStream } from 'pino';

/**
 * Where the extension's log lines go under Azure Functions: each one through the `console` method of its level. The
 * Node worker hands console output to the Functions host at that level, so host.json's `logLevel` filters it and
 * Application Insights receives it as traces; a write to file descriptor 1 would bypass both. Lines are pino's JSON
 * as `serve` writes them, already redacted (common/logger.ts).
 *
 * @example
 *   const logger = createLogger({ level: 'info', destination: consoleDestination() });
 */
export function consoleDestination(target: Pick<Console, 'debug' | 'info' | 'warn' | 'error'> = console): DestinationStream {
  return {
    write(line: string) {
      const text = line.endsWith('\n') ? line.slice(0, -1) : line;
      const level = Number(/"level":(\d+)/.exec(text)?.[1] ?? 30);
      if (level >= 50) target.error(text);
      else if (level >= 40) target.warn(text);
      else if (level >= 30) target.info(text);
      else target.debug(text);
    },
  };
}
