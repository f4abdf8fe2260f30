import { EntraMigrateError } from '../common/errors.js';

/** Stable codes for problems with an event payload Entra sent us (or, in the emulator, one an extension answered). */
export const EventErrorCode = {
  /** The request body is not the event we expected: wrong `type`, missing or mistyped fields. */
  REQUEST_INVALID: 'EVENT_REQUEST_INVALID',
  /** The tenant named in the payload is not the tenant this extension serves. */
  TENANT_MISMATCH: 'EVENT_TENANT_MISMATCH',
  /** An extension's answer does not follow the response schema. */
  RESPONSE_INVALID: 'EVENT_RESPONSE_INVALID',
} as const;

export type EventErrorCode = (typeof EventErrorCode)[keyof typeof EventErrorCode];

export class EventError extends EntraMigrateError {
  declare readonly code: EventErrorCode;
  /** Where in the payload each problem is (`data.authenticationContext.user.id`), never the offending value. */
  readonly issues: readonly string[];

  constructor(code: EventErrorCode, publicMessage: string, issues: readonly string[] = []) {
    super(code, publicMessage, { detail: issues.length > 0 ? `${publicMessage} (${issues.join('; ')})` : publicMessage });
    this.issues = issues;
  }
}
