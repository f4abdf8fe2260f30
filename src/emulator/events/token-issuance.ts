import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  TOKEN_ISSUANCE_START_DATA_TYPE,
  TOKEN_ISSUANCE_START_EVENT_TYPE,
  tokenIssuanceStartActionOf,
  tokenIssuanceStartResponseSchema,
  type ClaimValue,
  type Claims,
} from '../../events/index.js';
import { CalloutErrorCode, EMULATOR_SIGN_IN_APP } from '../callout-client.js';
import type { DirectoryUser } from '../directory.js';
import type { TenantObjects } from '../tenant-objects.js';
import type { EmulatedTenant } from '../tenant.js';
import { assignedClaimsMappingPolicy, readCustomClaimMappings } from './claims-mapping.js';
import { AnswerRefusal, callEventExtension } from './event-callout.js';
import { resolveEventListener, servicePrincipalContext, TOKEN_ISSUANCE_START, type EventEndpoint } from './event-listener.js';
import { mintIdToken } from './id-token.js';

/**
 * AADSTS50146 as Entra words it (learn.microsoft.com/entra/identity-platform/reference-error-codes): a claims
 * mapping policy is assigned to the app's service principal, and the app neither accepts mapped claims
 * (`api.acceptMappedClaims`) nor has a signing key of its own.
 */
export const MISSING_CUSTOM_SIGNING_KEY = {
  aadsts: 'AADSTS50146',
  message: 'This application is required to be configured with an application-specific signing key. It is either not configured with one, or the key has expired or is not yet valid.',
} as const;

export type TokenIssuance =
  | { ok: true; idToken: string; claims: Record<string, unknown>; extensionCalled: boolean }
  /** The OnTokenIssuanceStart extension failed or could not be called: no token (the user sees AADSTS1100001). */
  | { ok: false; reason: 'extension-error'; aadsts: 'AADSTS1100001'; errorCode: number; detail: string }
  | { ok: false; reason: 'mapped-claims-refused'; aadsts: typeof MISSING_CUSTOM_SIGNING_KEY.aadsts; message: string };

export interface TokenIssueRequest {
  user: DirectoryUser;
  /** The client application the token is for; default the emulator's own sign-in app. */
  clientAppId?: string;
  client: { ip: string; locale: string; market: string };
}

export interface TokenIssuer {
  issue(request: TokenIssueRequest): Promise<TokenIssuance>;
  /** OnTokenIssuanceStart callouts made so far (a retry counts once). */
  calloutCount(): number;
}

export interface TokenIssuerOptions {
  tenant: EmulatedTenant;
  objects: TenantObjects;
  now: () => number;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
}

/**
 * The end of every successful sign-in (and of a sign-up, which signs the new user in): the id token for the client
 * application, with the OnTokenIssuanceStart event when a listener applies to that application.
 *
 * In order: a claims mapping policy assigned to the client's service principal needs `acceptMappedClaims` on the
 * client's app registration, else AADSTS50146 and no token; the listener's extension is checked as Entra checks it
 * (1003014, 1003015, 1003021) and called with the user from the directory, the client's service principal and a
 * correlation id (custom-claims-provider-reference); a failed call, or an answer Entra refuses (1003002, 1003003,
 * 1003005, 1003006, 1003007 null claims bag, 1003010, 1003012), fails the sign-in with AADSTS1100001 and no token
 * (custom-extension-troubleshoot, "Error behavior"). The claims returned reach the token only through the policy:
 * a claim listed in the extension's `claimsForTokenConfiguration` and mapped by a `CustomClaimsProvider` entry
 * (`ID` → `JwtClaimType`); any other is dropped. Claim values are never logged.
 *
 * @example
 *   const issued = await issuer.issue({ user, clientAppId, client: { ip, locale: 'en-us', market: 'en-us' } });
 *   if (issued.ok) issued.claims.tier; // 'gold'
 */
export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  const { tenant, objects, now } = options;
  const log = options.logger.child({ name: 'emulator:token-issuance' });
  let callouts = 0;

  return {
    calloutCount: () => callouts,

    async issue(request) {
      const clientAppId = request.clientAppId ?? EMULATOR_SIGN_IN_APP.appId;
      const policy = assignedClaimsMappingPolicy(objects, clientAppId);
      if (policy && objects.applicationByAppId(clientAppId)?.api.acceptMappedClaims !== true) {
        log.info({ clientAppId, policyId: policy.id }, 'token refused: a claims mapping policy is assigned and the app does not accept mapped claims');
        return { ok: false, reason: 'mapped-claims-refused', ...MISSING_CUSTOM_SIGNING_KEY };
      }
      const resolution = resolveEventListener(objects, TOKEN_ISSUANCE_START, clientAppId);
      if (resolution.kind === 'none') return { ok: true, ...(await mintIdToken(tenant, { user: request.user, clientAppId, now: now() })), extensionCalled: false };
      if (resolution.kind === 'misconfigured') {
        log.info({ clientAppId, errorCode: resolution.errorCode }, 'OnTokenIssuanceStart not called: the tenant configuration is wrong');
        return { ok: false, reason: 'extension-error', aadsts: 'AADSTS1100001', errorCode: resolution.errorCode, detail: resolution.detail };
      }

      callouts++;
      const result = await callEventExtension({
        tenant,
        endpoint: resolution.endpoint,
        body: tokenIssuanceStartRequest({ tenant, objects, endpoint: resolution.endpoint, clientAppId, user: request.user, client: request.client }),
        judge: judgeTokenIssuanceStartAnswer,
        now,
        ...(options.fetch && { fetch: options.fetch }),
      });
      log.info({ userId: request.user.id, clientAppId, ok: result.ok, errorCode: result.ok ? undefined : result.errorCode, claimCount: result.ok ? Object.keys(result.answer).length : undefined, attempts: result.attempts, latencyInMs: result.latencyInMs }, 'OnTokenIssuanceStart callout');
      if (!result.ok) return { ok: false, reason: 'extension-error', aadsts: 'AADSTS1100001', errorCode: result.errorCode, detail: result.detail };

      const configured = new Set((resolution.extension.claimsForTokenConfiguration ?? []).map((entry) => entry.claimIdInApiResponse));
      const reading = policy ? readCustomClaimMappings(policy.definition[0]) : { ok: true as const, mappings: [] };
      if (!reading.ok) log.warn({ clientAppId, policyId: policy?.id, problem: reading.problem }, 'the claims mapping policy cannot be read: no custom claims in the token');
      const mapped: Record<string, ClaimValue> = {};
      for (const mapping of reading.ok ? reading.mappings : []) {
        if (!configured.has(mapping.id) || !Object.hasOwn(result.answer, mapping.id)) continue;
        Object.defineProperty(mapped, mapping.jwtClaimType, { value: result.answer[mapping.id], enumerable: true, writable: true, configurable: true });
      }
      return { ok: true, ...(await mintIdToken(tenant, { user: request.user, clientAppId, now: now(), mappedClaims: mapped })), extensionCalled: true };
    },
  };
}

/**
 * The body Entra POSTs to an OnTokenIssuanceStart extension (custom-claims-provider-reference): the user as the
 * directory holds them, the client application's service principal (also the resource: the token is an id token
 * for the client) and a fresh correlation id.
 */
export function tokenIssuanceStartRequest(input: { tenant: EmulatedTenant; objects: TenantObjects; endpoint: EventEndpoint; clientAppId: string; user: DirectoryUser; client: TokenIssueRequest['client'] }) {
  const { tenant, endpoint, user } = input;
  const principal = servicePrincipalContext(input.objects, input.clientAppId);
  return {
    type: TOKEN_ISSUANCE_START_EVENT_TYPE,
    source: `/tenants/${tenant.tenantId}/applications/${input.clientAppId}`,
    data: {
      '@odata.type': TOKEN_ISSUANCE_START_DATA_TYPE,
      tenantId: tenant.tenantId,
      authenticationEventListenerId: endpoint.listenerId,
      customAuthenticationExtensionId: endpoint.id,
      authenticationContext: {
        correlationId: randomUUID(),
        client: input.client,
        protocol: 'OAUTH2.0',
        clientServicePrincipal: principal,
        resourceServicePrincipal: principal,
        user: {
          createdDateTime: user.createdDateTime,
          displayName: user.displayName,
          givenName: user.givenName,
          id: user.id,
          mail: user.mail,
          preferredLanguage: input.client.locale,
          surname: user.surname,
          userPrincipalName: user.userPrincipalName,
          userType: 'Member',
        },
      },
    },
  };
}

/**
 * Judges an answer as Entra does: the documented shape (1003003), exactly one action (1003010),
 * `provideClaimsForToken` (1003012), a claims bag that is not null (1003007); returns the claims.
 */
export function judgeTokenIssuanceStartAnswer(json: unknown): Claims {
  const parsed = tokenIssuanceStartResponseSchema.safeParse(json);
  if (!parsed.success) throw new AnswerRefusal(CalloutErrorCode.INVALID_RESPONSE_BODY, 'the answer does not match the onTokenIssuanceStartResponseData schema');
  const { actions } = parsed.data.data;
  if (actions.length !== 1) throw new AnswerRefusal(CalloutErrorCode.INVALID_ACTION_COUNT, `the answer holds ${actions.length} actions; exactly one is required`);
  const [only] = actions;
  if (!tokenIssuanceStartActionOf(only!['@odata.type'])) throw new AnswerRefusal(CalloutErrorCode.INVALID_ACTION_TYPE, `"${only!['@odata.type'].slice(0, 80)}" is not an OnTokenIssuanceStart action`);
  if (only!.claims === null || only!.claims === undefined) throw new AnswerRefusal(CalloutErrorCode.NULL_CLAIMS_BAG, 'the provideClaimsForToken action has no claims bag (null)');
  return only!.claims;
}
