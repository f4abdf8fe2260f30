import { Agent } from 'undici';
import type { WebServiceSettings } from '../../config/legacy-web-service-settings.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../errors.js';
import { boundCall } from '../stores/web-service/call-bounds.js';
import { tlsConnector } from '../stores/web-service/connector.js';
import { exchange } from '../stores/web-service/exchange.js';
import { DEFAULT_MAX_CONNECTIONS, MAX_ANSWER_BYTES } from '../stores/web-service/options.js';
import { authHeaders } from '../stores/web-service/request.js';
import { failureOfStatus } from '../stores/web-service/status-codes.js';
import { readTlsMaterial } from '../stores/web-service/tls-files.js';
import { shownUrl } from '../stores/web-service/transport-error.js';
import { claimsFromAnswer } from './check-claims.js';
import { TokenClaimsError } from './errors.js';
import type { ClaimsCallOptions, ClaimsSubject, LegacyClaims, TokenClaimsSource } from './source.js';

/** What the web-service claims source takes besides the settings. */
export interface WebServiceClaimsSourceOptions {
  /** Connections kept to the service at most. Default 100, as the legacy web-service store (Entra's 50 calls a second, 2 s each). */
  maxConnections?: number;
  /** The clock `deadlineAt` is measured against. Default `Date.now`. */
  now?: () => number;
}

/**
 * Opens the token claims web service (TOKEN_CLAIMS_URL) with the legacy web service's credentials and TLS settings
 * (LEGACY_VERIFY_AUTH, LEGACY_VERIFY_CA_FILE, LEGACY_VERIFY_CLIENT_CERT_FILE/KEY_FILE): `settings` are those of the
 * legacy web service with `url` set to TOKEN_CLAIMS_URL. Each call is one `POST` of `{"objectId", "email",
 * "legacyId"}` over a keep-alive pool, bounded by what remains until `deadlineAt`, redirects never followed.
 *
 * The contract (docs/token-claims.md): 200 with a JSON object of claims (`{}` for none; values strings, arrays of
 * strings, numbers or booleans; null omitted); 204 or 404 → no claims; 401/403 → `LEGACY_STORE_MISCONFIGURED`;
 * 3xx, 429, 5xx as the legacy web service (`LEGACY_ANSWER_INVALID`, `LEGACY_STORE_UNAVAILABLE`); any other status,
 * a body that is not a JSON object or over 64 KiB → `LEGACY_ANSWER_INVALID`.
 *
 * @example
 *   const source = await openWebServiceClaimsSource({ ...legacy.webService, url: new URL('https://legacy.example.com/claims') });
 *   await source.claimsFor({ objectId, email: 'ada@contoso.example', legacyId: '42' }, { abortSignal, deadlineAt });
 */
export async function openWebServiceClaimsSource(settings: WebServiceSettings, options: WebServiceClaimsSourceOptions = {}): Promise<TokenClaimsSource> {
  const now = options.now ?? Date.now;
  const agent = new Agent({ connections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, connect: tlsConnector(await readTlsMaterial(settings)) });
  const where = shownUrl(settings.url);
  const headers = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'entra-migrate', ...authHeaders(settings.auth) };
  let closed = false;

  return {
    kind: 'web-service',
    async claimsFor(subject: ClaimsSubject, { abortSignal, deadlineAt }: ClaimsCallOptions): Promise<LegacyClaims> {
      if (closed) throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The token claims web service source is closed.');
      const bounds = boundCall(abortSignal, deadlineAt - now(), where);
      try {
        const body = JSON.stringify({ objectId: subject.objectId, email: subject.email, legacyId: subject.legacyId });
        const answer = await exchange(agent, settings.url, { method: 'POST', headers, body }, bounds, MAX_ANSWER_BYTES);
        const { statusCode } = answer;
        // A redirect is not followed (the body would be re-sent elsewhere); the message names our setting.
        const failure = statusCode >= 300 && statusCode < 400 ? statusError(statusCode) : failureOfStatus(statusCode);
        if (failure !== undefined || statusCode !== 200) {
          answer.discard();
          if (statusCode === 204 || statusCode === 404) return Object.freeze({});
          throw failure ?? statusError(statusCode);
        }
        return claimsFromAnswer(parseJson(await answer.text()));
      } catch (error) {
        if (error instanceof TokenClaimsError) throw error; // the legacy data at fault, not the transport
        throw bounds.failureOf(error);
      } finally {
        bounds.dispose();
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await agent.destroy();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, 'The token claims web service answered a body that is not JSON.');
  }
}

function statusError(statusCode: number): LegacyStoreError {
  if (statusCode === 401 || statusCode === 403) {
    return new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, `The token claims web service answered ${statusCode}: it refused our credentials; check LEGACY_VERIFY_AUTH and TOKEN_CLAIMS_URL.`);
  }
  if (statusCode >= 300 && statusCode < 400) {
    return new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, `The token claims web service answered a redirect (${statusCode}), which is not followed: set TOKEN_CLAIMS_URL to the address that answers.`);
  }
  return new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, `The token claims web service answered ${statusCode}, which the contract gives no meaning to: check TOKEN_CLAIMS_URL.`);
}
