import { InvalidArgumentError } from 'commander';
// The log levels alone, not config/index.js: option parsing is loaded for every command, even --help.
import { LOG_LEVELS, type LogLevel } from '../config/log-levels.js';

/** A TCP port for a commander option: a whole number 0–65535 (0 lets the system choose). */
export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return port;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID (tenant id, app id), lower-cased. */
export function parseGuid(value: string): string {
  if (!GUID.test(value)) throw new InvalidArgumentError('expected a GUID such as 6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21.');
  return value.toLowerCase();
}

/** An extension timeout in ms, within what Entra allows for `timeoutInMilliseconds` (200–2000). */
export function parseTimeoutMs(value: string): number {
  const ms = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms >= 200 && ms <= 2000)) throw new InvalidArgumentError('Entra allows 200 to 2000 ms.');
  return ms;
}

/** A log level for `--log-level`. */
export function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${LOG_LEVELS.join(', ')}.`);
  return value as LogLevel;
}

/** A repeatable option: each value parsed and appended, e.g. `--client-app-id a --client-app-id b`. */
export function collect<T>(parse: (value: string) => T): (value: string, previous: T[]) => T[] {
  return (value, previous) => [...previous, parse(value)];
}

/** A whole number from `min` to `max`, for counts and budgets. */
export function wholeNumberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** A share from 0 to 1, e.g. `0.05` for 5 %. */
export function parseShare(value: string): number {
  const share = /^(0(\.\d+)?|1(\.0+)?)$/.test(value) ? Number(value) : Number.NaN;
  if (!(share >= 0 && share <= 1)) throw new InvalidArgumentError('a share from 0 to 1, e.g. 0.05.');
  return share;
}
