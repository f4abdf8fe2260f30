/** One rendered message, ready for a provider. `to` and the bodies are never logged. */
export interface OtpMessage {
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The locale the message was rendered in (`fr`), sent as Content-Language. */
  readonly language: string;
}

export interface OtpSendOptions {
  /** Aborted at the deadline: the provider call is abandoned. */
  readonly abortSignal: AbortSignal;
}

/**
 * Sends one-time code e-mails through one provider. `send` resolves once the provider took the message and rejects
 * with an {@link OtpError} (`OTP_PROVIDER_FAILED` or `OTP_PROVIDER_TIMEOUT`) — never with a provider's own error.
 *
 * @example
 *   await mailer.send({ to, from, subject, text, html, language: 'en' }, { abortSignal });
 */
export interface OtpMailer {
  /** `smtp` or `acs`, for logs and metrics. */
  readonly kind: 'smtp' | 'acs';
  send(message: OtpMessage, options: OtpSendOptions): Promise<void>;
  /** Closes pooled connections; sends after close fail. */
  close(): Promise<void>;
}

/** Headers every one-time code mail carries: an automatic message (RFC 3834) that asks for no auto-replies. */
export const OTP_MAIL_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Auto-Submitted': 'auto-generated',
  'X-Auto-Response-Suppress': 'All',
});
