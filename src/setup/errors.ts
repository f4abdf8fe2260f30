import { EntraMigrateError } from '../common/errors.js';

export const SetupErrorCode = {
  /** The tenant lacks something setup builds on (the b2c-extensions-app, Graph's service principal). */
  TENANT_UNSUITABLE: 'SETUP_TENANT_UNSUITABLE',
  /** An option names something that does not exist or cannot be used (an app id, a flag of another type). */
  OPTION_INVALID: 'SETUP_OPTION_INVALID',
  /** `--signup-attributes`: no sign-up user flow is linked to the client applications (or none is the one `--flow` names). */
  SIGN_UP_FLOW_NOT_FOUND: 'SETUP_SIGN_UP_FLOW_NOT_FOUND',
  /** `--signup-attributes`: several sign-up user flows are linked to the client applications and `--flow` chooses none. */
  SIGN_UP_FLOW_AMBIGUOUS: 'SETUP_SIGN_UP_FLOW_AMBIGUOUS',
} as const;

export type SetupErrorCode = (typeof SetupErrorCode)[keyof typeof SetupErrorCode];

/** Why setup (or doctor) cannot go on, in words an administrator can act on. */
export class SetupError extends EntraMigrateError {
  declare readonly code: SetupErrorCode;

  constructor(code: SetupErrorCode, publicMessage: string) {
    super(code, publicMessage);
  }
}
