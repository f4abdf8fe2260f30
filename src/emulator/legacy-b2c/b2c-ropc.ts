import { B2C_ERRORS, b2cErrorBody, type B2cError } from './b2c-errors.js';
import type { LegacyB2cTenant } from './legacy-b2c-tenant.js';

/** An answer of the emulated ROPC endpoint: the status and the JSON body. */
export interface B2cAnswer {
  status: number;
  body: Record<string, string>;
}

/** Scopes that ask for no resource. */
const OIDC_SCOPES = new Set(['openid', 'offline_access', 'profile']);
const RESPONSE_TYPES = new Set(['token', 'id_token']);

/**
 * Answers one `POST /{tenant}/{policy}/oauth2/v2.0/token` as an Azure AD B2C ROPC user flow does
 * (https://learn.microsoft.com/en-us/azure/active-directory-b2c/add-ropc-policy#test-the-ropc-flow): the form is
 * checked strictly — grant type, client id, public client, scope, response type — before the user is looked up.
 * A wrong password and an unknown user both get AADB2C90225 (the first with `access_denied`, the second with
 * `invalid_grant`: B2C sends both); a disabled account AADB2C90111 and a locked one AADB2C90114, whatever is typed.
 * On success: the tokens asked for by `response_type` (`id_token` when absent), a refresh token for
 * `offline_access`.
 *
 * @example
 *   await answerRopc(tenant, 'B2C_1_ROPC_Auth', form, 'http://127.0.0.1:7080') // { status: 200, body: { access_token, id_token, … } }
 */
export async function answerRopc(tenant: LegacyB2cTenant, policy: string, form: Record<string, unknown>, baseUrl: string): Promise<B2cAnswer> {
  const now = tenant.now();
  const refuse = (error: B2cError): B2cAnswer => ({ status: 400, body: { ...b2cErrorBody(error, now) } });
  const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);

  if (policy.toLowerCase() !== tenant.policy.toLowerCase()) return refuse(B2C_ERRORS.unknownPolicy(policy, tenant.domain));
  const grantType = field('grant_type');
  if (!grantType) return refuse(B2C_ERRORS.missingParameter('grant_type'));
  if (grantType !== 'password') return refuse(B2C_ERRORS.unsupportedGrantType(grantType));
  const clientId = field('client_id');
  if (!clientId) return refuse(B2C_ERRORS.missingClientId());
  if (clientId.toLowerCase() !== tenant.clientId) return refuse(B2C_ERRORS.unknownClient(clientId, tenant.domain));
  if (field('client_secret') !== undefined) return refuse(B2C_ERRORS.publicClientSecret());

  const scope = field('scope');
  if (!scope) return refuse(B2C_ERRORS.missingScope());
  const scopes = scope.split(' ').filter(Boolean);
  const unsupported = scopes.find((name) => !OIDC_SCOPES.has(name) && name.toLowerCase() !== tenant.clientId);
  if (unsupported !== undefined) return refuse(B2C_ERRORS.unsupportedScope(unsupported));
  const responseType = field('response_type') ?? 'id_token';
  const responseTypes = responseType.split(' ').filter(Boolean);
  if (responseTypes.length === 0 || !responseTypes.every((type) => RESPONSE_TYPES.has(type))) return refuse(B2C_ERRORS.unsupportedResponseType(responseType));
  const wantsIdToken = responseTypes.includes('id_token');
  const wantsAccessToken = responseTypes.includes('token');
  if (wantsIdToken && !scopes.includes('openid')) return refuse(B2C_ERRORS.idTokenWithoutOpenid());
  if (wantsAccessToken && scopes.every((name) => OIDC_SCOPES.has(name))) return refuse(B2C_ERRORS.scopeWithoutResource(scope));

  const username = field('username');
  if (!username) return refuse(B2C_ERRORS.missingParameter('username'));
  const password = field('password');
  if (!password) return refuse(B2C_ERRORS.missingParameter('password'));

  const check = await tenant.users.check(username, password);
  switch (check.result) {
    case 'no-such-user':
      return refuse(B2C_ERRORS.invalidCredentials('invalid_grant'));
    case 'wrong':
      return refuse(B2C_ERRORS.invalidCredentials('access_denied'));
    case 'disabled':
      return refuse(B2C_ERRORS.accountDisabled());
    case 'locked':
      return refuse(B2C_ERRORS.accountLocked());
    case 'correct':
      return {
        status: 200,
        body: await tenant.tokens.issue({
          user: check.user,
          clientId: tenant.clientId,
          policy: tenant.policy,
          issuer: tenant.issuer(baseUrl),
          wantsAccessToken,
          wantsIdToken,
          wantsRefreshToken: scopes.includes('offline_access'),
          now,
        }),
      };
  }
}
