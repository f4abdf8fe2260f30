import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LegacyCheck } from '../../../src/legacy/authority.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';
import { checkOnce, rejectionOf, shownText, USERNAME } from './fixtures.js';
import { json, startStandIn, type StandIn } from './stand-in.js';

/**
 * Each provider's documented error answers, served verbatim by a real HTTP server standing in for the provider,
 * and the outcome the store must draw from each. Sources are cited in src/legacy/stores/ropc/error-codes.ts.
 */
type Expected = LegacyCheck | { error: string; mentions: readonly string[] };

interface Case {
  name: string;
  path: string;
  status: number;
  body: unknown;
  expected: Expected;
}

/** Entra's error shape (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes#handling-error-codes-in-your-application). */
function entra(error: string, code: number, message: string, extra: Record<string, unknown> = {}) {
  return {
    error,
    error_description: `AADSTS${code}: ${message}\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2024-05-02 10:12:44Z`,
    error_codes: [code],
    timestamp: '2024-05-02 10:12:44Z',
    trace_id: '0000aaaa-11bb-cccc-dd33-eeeeee333333',
    correlation_id: 'aaaa0000-bb11-2222-33cc-444444dddddd',
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    ...extra,
  };
}

/** B2C's error shape (https://github.com/MicrosoftDocs/azure-docs/issues/43340). */
function b2c(error: string, code: string, message: string) {
  return { error, error_description: `${code}: ${message}\r\nCorrelation ID: 3c3bf376-ad65-466a-acbc-f9dc566385d6\r\nTimestamp: 2019-11-22 03:25:46Z\r\n` };
}

const ENTRA = '/contoso.onmicrosoft.com/oauth2/v2.0/token';
const B2C = '/fabrikamb2c.onmicrosoft.com/B2C_1_ROPC_Auth/oauth2/v2.0/token';
const KEYCLOAK = '/realms/legacy/protocol/openid-connect/token';
const AUTH0 = '/oauth/token';
const OKTA = '/oauth2/default/v1/token';

const wrong: LegacyCheck = { outcome: 'wrong', legacyId: null };
const unknown: LegacyCheck = { outcome: 'unknown' };
const correct: LegacyCheck = { outcome: 'correct', legacyId: null, mustChangePassword: false };
const mustChange: LegacyCheck = { outcome: 'correct', legacyId: null, mustChangePassword: true };
const blocked = (status: 'locked' | 'disabled' | 'blocked'): LegacyCheck => ({ outcome: 'blocked', legacyId: null, status });
const failure = (error: string, ...mentions: string[]) => ({ error, mentions });

const CASES: Case[] = [
  // Microsoft Entra ID
  { name: 'Entra AADSTS50126 (invalid username or password) → wrong', path: ENTRA, status: 400, body: entra('invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'), expected: wrong },
  { name: 'Entra AADSTS50034 (user not found) → unknown', path: ENTRA, status: 400, body: entra('invalid_grant', 50034, 'The user account {EmailHidden} does not exist in the contoso.onmicrosoft.com directory. To sign into this application, the account must be added to the directory.'), expected: unknown },
  { name: 'Entra AADSTS50053 (locked) → blocked, locked', path: ENTRA, status: 400, body: entra('invalid_grant', 50053, "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password."), expected: blocked('locked') },
  { name: 'Entra AADSTS50057 (disabled) → blocked, disabled', path: ENTRA, status: 400, body: entra('invalid_grant', 50057, 'The user account is disabled.'), expected: blocked('disabled') },
  { name: 'Entra AADSTS50055 (password expired) → correct, must change', path: ENTRA, status: 400, body: entra('invalid_grant', 50055, 'The password is expired.', { suberror: 'user_password_expired' }), expected: mustChange },
  { name: 'Entra AADSTS50144 (on-premises password expired) → correct, must change', path: ENTRA, status: 400, body: entra('invalid_grant', 50144, "The user's Active Directory password has expired."), expected: mustChange },
  { name: 'Entra AADSTS50076 (MFA required) → correct', path: ENTRA, status: 400, body: entra('invalid_grant', 50076, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.", { suberror: 'basic_action' }), expected: correct },
  { name: 'Entra AADSTS50079 (MFA enrollment required) → correct', path: ENTRA, status: 400, body: entra('interaction_required', 50079, 'Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication.'), expected: correct },
  { name: 'Entra AADSTS50158 (external security challenge) → correct', path: ENTRA, status: 400, body: entra('interaction_required', 50158, 'External security challenge not satisfied. User will be redirected to another page or authentication provider to satisfy additional authentication challenges.'), expected: correct },
  { name: 'Entra AADSTS53003 (conditional access) → correct', path: ENTRA, status: 400, body: entra('invalid_grant', 53003, 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.', { suberror: 'message_only' }), expected: correct },
  { name: 'Entra AADSTS7000218 (confidential client without a secret) → misconfigured, names the secret', path: ENTRA, status: 401, body: entra('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."), expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_SECRET', 'LEGACY_ROPC_CLIENT_ID') },
  { name: 'Entra AADSTS700016 (application not found) → misconfigured, names the client id', path: ENTRA, status: 400, body: entra('unauthorized_client', 700016, "Application with identifier 'bef22d56-552f-4a5b-b90a-1988a7d634ce' was not found in the directory 'Contoso'."), expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_ID') },
  { name: 'Entra AADSTS7000215 (invalid secret) → misconfigured', path: ENTRA, status: 401, body: entra('invalid_client', 7000215, 'Invalid client secret provided.'), expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_SECRET') },
  { name: 'Entra AADSTS65001 (no consent) beside invalid_grant → misconfigured, never wrong', path: ENTRA, status: 400, body: entra('invalid_grant', 65001, "The user or administrator has not consented to use the application with ID 'bef22d56-552f-4a5b-b90a-1988a7d634ce'.", { suberror: 'consent_required' }), expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_SCOPE') },
  { name: 'Entra AADSTS90033 (directory unavailable) → unavailable', path: ENTRA, status: 503, body: entra('temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.'), expected: failure('LEGACY_STORE_UNAVAILABLE') },
  { name: 'Entra code only in error_codes (description without it) → the code decides', path: ENTRA, status: 400, body: { error: 'invalid_grant', error_description: 'Error validating credentials.', error_codes: [50057] }, expected: blocked('disabled') },
  { name: 'Entra: the code wins over the error field (access_denied + AADSTS50126) → wrong', path: ENTRA, status: 400, body: entra('access_denied', 50126, 'Error validating credentials due to invalid username or password.'), expected: wrong },
  { name: 'Entra: invalid_grant beside an unmapped AADSTS code → answer invalid, never a guessed wrong password', path: ENTRA, status: 400, body: entra('invalid_grant', 50099, 'The JWT signature is invalid.'), expected: failure('LEGACY_ANSWER_INVALID', 'AADSTS50099') },
  { name: 'Entra: temporarily_unavailable beside an unmapped code → unavailable', path: ENTRA, status: 400, body: entra('temporarily_unavailable', 99999, 'Try again.'), expected: failure('LEGACY_STORE_UNAVAILABLE') },

  // Azure AD B2C (the emulator's endpoint covers 90225, 90111, 90114 and the client checks; these are the rest)
  { name: 'B2C AADB2C90225 with invalid_grant → wrong', path: B2C, status: 400, body: b2c('invalid_grant', 'AADB2C90225', 'The username or password provided in the request are invalid.'), expected: wrong },
  { name: 'B2C AADB2C90225 with access_denied → wrong', path: B2C, status: 400, body: b2c('access_denied', 'AADB2C90225', 'The username or password provided in the request are invalid.'), expected: wrong },
  { name: 'B2C AADB2C90224 (ROPC not enabled for the app) → misconfigured', path: B2C, status: 400, body: b2c('invalid_request', 'AADB2C90224', 'Resource owner flow has not been enabled for the application.'), expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_ID') },
  { name: 'B2C AADB2C90057 (implicit flow not allowed) → misconfigured', path: B2C, status: 400, body: b2c('unauthorized_client', 'AADB2C90057', 'The provided application is not configured to allow the OAuth Implicit flow.'), expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_ID') },
  { name: 'B2C AADB2C90035 (service unavailable) → unavailable', path: B2C, status: 400, body: b2c('server_error', 'AADB2C90035', 'The service is temporarily unavailable. Please retry after a few minutes.'), expected: failure('LEGACY_STORE_UNAVAILABLE') },

  // Keycloak direct grant
  { name: 'Keycloak 401 invalid_grant "Invalid user credentials" → wrong', path: KEYCLOAK, status: 401, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' }, expected: wrong },
  { name: 'Keycloak 400 invalid_grant "Invalid user credentials" (unknown user, brute-force lock) → wrong', path: KEYCLOAK, status: 400, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' }, expected: wrong },
  { name: 'Keycloak "Account disabled" → blocked, disabled', path: KEYCLOAK, status: 400, body: { error: 'invalid_grant', error_description: 'Account disabled' }, expected: blocked('disabled') },
  { name: 'Keycloak "Account temporarily disabled" (before 24) → blocked, locked', path: KEYCLOAK, status: 400, body: { error: 'invalid_grant', error_description: 'Account temporarily disabled' }, expected: blocked('locked') },
  { name: 'Keycloak "Account is not fully set up" (required action) → correct, must change', path: KEYCLOAK, status: 400, body: { error: 'invalid_grant', error_description: 'Account is not fully set up' }, expected: mustChange },
  { name: 'Keycloak unauthorized_client "Client not allowed for direct access grants" → misconfigured', path: KEYCLOAK, status: 400, body: { error: 'unauthorized_client', error_description: 'Client not allowed for direct access grants' }, expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_ID') },
  { name: 'Keycloak 401 invalid_client "Invalid client or Invalid client credentials" → misconfigured', path: KEYCLOAK, status: 401, body: { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' }, expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_ID', 'LEGACY_ROPC_CLIENT_SECRET') },
  { name: 'Keycloak invalid_request "Invalid user credentials" (duplicate users) → answer invalid, never wrong', path: KEYCLOAK, status: 401, body: { error: 'invalid_request', error_description: 'Invalid user credentials' }, expected: failure('LEGACY_ANSWER_INVALID') },

  // Auth0
  { name: 'Auth0 403 invalid_grant "Wrong email or password." → wrong', path: AUTH0, status: 403, body: { error: 'invalid_grant', error_description: 'Wrong email or password.' }, expected: wrong },
  { name: 'Auth0 429 too_many_attempts → blocked, locked (the code wins over 429)', path: AUTH0, status: 429, body: { error: 'too_many_attempts', error_description: "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it." }, expected: blocked('locked') },
  { name: 'Auth0 401 unauthorized "user is blocked" → blocked', path: AUTH0, status: 401, body: { error: 'unauthorized', error_description: 'user is blocked' }, expected: blocked('blocked') },
  { name: 'Auth0 403 mfa_required → correct', path: AUTH0, status: 403, body: { error: 'mfa_required', error_description: 'Multifactor authentication required', mfa_token: 'Fe26.2**…' }, expected: correct },
  { name: 'Auth0 429 too_many_requests (rate limit) → unavailable', path: AUTH0, status: 429, body: { error: 'too_many_requests', error_description: 'Global limit has been reached' }, expected: failure('LEGACY_STORE_UNAVAILABLE') },
  { name: 'Auth0 401 invalid_client → misconfigured', path: AUTH0, status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' }, expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_SECRET') },
  { name: 'Auth0 403 unauthorized_client "invalid client" → misconfigured', path: AUTH0, status: 403, body: { error: 'unauthorized_client', error_description: 'invalid client' }, expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_ID') },

  // Okta
  { name: 'Okta 400 invalid_grant "The credentials provided were invalid." → wrong', path: OKTA, status: 400, body: { error: 'invalid_grant', error_description: 'The credentials provided were invalid.' }, expected: wrong },
  { name: "Okta 401 errorCode invalid_client (Okta's own error shape) → misconfigured", path: OKTA, status: 401, body: { errorCode: 'invalid_client', errorSummary: "Invalid value for 'client_id' parameter.", errorLink: 'invalid_client', errorId: 'oaejDJuWCiRTQeH8n6WG2116A', errorCauses: [] }, expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_ID') },
  { name: 'Okta 401 invalid_client (wrong secret) → misconfigured', path: OKTA, status: 401, body: { error: 'invalid_client', error_description: 'The client secret supplied for a confidential client is invalid.' }, expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_SECRET') },
  { name: 'Okta 400 unsupported_grant_type (password grant not allowed) → misconfigured', path: OKTA, status: 400, body: { error: 'unsupported_grant_type', error_description: "The grant_type 'password' is not supported." }, expected: failure('LEGACY_STORE_MISCONFIGURED', 'LEGACY_ROPC_CLIENT_ID') },
];

describe('the OIDC password grant maps each provider\'s documented answers', () => {
  let standIn: StandIn;
  let current: Case | undefined;
  before(async () => {
    standIn = await startStandIn((request, response) => json(current!.status, current!.body)(request, response));
  });
  after(() => standIn.close());

  for (const testCase of CASES) {
    test(testCase.name, async () => {
      current = testCase;
      const tokenUrl = `${standIn.origin}${testCase.path}`;
      if ('outcome' in testCase.expected) {
        assert.deepEqual(await checkOnce(tokenUrl), testCase.expected);
        return;
      }
      const error = await rejectionOf(checkOnce(tokenUrl));
      assert.equal(error.code, testCase.expected.error);
      for (const mention of testCase.expected.mentions) assert.match(error.message, new RegExp(mention));
      const shown = shownText(error);
      assert.ok(!shown.includes(CANARY_PASSWORDS.correct), 'the password never appears in an error');
      assert.ok(!shown.includes(USERNAME), 'the user name never appears in an error');
    });
  }
});
