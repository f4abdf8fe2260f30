import { randomUUID } from 'node:crypto';

/**
 * An error answer as Azure AD B2C's token endpoint writes it: HTTP 400, `error` an OAuth 2.0 value and
 * `error_description` the AADB2C code, its message, then the correlation id and timestamp, each line ended by CRLF.
 * Shape as B2C answers an ROPC request with a wrong password
 * (https://github.com/MicrosoftDocs/azure-docs/issues/43340):
 * `{"error":"access_denied","error_description":"AADB2C90225: The username or password provided in the request are
 * invalid.\r\nCorrelation ID: 3c3bf376-…\r\nTimestamp: 2019-11-22 03:25:46Z\r\n"}`.
 */
export interface B2cErrorBody {
  error: string;
  error_description: string;
}

/**
 * The B2C answers the emulated ROPC endpoint gives, with their messages from B2C's error code reference
 * (https://learn.microsoft.com/en-us/azure/active-directory-b2c/error-codes) and, for the account states, the
 * default texts of https://learn.microsoft.com/en-us/azure/active-directory-b2c/localization-string-ids.
 * B2C documents codes, not `error` values: where no real answer was seen, `invalid_request` is used, as B2C does for
 * its other request checks.
 */
export const B2C_ERRORS = {
  missingParameter: (name: string) => ({ error: 'invalid_request', code: 'AADB2C90083', message: `The request is missing required parameter: ${name}.` }),
  /** Seen with `unsupported_grant_type` (https://github.com/MicrosoftDocs/azure-docs/issues/49743). */
  unsupportedGrantType: (grantType: string) => ({ error: 'unsupported_grant_type', code: 'AADB2C90086', message: `The supplied grant_type [${grantType}] is not supported.` }),
  missingClientId: () => ({ error: 'invalid_request', code: 'AADB2C90008', message: 'The request does not contain a client ID parameter.' }),
  unknownClient: (clientId: string, tenant: string) => ({
    error: 'invalid_request',
    code: 'AADB2C90018',
    message: `The client ID '${clientId}' specified in the request is not registered in tenant '${tenant}'.`,
  }),
  publicClientSecret: () => ({ error: 'invalid_request', code: 'AADB2C90084', message: 'Public clients should not send a client_secret when redeeming a publicly acquired grant.' }),
  missingScope: () => ({ error: 'invalid_request', code: 'AADB2C90010', message: 'The request does not contain a scope parameter.' }),
  unsupportedScope: (scope: string) => ({ error: 'invalid_request', code: 'AADB2C90117', message: `The scope '${scope}' provided in the request is not supported.` }),
  scopeWithoutResource: (scope: string) => ({
    error: 'invalid_request',
    code: 'AADB2C90055',
    message: `The scope '${scope}' provided in request must specify a resource, such as 'https://example.com/calendar.read'.`,
  }),
  idTokenWithoutOpenid: () => ({ error: 'invalid_request', code: 'AADB2C90110', message: "The scope parameter must include 'openid' when requesting a response_type that includes 'id_token'." }),
  unsupportedResponseType: (responseType: string) => ({
    error: 'invalid_request',
    code: 'AADB2C90013',
    message: `The requested response type '${responseType}' provided in the request is not supported.`,
  }),
  unknownPolicy: (policy: string, tenant: string) => ({ error: 'invalid_request', code: 'AADB2C90022', message: `Unable to return metadata for the policy '${policy}' in tenant '${tenant}'.` }),
  /** B2C sends AADB2C90225 with `invalid_grant` or with `access_denied` (https://github.com/MicrosoftDocs/azure-docs/issues/11469). */
  invalidCredentials: (error: 'invalid_grant' | 'access_denied') => ({ error, code: 'AADB2C90225', message: 'The username or password provided in the request are invalid.' }),
  accountDisabled: () => ({ error: 'access_denied', code: 'AADB2C90111', message: 'Your account has been locked. Contact your support person to unlock it, then try again.' }),
  accountLocked: () => ({ error: 'access_denied', code: 'AADB2C90114', message: 'Your account is temporarily locked to prevent unauthorized use. Try again later.' }),
} as const;

export type B2cError = ReturnType<(typeof B2C_ERRORS)[keyof typeof B2C_ERRORS]>;

/**
 * The body of one B2C error answer, stamped with a new correlation id and `now` as B2C prints it
 * (`2019-11-22 03:25:46Z`).
 *
 * @example
 *   b2cErrorBody(B2C_ERRORS.invalidCredentials('access_denied'), Date.now())
 */
export function b2cErrorBody(b2cError: B2cError, now: number): B2cErrorBody {
  const timestamp = new Date(now).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  return {
    error: b2cError.error,
    error_description: `${b2cError.code}: ${b2cError.message}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${timestamp}\r\n`,
  };
}
