import { EntraMigrateError } from '../common/errors.js';

export const SetupErrorCode = {
  /** The tenant lacks something setup builds on (the b2c-extensions-app, Graph's service principal). */
  TENANT_UNSUITABLE: 'SETUP_TENANT_UNSUITABLE',
  /** An option names something that does not exist or cannot be used (an app id, a flag of another type). */
  OPTION_INVALID: 'SETUP_OPTION_INVALID',
} as const;

export type SetupErrorCode = (typeof SetupErrorCode)[keyof typeof SetupErrorCode];

/** Why setup (or doctor) cannot go on, in words an administrator can act on. */
export class SetupError extends EntraMigrateError {
  declare readonly code: SetupErrorCode;

  constructor(code: SetupErrorCode, publicMessage: string) {
    super(code, publicMessage);
  }
}
