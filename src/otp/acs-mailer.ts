import { EmailClient, type EmailMessage } from '@azure/communication-email';
import type { TokenCredential } from '@azure/core-auth';
import { isLoopbackUrl } from '../common/loopback.js';
import { untilAborted } from './abortable.js';
import { OtpError, OtpErrorCode, safeToken } from './errors.js';
import { OTP_MAIL_HEADERS, type OtpMailer, type OtpMessage, type OtpSendOptions } from './mailer.js';

/** How the mailer reaches Azure Communication Services Email: a connection string, or an endpoint and a credential. */
export type AcsMailerOptions = (
  | { readonly connectionString: string }
  | { readonly endpoint: string; readonly credential: TokenCredential }
) & {
  /**
   * After ACS accepted the message (202), how long to wait for its operation to end, in ms. A `Failed` seen in that
   * time is a failure; an operation still running after it counts as sent (ACS queued it). 300 ms: ACS usually
   * settles within a few hundred ms, and the deadline (1000 ms by default) must hold the POST too.
   */
  readonly settleWithinInMs?: number;
  /** Between two reads of the operation, in ms (100: a few reads inside the settle time). */
  readonly pollIntervalInMs?: number;
};

/**
 * A mailer over Azure Communication Services Email (`@azure/communication-email`). Errors become {@link OtpError}s
 * built from ACS's HTTP status and error code only, never its message (which can quote the recipient).
 *
 * @example
 *   const mailer = createAcsMailer({ connectionString: process.env.OTP_ACS_CONNECTION_STRING! });
 *   const mailer = createAcsMailer({ endpoint: 'https://contoso.communication.azure.com', credential: new DefaultAzureCredential() });
 */
export function createAcsMailer(options: AcsMailerOptions): OtpMailer {
  const endpoint = 'connectionString' in options ? (/(?:^|;)\s*endpoint=([^;]+)/i.exec(options.connectionString)?.[1] ?? '') : options.endpoint;
  // No retries: one attempt fits the deadline, and Entra retries the callout itself. http: only on loopback (tests).
  const clientOptions = { retryOptions: { maxRetries: 0 }, userAgentOptions: { userAgentPrefix: 'entra-migrate' }, allowInsecureConnection: isLoopbackUrl(endpoint) };
  const client = 'connectionString' in options ? new EmailClient(options.connectionString, clientOptions) : new EmailClient(options.endpoint, options.credential, clientOptions);
  const settleWithinInMs = options.settleWithinInMs ?? 300;
  const pollIntervalInMs = options.pollIntervalInMs ?? 100;
  let closed = false;
  return {
    kind: 'acs',
    async send(message: OtpMessage, sendOptions: OtpSendOptions): Promise<void> {
      if (closed) throw new OtpError(OtpErrorCode.PROVIDER_FAILED, 'acs: the mailer is closed');
      const email: EmailMessage = {
        senderAddress: /<([^<>]+)>$/.exec(message.from)?.[1] ?? message.from, // ACS takes an address, no display name
        recipients: { to: [{ address: message.to }] },
        content: { subject: message.subject, plainText: message.text, html: message.html },
        headers: { ...OTP_MAIL_HEADERS, 'Content-Language': message.language },
      };
      const { abortSignal } = sendOptions;
      try {
        const poller = await untilAborted(client.beginSend(email, { abortSignal, updateIntervalInMs: pollIntervalInMs }), abortSignal, 'acs');
        if (!poller.isDone()) {
          const settle = AbortSignal.any([abortSignal, AbortSignal.timeout(settleWithinInMs)]);
          await poller.pollUntilDone({ abortSignal: settle }).catch((error: unknown) => {
            if (settle.aborted && !abortSignal.aborted) return; // still running: ACS queued it
            if (poller.getOperationState().status === 'failed') throw new OtpError(OtpErrorCode.PROVIDER_FAILED, 'acs: the operation ended Failed');
            throw error;
          });
        }
        if (abortSignal.aborted) throw new OtpError(OtpErrorCode.PROVIDER_TIMEOUT, 'acs: abandoned at the deadline');
        const status = poller.isDone() ? poller.getResult()?.status : 'Running';
        if (status === 'Failed' || status === 'Canceled') throw new OtpError(OtpErrorCode.PROVIDER_FAILED, `acs: the operation ended ${status}`);
      } catch (error) {
        throw acsError(error, abortSignal);
      }
    },
    async close() {
      closed = true;
    },
  };
}

/** Maps whatever the SDK threw to an OtpError built only from the HTTP status and ACS's error code. */
function acsError(error: unknown, abortSignal: AbortSignal): OtpError {
  if (error instanceof OtpError) return error;
  if (abortSignal.aborted) return new OtpError(OtpErrorCode.PROVIDER_TIMEOUT, 'acs: abandoned at the deadline');
  const { statusCode, code, name, message } = (error ?? {}) as { statusCode?: unknown; code?: unknown; name?: unknown; message?: unknown };
  // core-lro's error for a Failed operation: "The long-running operation has failed. <code>. <ACS's message>" — the
  // message quotes the recipient, so only the code is kept.
  const failed = typeof message === 'string' ? /^The long-running operation has (failed|been canceled)\.(?: ([A-Za-z0-9_.-]{1,64})\.)?/.exec(message) : null;
  if (failed) return new OtpError(OtpErrorCode.PROVIDER_FAILED, `acs: the operation ended ${failed[1] === 'failed' ? 'Failed' : 'Canceled'} (${failed[2] ?? 'unknown'})`);
  if (typeof statusCode === 'number') return new OtpError(OtpErrorCode.PROVIDER_FAILED, `acs: HTTP ${statusCode} (${safeToken(code)})`);
  return new OtpError(OtpErrorCode.PROVIDER_FAILED, `acs: the request failed (${safeToken(code) === 'unknown' ? safeToken(name) : safeToken(code)})`);
}
