import { RopcSetting } from '../../../config/legacy-ropc-settings.js';

/**
 * What one answer of a token endpoint means. A `verdict` is about the user (the password, the account); a `failure`
 * means no verdict: `unavailable` (try later) or `misconfigured` (the provider refused *us*; `fix` names the
 * setting to change, in words fit for a log line).
 */
export type RopcOutcome =
  | { readonly verdict: 'wrong' }
  | { readonly verdict: 'unknown' }
  | { readonly verdict: 'correct'; readonly mustChangePassword: boolean }
  | { readonly verdict: 'blocked'; readonly status: 'locked' | 'disabled' | 'blocked' }
  | { readonly failure: 'unavailable' }
  | { readonly failure: 'misconfigured'; readonly fix: string };

/** One documented answer and where it is documented. */
export interface RopcRule {
  readonly outcome: RopcOutcome;
  readonly source: string;
}

// Sources, cited once each.
const B2C_ERRORS = 'https://learn.microsoft.com/en-us/azure/active-directory-b2c/error-codes';
const B2C_MESSAGES = 'https://learn.microsoft.com/en-us/azure/active-directory-b2c/localization-string-ids#sign-up-or-sign-in-error-messages';
const ENTRA_ERRORS = 'https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes#aadsts-error-codes';
const RFC6749 = 'https://www.rfc-editor.org/rfc/rfc6749#section-5.2';
const KEYCLOAK_USERNAME = 'https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/authentication/authenticators/directgrant/ValidateUsername.java';
const KEYCLOAK_PASSWORD = 'https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/authentication/authenticators/directgrant/ValidatePassword.java';
const KEYCLOAK_GRANT = 'https://github.com/keycloak/keycloak/blob/main/services/src/main/java/org/keycloak/protocol/oidc/grants/ResourceOwnerPasswordCredentialsGrantType.java';
const AUTH0_ERRORS = 'https://auth0.com/docs/libraries/error-messages';
const AUTH0_RO_ERRORS = 'https://github.com/auth0/docs/blob/master/articles/api/authentication/errors/_oauth-ro.md';
const AUTH0_TOKEN = 'https://auth0.com/docs/api/authentication#resource-owner-password';
const AUTH0_MFA = 'https://auth0.com/docs/secure/multi-factor-authentication/authenticate-using-ropg-flow-with-mfa';
const OKTA_ROPC = 'https://developer.okta.com/docs/guides/implement-grant-type/ropassword/main/';

const { TOKEN_URL, CLIENT_ID, CLIENT_SECRET, SCOPE } = RopcSetting;

const wrong: RopcOutcome = { verdict: 'wrong' };
const unknown: RopcOutcome = { verdict: 'unknown' };
const correct: RopcOutcome = { verdict: 'correct', mustChangePassword: false };
const mustChange: RopcOutcome = { verdict: 'correct', mustChangePassword: true };
const locked: RopcOutcome = { verdict: 'blocked', status: 'locked' };
const disabled: RopcOutcome = { verdict: 'blocked', status: 'disabled' };
const blocked: RopcOutcome = { verdict: 'blocked', status: 'blocked' };
const unavailable: RopcOutcome = { failure: 'unavailable' };
const misconfigured = (fix: string): RopcOutcome => ({ failure: 'misconfigured', fix });

const unknownClient = misconfigured(`check ${CLIENT_ID}: the provider does not know this application in this tenant, or it is disabled`);
const clientRefused = misconfigured(`check ${CLIENT_ID} and ${CLIENT_SECRET}: the provider refused the client's credentials`);
const secretRequired = misconfigured(`set ${CLIENT_SECRET}, or allow public client flows in the app registration of ${CLIENT_ID}`);
const secretForbidden = misconfigured(`unset ${CLIENT_SECRET}: the application of ${CLIENT_ID} is a public client and may not send a secret`);
const grantNotAllowed = misconfigured(`allow the resource owner password grant (ROPC, "direct access grants") for the application of ${CLIENT_ID}`);
const scopeRefused = misconfigured(`check ${SCOPE}: the provider refused the requested scope`);
const consentMissing = misconfigured(`grant admin consent to the application of ${CLIENT_ID} for the scopes in ${SCOPE}`);
const wrongEndpoint = misconfigured(`check ${TOKEN_URL}: the provider does not serve this tenant, policy or endpoint`);
const notRopcPolicy = misconfigured(`check ${TOKEN_URL}: its policy must be a "Sign in using resource owner password credentials (ROPC)" user flow or an ROPC custom policy`);

const rule = (outcome: RopcOutcome, source: string): RopcRule => ({ outcome, source });

/**
 * Microsoft's own codes, which win over the HTTP status and the `error` field: Azure AD B2C writes them at the start
 * of `error_description` (and sends AADB2C90225 with `error` `access_denied` or `invalid_grant`), Entra there and in
 * `error_codes`.
 */
export const PROVIDER_CODE_RULES: Readonly<Record<string, RopcRule>> = {
  // Azure AD B2C (ROPC user flows and custom policies).
  AADB2C90225: rule(wrong, B2C_ERRORS), // The username or password provided in the request are invalid.
  AADB2C90052: rule(wrong, B2C_ERRORS), // Invalid username or password.
  AADB2C90054: rule(wrong, B2C_ERRORS), // Invalid username or password.
  AADB2C90053: rule(unknown, B2C_ERRORS), // A user with the specified credential could not be found.
  AADB2C90111: rule(disabled, B2C_MESSAGES), // UserMessageIfUserAccountDisabled: "Your account has been locked. Contact your support person…"
  AADB2C90114: rule(locked, B2C_MESSAGES), // UserMessageIfUserAccountLocked: "Your account is temporarily locked…" (smart lockout)
  AADB2C90035: rule(unavailable, B2C_ERRORS), // The service is temporarily unavailable.
  AADB2C90048: rule(unavailable, B2C_ERRORS), // An unhandled exception has occurred on the server.
  AADB2C90085: rule(unavailable, B2C_ERRORS), // The service has encountered an internal error.
  AADB2C90008: rule(unknownClient, B2C_ERRORS), // The request does not contain a client ID parameter.
  AADB2C90011: rule(unknownClient, B2C_ERRORS), // The client ID does not match the one registered in policy.
  AADB2C90018: rule(unknownClient, B2C_ERRORS), // The client ID is not registered in tenant.
  AADB2C90068: rule(unknownClient, B2C_ERRORS), // The application is not valid against this service.
  AADB2C90092: rule(unknownClient, B2C_ERRORS), // The application is disabled for the tenant.
  AADB2C90057: rule(grantNotAllowed, B2C_ERRORS), // The application is not configured to allow the OAuth Implicit flow.
  AADB2C90058: rule(grantNotAllowed, B2C_ERRORS), // The application is not configured to allow public clients.
  AADB2C90224: rule(grantNotAllowed, B2C_ERRORS), // Resource owner flow has not been enabled for the application.
  AADB2C90079: rule(secretRequired, B2C_ERRORS), // Clients must send a client_secret when redeeming a confidential grant.
  AADB2C90081: rule(clientRefused, B2C_ERRORS), // The specified client_secret does not match the expected value.
  AADB2C90084: rule(secretForbidden, B2C_ERRORS), // Public clients should not send a client_secret.
  AADB2C90010: rule(scopeRefused, B2C_ERRORS), // The request does not contain a scope parameter.
  AADB2C90012: rule(scopeRefused, B2C_ERRORS), // The scope provided in request is not supported.
  AADB2C90055: rule(scopeRefused, B2C_ERRORS), // The scope must specify a resource.
  AADB2C90107: rule(scopeRefused, B2C_ERRORS), // Cannot get an ID token: openid not provided or not authorized.
  AADB2C90110: rule(scopeRefused, B2C_ERRORS), // The scope must include 'openid' for a response_type with 'id_token'.
  AADB2C90117: rule(scopeRefused, B2C_ERRORS), // The scope provided in the request is not supported.
  AADB2C90146: rule(scopeRefused, B2C_ERRORS), // The scope specifies more than one resource.
  AADB2C90013: rule(notRopcPolicy, B2C_ERRORS), // The requested response type is not supported.
  AADB2C90086: rule(notRopcPolicy, B2C_ERRORS), // The supplied grant_type is not supported.
  AADB2C90022: rule(wrongEndpoint, B2C_ERRORS), // Unable to return metadata for the policy in tenant.

  // Microsoft Entra ID.
  AADSTS50126: rule(wrong, ENTRA_ERRORS), // InvalidUserNameOrPassword
  AADSTS50034: rule(unknown, ENTRA_ERRORS), // UserAccountNotFound
  AADSTS50053: rule(locked, ENTRA_ERRORS), // IdsLocked (or a sign-in from a malicious IP address)
  AADSTS50057: rule(disabled, ENTRA_ERRORS), // UserDisabled
  AADSTS50055: rule(mustChange, ENTRA_ERRORS), // InvalidPasswordExpiredPassword
  AADSTS50144: rule(mustChange, ENTRA_ERRORS), // InvalidPasswordExpiredOnPremPassword
  AADSTS50076: rule(correct, ENTRA_ERRORS), // UserStrongAuthClientAuthNRequired: MFA needed, the password was right
  AADSTS50079: rule(correct, ENTRA_ERRORS), // UserStrongAuthEnrollmentRequired
  AADSTS50158: rule(correct, ENTRA_ERRORS), // ExternalSecurityChallenge
  AADSTS53003: rule(correct, ENTRA_ERRORS), // BlockedByConditionalAccess: a policy, not the password, refused the token
  AADSTS50033: rule(unavailable, ENTRA_ERRORS), // RetryableError
  AADSTS90006: rule(unavailable, ENTRA_ERRORS), // ExternalServerRetryableError
  AADSTS90024: rule(unavailable, ENTRA_ERRORS), // RequestBudgetExceededError
  AADSTS90033: rule(unavailable, ENTRA_ERRORS), // MsodsServiceUnavailable
  AADSTS90055: rule(unavailable, ENTRA_ERRORS), // TenantThrottlingError
  AADSTS90090: rule(unavailable, ENTRA_ERRORS), // GraphRetryableError
  AADSTS80001: rule(unavailable, ENTRA_ERRORS), // OnPremiseStoreIsNotAvailable (pass-through authentication agent)
  AADSTS80002: rule(unavailable, ENTRA_ERRORS), // OnPremisePasswordValidatorRequestTimedout
  AADSTS7000218: rule(secretRequired, ENTRA_ERRORS), // The request body must contain 'client_assertion' or 'client_secret'.
  AADSTS7000215: rule(clientRefused, ENTRA_ERRORS), // Invalid client secret is provided.
  AADSTS7000222: rule(clientRefused, ENTRA_ERRORS), // InvalidClientSecretExpiredKeysProvided
  AADSTS700025: rule(secretForbidden, ENTRA_ERRORS), // InvalidClientPublicClientWithCredential
  AADSTS700016: rule(unknownClient, ENTRA_ERRORS), // UnauthorizedClient_DoesNotMatchRequest: application not found
  AADSTS70001: rule(unknownClient, ENTRA_ERRORS), // UnauthorizedClient: the application is disabled
  AADSTS7000112: rule(unknownClient, ENTRA_ERRORS), // UnauthorizedClientApplicationDisabled
  AADSTS65001: rule(consentMissing, ENTRA_ERRORS), // DelegationDoesNotExist: no consent
  AADSTS70011: rule(scopeRefused, ENTRA_ERRORS), // InvalidScope
  AADSTS28002: rule(scopeRefused, ENTRA_ERRORS), // Invalid scope for an access token
  AADSTS700022: rule(scopeRefused, ENTRA_ERRORS), // InvalidMultipleResourcesScope
  AADSTS90002: rule(wrongEndpoint, ENTRA_ERRORS), // InvalidTenantName
  AADSTS9001023: rule(wrongEndpoint, ENTRA_ERRORS), // The grant type isn't supported over /common or /consumers.
};

/**
 * Providers that say what happened in `error_description` only, under one `error`: Keycloak's direct grant and
 * Auth0's and Okta's password grant. Keyed `{error} {description}`, compared exactly.
 */
export const DESCRIPTION_RULES: Readonly<Record<string, RopcRule>> = {
  // Keycloak: a wrong password, an unknown user and (since 24) a brute-force lock all read "Invalid user credentials".
  'invalid_grant Invalid user credentials': rule(wrong, KEYCLOAK_PASSWORD),
  // Checked before the password: a disabled account is refused whatever is typed.
  'invalid_grant Account disabled': rule(disabled, KEYCLOAK_USERNAME),
  // Keycloak before 24 for a brute-force lock.
  'invalid_grant Account temporarily disabled': rule(locked, KEYCLOAK_USERNAME),
  // After a correct password, with a required action pending (UPDATE_PASSWORD, VERIFY_EMAIL, a profile to complete).
  'invalid_grant Account is not fully set up': rule(mustChange, KEYCLOAK_GRANT),
  // Auth0.
  'invalid_grant Wrong email or password.': rule(wrong, AUTH0_TOKEN),
  'access_denied Wrong email or password.': rule(wrong, AUTH0_ERRORS),
  'unauthorized user is blocked': rule(blocked, AUTH0_RO_ERRORS),
  // Okta (a locked-out user gets the same answer as a wrong password).
  'invalid_grant The credentials provided were invalid.': rule(wrong, OKTA_ROPC),
};

/**
 * The `error` field alone (RFC 6749 §5.2 and vendors' own values), consulted after the codes and descriptions.
 * `access_denied` and `invalid_request` are deliberately absent: they mean different things per provider, and an
 * unmapped answer is "unavailable", never a guess.
 */
export const ERROR_RULES: Readonly<Record<string, RopcRule>> = {
  invalid_grant: rule(wrong, RFC6749), // "The provided authorization grant (e.g. … resource owner credentials) … is invalid"
  invalid_user_password: rule(wrong, AUTH0_RO_ERRORS), // 401 "Wrong email or password." (the legacy /oauth/ro)
  too_many_attempts: rule(locked, AUTH0_ERRORS), // sent with HTTP 429 by Auth0's brute-force protection
  unauthorized: rule(blocked, AUTH0_ERRORS), // "the user you are attempting to sign in with is blocked"
  password_leaked: rule(blocked, AUTH0_ERRORS), // breached password detection blocks the login
  mfa_required: rule(correct, AUTH0_MFA), // the password was right; a second factor is asked for
  invalid_client: rule(clientRefused, RFC6749),
  unauthorized_client: rule(grantNotAllowed, RFC6749),
  unsupported_grant_type: rule(grantNotAllowed, RFC6749),
  invalid_scope: rule(scopeRefused, RFC6749),
  consent_required: rule(consentMissing, 'https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth-ropc#error-response'),
  temporarily_unavailable: rule(unavailable, 'https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes#handling-error-codes-in-your-application'),
  server_error: rule(unavailable, 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1'),
  too_many_requests: rule(unavailable, 'https://auth0.com/docs/api/authentication#standard-error-responses'),
};

/** Misconfiguration fixes for answers without a known code: a wrong endpoint, or our client refused. */
export const STATUS_FIXES = {
  notFound: wrongEndpoint,
  refused: misconfigured(`check ${CLIENT_ID}, ${CLIENT_SECRET} and ${TOKEN_URL}: the token endpoint refused the request`),
} as const;
