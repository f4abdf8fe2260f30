import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino censors wherever they appear. This is the safety net, not the policy: code logs only the fields it
 * chose (correlation id, action, reason, latency), never a request body, a header set or a decrypted context.
 */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  '*.password',
  '"user-password"',
  '*["user-password"]',
  'encryptedPasswordContext',
  '*.encryptedPasswordContext',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'privateKey',
  '*.privateKey',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'clientSecret',
  '*.clientSecret',
  'otpContext',
  '*.otpContext',
  'oneTimeCode',
  '*.oneTimeCode',
  'onetimecode',
  '*.onetimecode',
  'claims',
  '*.claims',
];

export interface LoggerSettings {
  level: string;
  /** Where lines go; standard output when omitted. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

/**
 * The root logger. Modules take a child named for themselves: `root.child({ name: 'jit' })`.
 *
 * @example
 *   const log = createLogger({ level: 'info' }).child({ name: 'server' });
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: undefined,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A logger that writes nothing, for code paths and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
