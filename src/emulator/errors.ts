import { EntraMigrateError } from '../common/errors.js';

export const EmulatorErrorCode = {
  /** Another object already has this identity (Graph answers 400 "…already exists"). */
  DIRECTORY_CONFLICT: 'EMULATOR_DIRECTORY_CONFLICT',
  /** A user input is invalid (a password against the policy, a malformed identity). */
  DIRECTORY_INVALID: 'EMULATOR_DIRECTORY_INVALID',
  /** The emulator is configured wrongly (an extension without a certificate, a bad URL). */
  CONFIG_INVALID: 'EMULATOR_CONFIG_INVALID',
  /** The directory file holds another tenant than the one asked for (`--tenant-id`). */
  STATE_CONFLICT: 'EMULATOR_STATE_CONFLICT',
} as const;

export type EmulatorErrorCode = (typeof EmulatorErrorCode)[keyof typeof EmulatorErrorCode];

export class EmulatorError extends EntraMigrateError {
  declare readonly code: EmulatorErrorCode;

  constructor(code: EmulatorErrorCode, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
  }
}
