import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { audienceOf, type ExtensionAudience } from './audience.js';
import { SecurityError, SecurityErrorCode } from './errors.js';
import { CUSTOM_EXTENSION_CALLER_APP_ID, isTenantIssuer } from './issuers.js';
import type { SigningKeySource } from './signing-keys.js';

/** What a valid caller token told us. Never the token itself. */
export interface CallerClaims {
  issuer: string;
  audience: string;
  /** `azp` (v2 tokens) or `appid` (v1). */
  callerAppId: string;
  expiresAt: number;
}

export interface CallerTokenVerifierOptions {
  tenantId: string;
  /** The extension's app registration: `aud` must be this GUID or its identifier URI (see `extensionResourceId`). */
  extensionAppId: string;
  /**
   * The extension's identifier URI `api://{host}/{appId}` (ENTRA_EXTENSION_RESOURCE_ID). Unset, an `api://` `aud`
   * passes only when its host is the request's `Host`.
   */
  extensionResourceId?: string | undefined;
  keySource: SigningKeySource;
  now?: Clock;
  /** Tolerance for `exp`/`nbf`, in seconds; at most 300 (DESIGN.md). Default 300. */
  clockSkewInSeconds?: number;
}

export interface CallerTokenVerifier {
  /**
   * Resolves with the checked claims, or rejects with a {@link SecurityError} (`TOKEN_*`, `SIGNING_KEYS_UNAVAILABLE`).
   * `requestHost` is the request's `Host` header, for an identifier-URI `aud` when no resource id is configured.
   */
  verify(authorizationHeader: string | undefined, request?: { requestHost?: string | undefined }): Promise<CallerClaims>;
}

/** Longest Authorization header read. Entra's tokens are under 2 KiB. */
const MAX_HEADER_LENGTH = 16 * 1024;
const MAX_CLOCK_SKEW_IN_SECONDS = 300;
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;
/**
 * Tokens whose signature was checked, remembered until they expire: Entra reuses one access token for the extension
 * across callouts for most of its hour, and the RS256 check plus jose's parsing is a tenth of a millisecond a callout.
 * At most this many; when full, the oldest is forgotten.
 */
const MAX_VERIFIED_TOKENS = 1000;

/**
 * Checks the bearer token Entra sends with every custom-extension call, as DESIGN.md "Caller token" lists:
 * RS256 only (decided from the header before any key is looked up, so `none` and HS256 never reach a verifier);
 * a signature by a key from the tenant's metadata; one of the tenant's issuers; `aud` the extension app;
 * `azp`/`appid` Entra's custom-extension service; `exp` required, `nbf` honoured, with bounded skew.
 *
 * @example
 *   const verifier = createCallerTokenVerifier({ tenantId, extensionAppId, keySource });
 *   await verifier.verify(request.headers.authorization);
 */
export function createCallerTokenVerifier(options: CallerTokenVerifierOptions): CallerTokenVerifier {
  const now = options.now ?? systemClock;
  const skew = options.clockSkewInSeconds ?? MAX_CLOCK_SKEW_IN_SECONDS;
  if (!(skew >= 0 && skew <= MAX_CLOCK_SKEW_IN_SECONDS)) throw new RangeError(`Clock skew must be 0–${MAX_CLOCK_SKEW_IN_SECONDS} s; got ${skew}.`);

  // Keyed by the whole token: only the same bytes, already verified with the same key, skip the signature check. Every
  // check that depends on the time, the key set or the request (exp, nbf, the key for kid, aud against the Host)
  // runs on every call.
  const verified = new Map<string, { payload: JWTPayload; key: unknown }>();
  const remember = (token: string, payload: JWTPayload, key: unknown) => {
    if (verified.size >= MAX_VERIFIED_TOKENS) verified.delete(verified.keys().next().value!);
    verified.set(token, { payload, key });
  };

  return {
    async verify(authorizationHeader, request = {}) {
      if (!authorizationHeader) throw refuse(SecurityErrorCode.TOKEN_MISSING, 'A bearer token is required.');
      if (authorizationHeader.length > MAX_HEADER_LENGTH) throw refuse(SecurityErrorCode.TOKEN_MALFORMED, 'The bearer token is malformed.', 'header too long');
      const token = BEARER.exec(authorizationHeader)?.[1];
      if (token === undefined) throw refuse(SecurityErrorCode.TOKEN_MALFORMED, 'The Authorization header must be "Bearer <JWT>".');

      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw refuse(SecurityErrorCode.TOKEN_MALFORMED, 'The bearer token is malformed.', 'header is not base64url JSON');
      }
      // RFC 8725 §3.1: the algorithm is fixed by us, never taken from the token.
      if (header.alg !== 'RS256') {
        throw refuse(SecurityErrorCode.TOKEN_ALGORITHM_REFUSED, 'The bearer token must be signed with RS256.', `alg ${String(header.alg).slice(0, 20)}`);
      }
      if (typeof header.kid !== 'string' || header.kid === '') throw refuse(SecurityErrorCode.TOKEN_MALFORMED, 'The bearer token has no key id (kid).');
      const key = await options.keySource.getKey(header.kid);
      if (key === undefined) {
        verified.delete(token);
        throw refuse(SecurityErrorCode.TOKEN_KEY_UNKNOWN, "The bearer token is signed with a key that is not in the tenant's key set.", `kid ${header.kid.slice(0, 64)}`);
      }
      const expectedAudience = { appId: options.extensionAppId, resourceId: options.extensionResourceId, requestHost: request.requestHost };

      const known = verified.get(token);
      if (known !== undefined && known.key === key) {
        const nowInSeconds = Math.floor(now() / 1000);
        if (known.payload.exp! <= nowInSeconds - skew) {
          verified.delete(token);
          throw refuse(SecurityErrorCode.TOKEN_EXPIRED, 'The bearer token has expired.');
        }
        if (typeof known.payload.nbf === 'number' && known.payload.nbf > nowInSeconds + skew) throw refuse(SecurityErrorCode.TOKEN_NOT_YET_VALID, 'The bearer token is not valid yet.');
        return checkClaims(known.payload, options.tenantId, expectedAudience);
      }

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: ['RS256'],
          clockTolerance: skew,
          currentDate: new Date(now()),
          requiredClaims: ['exp', 'iss', 'aud'],
        }));
      } catch (error) {
        throw refusalOf(error);
      }
      const claims = checkClaims(payload, options.tenantId, expectedAudience);
      remember(token, payload, key);
      return claims;
    },
  };
}

function checkClaims(payload: JWTPayload, tenantId: string, expectedAudience: ExtensionAudience): CallerClaims {
  const issuer = payload.iss ?? '';
  if (!isTenantIssuer(issuer, tenantId)) {
    throw refuse(SecurityErrorCode.TOKEN_ISSUER_INVALID, 'The bearer token was not issued by this tenant.', `iss ${issuer.slice(0, 200)}`);
  }
  const audience = audienceOf(payload.aud, expectedAudience);
  if (audience === undefined) throw refuse(SecurityErrorCode.TOKEN_AUDIENCE_INVALID, 'The bearer token is meant for another application.');
  // v2 tokens carry azp, v1 tokens appid; whichever is present must be Entra's custom-extension service.
  const caller = typeof payload.azp === 'string' ? payload.azp : payload.appid;
  if (typeof caller !== 'string' || caller.toLowerCase() !== CUSTOM_EXTENSION_CALLER_APP_ID) {
    throw refuse(SecurityErrorCode.TOKEN_CALLER_INVALID, "The bearer token was not issued to Entra's custom authentication extension service.");
  }
  if (payload.tid !== undefined && String(payload.tid).toLowerCase() !== tenantId.toLowerCase()) {
    throw refuse(SecurityErrorCode.TOKEN_TENANT_INVALID, 'The bearer token belongs to another tenant.');
  }
  return { issuer, audience, callerAppId: caller, expiresAt: payload.exp! };
}

function refusalOf(error: unknown): SecurityError {
  if (error instanceof joseErrors.JWTExpired) return refuse(SecurityErrorCode.TOKEN_EXPIRED, 'The bearer token has expired.');
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') {
    return refuse(SecurityErrorCode.TOKEN_NOT_YET_VALID, 'The bearer token is not valid yet.');
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return refuse(SecurityErrorCode.TOKEN_SIGNATURE_INVALID, 'The bearer token signature is not valid.');
  if (error instanceof joseErrors.JOSEError) return refuse(SecurityErrorCode.TOKEN_MALFORMED, 'The bearer token is malformed.', error.code);
  return refuse(SecurityErrorCode.TOKEN_MALFORMED, 'The bearer token is malformed.');
}

function refuse(code: SecurityErrorCode, publicMessage: string, detail?: string): SecurityError {
  return new SecurityError(code, publicMessage, detail === undefined ? {} : { detail: `${publicMessage} (${detail})` });
}
