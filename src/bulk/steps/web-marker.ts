import { Agent } from 'undici';
import type { WebServiceSettings } from '../../config/legacy-web-service-settings.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../legacy/errors.js';
import { boundCall } from '../../legacy/stores/web-service/call-bounds.js';
import { tlsConnector } from '../../legacy/stores/web-service/connector.js';
import { exchange } from '../../legacy/stores/web-service/exchange.js';
import { MAX_ANSWER_BYTES } from '../../legacy/stores/web-service/options.js';
import { authHeaders } from '../../legacy/stores/web-service/request.js';
import { readTlsMaterial } from '../../legacy/stores/web-service/tls-files.js';
import { shownUrl } from '../../legacy/stores/web-service/transport-error.js';
import type { LegacyMarker, MigratedAccount } from './legacy-marker.js';

/** The setting, for messages. */
export const MARK_MIGRATED_URL = 'LEGACY_MARK_MIGRATED_URL';

/** 15 s, as the SQL mark's statement timeout: recording one account takes the service milliseconds; this only ends a wait that will never be answered. */
export const DEFAULT_MARK_TIMEOUT_IN_MS = 15_000;
/**
 * Connections kept to the service at most. reconcile marks one account at a time per `$batch` in flight, 4 per app
 * registration: 16 covers four app registrations; beyond, a mark waits for a connection within its timeout.
 */
const MAX_CONNECTIONS = 16;

/** What `openWebMarker` takes besides the settings. */
export interface WebMarkerOptions {
  /** How long one mark may take, connection, headers and body together, in ms. Default {@link DEFAULT_MARK_TIMEOUT_IN_MS}. */
  timeoutInMs?: number;
}

/** The JSON body of one mark, as docs/legacy-web-service.md documents it. */
export interface MarkRequestBody {
  legacyId: string;
  objectId: string;
  /** ISO 8601 UTC with milliseconds: `2026-11-24T12:00:00.000Z`. */
  migratedAt: string;
}

/**
 * The body POSTed for one account: `{"legacyId", "objectId", "migratedAt"}`, nothing else.
 *
 * @example
 *   markRequestBody({ legacyId: '42', objectId, migratedAt: new Date('2026-11-24T12:00:00Z') })
 *   // '{"legacyId":"42","objectId":"…","migratedAt":"2026-11-24T12:00:00.000Z"}'
 */
export function markRequestBody(account: MigratedAccount): string {
  const body: MarkRequestBody = { legacyId: account.legacyId, objectId: account.objectId, migratedAt: account.migratedAt.toISOString() };
  return JSON.stringify(body);
}

/**
 * The `Idempotency-Key` of one account's mark: the same for every delivery of it, different for every other account,
 * so a service that keeps keys can drop a repeat; every delivery carries the same body, as the draft requires of a
 * reused key. Its syntax is the draft's, a Structured Field String (RFC 8941 §3.3.3; draft-ietf-httpapi-idempotency-
 * key-header, "Syntax", https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/): the legacy id
 * percent-encoded (UTF-8, as `encodeURIComponent`, so any id fits in ASCII without quotes or backslashes), a colon,
 * the object id; the object id, a GUID, holds no colon.
 *
 * @example
 *   idempotencyKeyOf({ legacyId: 'ada@example.com', objectId: '6b1f…', migratedAt }) // '"ada%40example.com:6b1f…"'
 */
export function idempotencyKeyOf(account: Pick<MigratedAccount, 'legacyId' | 'objectId'>): string {
  // A lone surrogate (not UTF-8 encodable: encodeURIComponent would throw) becomes U+FFFD, as TextEncoder does.
  const legacyId = account.legacyId.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
  return `"${encodeURIComponent(legacyId)}:${encodeURIComponent(account.objectId)}"`;
}

/**
 * Marks accounts migrated through the legacy team's service (`LEGACY_MARK_MIGRATED_URL`): one `POST` of
 * {@link markRequestBody} per account, with an {@link idempotencyKeyOf} header, over a keep-alive pool with the
 * web-service store's credentials (`LEGACY_VERIFY_AUTH`, its client certificate and CA). The answer's status alone
 * is read ({@link markOutcomeOf}); the body is never read, so nothing the service echoes reaches a message or the
 * ledger. Redirects are not followed. Rejects with `LEGACY_STORE_OPTIONS_INVALID` when a CA, certificate or key file
 * cannot be used; opening sends nothing.
 *
 * @example
 *   const marker = await openWebMarker(config.markMigrated.service);
 *   await marker.mark({ legacyId: '42', objectId, migratedAt: new Date() });
 */
export async function openWebMarker(settings: WebServiceSettings, options: WebMarkerOptions = {}): Promise<LegacyMarker> {
  const timeoutInMs = options.timeoutInMs ?? DEFAULT_MARK_TIMEOUT_IN_MS;
  const agent = new Agent({ connections: MAX_CONNECTIONS, connect: tlsConnector(await readTlsMaterial(settings)) });
  const where = shownUrl(settings.url);
  const headers = { 'content-type': 'application/json', accept: '*/*', 'user-agent': 'entra-migrate', ...authHeaders(settings.auth) };
  return {
    async mark(account) {
      const bounds = boundCall(undefined, timeoutInMs, where);
      try {
        const answer = await exchange(agent, settings.url, { method: 'POST', headers: { ...headers, 'idempotency-key': idempotencyKeyOf(account) }, body: markRequestBody(account) }, bounds, MAX_ANSWER_BYTES);
        answer.discard();
        const failure = markOutcomeOf(answer.statusCode);
        if (failure) throw failure;
      } catch (error) {
        throw markFailed(bounds.failureOf(error));
      } finally {
        bounds.dispose();
      }
    },
    close: () => agent.destroy(),
  };
}

/**
 * What the service's status says of one mark: undefined when it is done, else the error to reject with.
 * - 2xx: recorded.
 * - 410 Gone: the account is no longer there (deleted earlier, or by a repeat of this mark): done too
 *   (RFC 9110 §15.5.11, https://www.rfc-editor.org/rfc/rfc9110#section-15.5.11).
 * - 404 Not Found is a failure, not "gone": it is also what a wrong address answers, and taking it for done would
 *   drop every mark of a misconfigured run without a trace (§15.5.5).
 * - 3xx: not followed (§15.4); 401, 403: the service refused our credentials (§15.5.2, §15.5.4); 429 and 5xx: the
 *   service is busy or failing (RFC 6585 §4, RFC 9110 §15.6); any other status: the contract gives it no meaning.
 * Every failure is retried by the next run.
 *
 * @example
 *   markOutcomeOf(204) // undefined
 *   markOutcomeOf(503)?.code // 'LEGACY_STORE_UNAVAILABLE'
 */
export function markOutcomeOf(statusCode: number): LegacyStoreError | undefined {
  if ((statusCode >= 200 && statusCode < 300) || statusCode === 410) return undefined;
  const answered = `The legacy web service answered ${statusCode}`;
  if (statusCode >= 300 && statusCode < 400) {
    return new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, `${answered}, a redirect, which is not followed: set ${MARK_MIGRATED_URL} to the address that answers.`);
  }
  if (statusCode === 401 || statusCode === 403) {
    return new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, `${answered}: it refused our credentials; check LEGACY_VERIFY_AUTH and the client certificate.`);
  }
  if (statusCode === 404) {
    return new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, `${answered}: the address was not found; check ${MARK_MIGRATED_URL} (an account already gone is answered 410 or 2xx).`);
  }
  if (statusCode === 429 || statusCode >= 500) return new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `${answered}.`);
  return new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, `${answered}, which the mark's contract gives no meaning to.`);
}

/**
 * The error a failed mark rejects with: one line naming the setting and the reason, the public message only (the
 * ledger keeps it), with the hint to the URL setting the web-service store's messages name pointed at ours.
 */
function markFailed(error: unknown): unknown {
  if (!(error instanceof LegacyStoreError)) return error;
  const reason = error.publicMessage.replaceAll('LEGACY_VERIFY_URL', MARK_MIGRATED_URL);
  return new LegacyStoreError(error.code, `${MARK_MIGRATED_URL} failed: ${reason}`, { cause: error });
}
