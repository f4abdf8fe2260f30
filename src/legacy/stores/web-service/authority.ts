import { Agent } from 'undici';
import type { WebServiceMode, WebServiceSettings } from '../../../config/legacy-web-service-settings.js';
import type { LegacyAuthority, LegacyCheck, PasswordCheckOptions, SignInAttempt } from '../../authority.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { ServiceAnswer } from './answer-body.js';
import { boundCall } from './call-bounds.js';
import { tlsConnector } from './connector.js';
import { exchange } from './exchange.js';
import { readJsonAnswer } from './json-answer.js';
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_PING_TIMEOUT_IN_MS,
  MAX_ANSWER_BYTES,
  type WebServiceAuthorityOptions,
} from './options.js';
import { checkHealthUrl, checkVerifyOrigin } from './readiness.js';
import { authHeaders, verifyRequestBody, verifyRequestHeaders } from './request.js';
import { readStatusAnswer } from './status-answer.js';
import { readTlsMaterial } from './tls-files.js';
import { shownUrl } from './transport-error.js';

/** How each LEGACY_VERIFY_MODE reads an answer. */
const ANSWER_READERS: Record<WebServiceMode, (answer: ServiceAnswer) => Promise<LegacyCheck>> = {
  json: readJsonAnswer,
  status: readStatusAnswer,
};

/**
 * Opens the web-service legacy store (LEGACY_VERIFY_URL): each password check is one `POST` of
 * `{"username", "password", "email", "objectId"}` over a keep-alive pool (undici `Agent`), with our credentials
 * (LEGACY_VERIFY_AUTH), a client certificate and a private CA when configured. The answer is read as the mode says
 * (`readJsonAnswer`, `readStatusAnswer`); the timeout is what remains until `deadlineAt`, headers and body together.
 * Rejects with `LEGACY_STORE_OPTIONS_INVALID` when a CA, certificate or key file cannot be used. Opening sends
 * nothing; `ping` is the readiness check.
 *
 * @example
 *   const authority = await openWebServiceAuthority(readWebServiceSettings(read, allowInsecure)!);
 *   const check = await authority.checkPassword(attempt, { abortSignal, deadlineAt: receivedAt + 1490 });
 */
export async function openWebServiceAuthority(settings: WebServiceSettings, options: WebServiceAuthorityOptions = {}): Promise<LegacyAuthority> {
  const now = options.now ?? Date.now;
  const pingTimeoutInMs = options.pingTimeoutInMs ?? DEFAULT_PING_TIMEOUT_IN_MS;
  const tls = await readTlsMaterial(settings);
  const agent = new Agent({
    connections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    // Without LEGACY_VERIFY_CA_FILE, Node's bundled CAs apply.
    connect: tlsConnector(tls),
  });
  const where = shownUrl(settings.url);
  const readAnswer = ANSWER_READERS[settings.mode];
  const headers = verifyRequestHeaders(settings.auth, settings.mode);
  const healthHeaders = {
    accept: '*/*',
    'user-agent': 'entra-migrate',
    // Our credentials only go where password checks already go.
    ...(settings.healthUrl?.origin === settings.url.origin ? authHeaders(settings.auth) : {}),
  };
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The legacy web service store is closed.');
  };

  return {
    kind: 'web-service',

    async checkPassword(attempt: SignInAttempt, { abortSignal, deadlineAt }: PasswordCheckOptions): Promise<LegacyCheck> {
      ensureOpen();
      const bounds = boundCall(abortSignal, deadlineAt - now(), where);
      try {
        const answer = await exchange(agent, settings.url, { method: 'POST', headers, body: verifyRequestBody(attempt) }, bounds, MAX_ANSWER_BYTES);
        return await readAnswer(answer);
      } catch (error) {
        throw bounds.failureOf(error);
      } finally {
        bounds.dispose();
      }
    },

    async ping(pingOptions = {}): Promise<void> {
      ensureOpen();
      const target = settings.healthUrl ?? settings.url;
      const bounds = boundCall(pingOptions.abortSignal, pingTimeoutInMs, shownUrl(target));
      try {
        if (settings.healthUrl) await checkHealthUrl(agent, settings.healthUrl, healthHeaders, bounds, MAX_ANSWER_BYTES);
        else await checkVerifyOrigin(agent, settings.url, bounds, MAX_ANSWER_BYTES);
      } catch (error) {
        throw bounds.failureOf(error);
      } finally {
        bounds.dispose();
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // destroy, not close: an answer still arriving is not waited for (its caller gets UNAVAILABLE).
      await agent.destroy();
    },
  };
}
