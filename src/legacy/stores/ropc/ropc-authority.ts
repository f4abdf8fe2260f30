import { Agent, request } from 'undici';
import type { RopcSettings } from '../../../config/legacy-ropc-settings.js';
import type { LegacyAuthority, LegacyCheck, PasswordCheckOptions, SignInAttempt } from '../../authority.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { readBoundedJson } from './bounded-json.js';
import { probeConnection, safeCode } from './connection-probe.js';
import { requestDeadline } from './deadline.js';
import { readErrorAnswer } from './error-answer.js';
import { decideErrorAnswer } from './error-decision.js';
import { recognizeProvider } from './provider.js';
import { readTokenAnswer } from './token-answer.js';
import { tokenForm } from './token-form.js';

export interface RopcAuthorityOptions {
  /** The clock the deadline is measured with; default `Date.now`. */
  now?: () => number;
  /** How long `ping` waits for the provider, in ms. Default 5000: a readiness probe's usual timeout. */
  pingTimeoutInMs?: number;
}

/**
 * Connections kept per provider origin. Entra calls the extension at most 50 times a second, each answered within
 * 2 s: about 100 password grants in flight at worst.
 */
const CONNECTIONS_PER_ORIGIN = 100;
/**
 * How long an idle connection is kept, in ms (unless the provider says less in `Keep-Alive`): sign-ins come in
 * bursts, and a new TLS handshake costs a round trip or two of the deadline.
 */
const KEEP_ALIVE_IN_MS = 30_000;
const DEFAULT_PING_TIMEOUT_IN_MS = 5000;
/** Longer sign-in names are not names: they never reach the provider (nor its logs). */
const MAX_USERNAME_LENGTH = 1024;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * The legacy store is an OpenID provider that still accepts the OAuth 2.0 resource owner password credentials grant
 * (RFC 6749 §4.3): Azure AD B2C (an ROPC user flow), Entra ID, Keycloak (direct access grants), Auth0 or Okta. Each
 * check is one `POST` to LEGACY_ROPC_TOKEN_URL over a keep-alive pool; the answer is mapped by the provider's
 * documented error codes (error-codes.ts). `ping` reads the provider's OpenID metadata, or opens a connection —
 * never a password grant, which would fill the provider's sign-in logs and lockout counters.
 *
 * @example
 *   const authority = openRopcAuthority(settings);
 *   const check = await authority.checkPassword(attempt, { abortSignal, deadlineAt });
 */
export function openRopcAuthority(settings: RopcSettings, options: RopcAuthorityOptions = {}): LegacyAuthority {
  const now = options.now ?? Date.now;
  const provider = recognizeProvider(settings.tokenUrl);
  const agent = new Agent({ connections: CONNECTIONS_PER_ORIGIN, keepAliveTimeout: KEEP_ALIVE_IN_MS });
  let closing: Promise<void> | undefined;
  const closedError = () => new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The OpenID provider store is closed.');

  async function checkPassword(attempt: SignInAttempt, { abortSignal, deadlineAt }: PasswordCheckOptions): Promise<LegacyCheck> {
    if (closing) throw closedError();
    if (abortSignal.aborted) throw abortSignal.reason;
    // An empty password is never sent: it cannot be right, and it would count toward the account's lockout.
    if (attempt.password.length === 0) return { outcome: 'wrong', legacyId: null };
    if (attempt.username.length === 0 || attempt.username.length > MAX_USERNAME_LENGTH || CONTROL.test(attempt.username)) return { outcome: 'unknown' };
    const timeoutInMs = deadlineAt - now();
    if (timeoutInMs <= 0) throw timeoutError(0);
    const deadline = requestDeadline(abortSignal, timeoutInMs);
    try {
      const response = await request(settings.tokenUrl, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: tokenForm(settings, provider.kind, attempt.username, attempt.password),
        signal: deadline.signal,
      });
      const body = await readBoundedJson(response.body, response.headers);
      if (response.statusCode === 200) {
        if ('notJson' in body) throw notJson();
        return readTokenAnswer(body.json);
      }
      return decideErrorAnswer(response.statusCode, 'json' in body ? readErrorAnswer(body.json) : null);
    } catch (error) {
      if (abortSignal.aborted) throw abortSignal.reason;
      if (error instanceof LegacyStoreError) throw error;
      if (deadline.timedOut()) throw timeoutError(timeoutInMs);
      throw unreachable(error);
    } finally {
      deadline.dispose();
    }
  }

  async function ping(pingOptions: { abortSignal?: AbortSignal } = {}): Promise<void> {
    if (closing) throw closedError();
    const timeoutInMs = options.pingTimeoutInMs ?? DEFAULT_PING_TIMEOUT_IN_MS;
    if (provider.metadataUrl === null) {
      await probeConnection(settings.tokenUrl, { timeoutInMs, ...(pingOptions.abortSignal && { abortSignal: pingOptions.abortSignal }) });
      return;
    }
    const deadline = requestDeadline(pingOptions.abortSignal, timeoutInMs);
    try {
      const response = await request(provider.metadataUrl, {
        dispatcher: agent,
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: deadline.signal,
      });
      const body = await readBoundedJson(response.body, response.headers);
      const where = `${provider.metadataUrl.origin}${provider.metadataUrl.pathname}`;
      if (response.statusCode === 404) {
        throw new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, `The OpenID provider has no metadata at ${where}; check LEGACY_ROPC_TOKEN_URL.`);
      }
      if (response.statusCode !== 200) {
        throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The OpenID provider's metadata at ${where} answered HTTP ${response.statusCode}.`);
      }
      const json = 'json' in body ? body.json : undefined;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        throw new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, `The OpenID provider's metadata at ${where} is not a JSON object; check LEGACY_ROPC_TOKEN_URL.`);
      }
    } catch (error) {
      if (pingOptions.abortSignal?.aborted) throw pingOptions.abortSignal.reason;
      if (error instanceof LegacyStoreError) throw error;
      if (deadline.timedOut()) throw timeoutError(timeoutInMs);
      throw unreachable(error);
    } finally {
      deadline.dispose();
    }
  }

  return {
    kind: 'ropc',
    checkPassword,
    ping,
    close() {
      closing ??= agent.close();
      return closing;
    },
  };
}

function timeoutError(timeoutInMs: number): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, `The OpenID provider did not answer within ${timeoutInMs} ms.`);
}

function notJson(): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, "The OpenID provider's token endpoint answered 200 with a body that is not JSON; check LEGACY_ROPC_TOKEN_URL.");
}

function unreachable(error: unknown): LegacyStoreError {
  return new LegacyStoreError(
    LegacyStoreErrorCode.UNAVAILABLE,
    `The OpenID provider could not be reached (${safeCode(error)}); check LEGACY_ROPC_TOKEN_URL.`,
    { cause: error },
  );
}
