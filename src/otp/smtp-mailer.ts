import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import { isLoopbackHost } from '../common/loopback.js';
import { untilAborted } from './abortable.js';
import { OtpError, OtpErrorCode, safeToken } from './errors.js';
import { OTP_MAIL_HEADERS, type OtpMailer, type OtpMessage, type OtpSendOptions } from './mailer.js';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:port` (STARTTLS, required beyond loopback) or `smtps://…` (TLS from the first byte). */
  readonly url: URL;
  /** Connect, greeting and socket timeouts of each connection, in ms: below the event's deadline. */
  readonly timeoutInMs: number;
  /** Pooled connections kept open to the server (5: Entra's bursts of codes rarely need more). */
  readonly maxConnections?: number;
  /** Trusted CA certificates (PEM) beside the system ones, for a relay with a private CA; tests use it. */
  readonly ca?: string;
}

/** Nodemailer error codes that mean the server was there but did not take the message. */
const REFUSALS = new Set(['EENVELOPE', 'EMESSAGE', 'EAUTH']);

/**
 * A mailer over SMTP (nodemailer, pooled). `smtps:` is implicit TLS (port 465); `smtp:` upgrades with STARTTLS and
 * requires it unless the host is loopback. Errors become {@link OtpError}s naming nodemailer's code and the SMTP
 * reply code only: a reply's text can quote the recipient.
 *
 * @example
 *   const mailer = createSmtpMailer({ url: new URL('smtps://otp:secret@smtp.example.com:465'), timeoutInMs: 1500 });
 *   await mailer.send(message, { abortSignal });
 */
export function createSmtpMailer(options: SmtpMailerOptions): OtpMailer {
  const { url } = options;
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const transport = nodemailer.createTransport({
    host,
    port,
    secure,
    // RFC 8314 §3: STARTTLS must not be optional when the server is reached over the network.
    requireTLS: !secure && !isLoopbackHost(url.hostname),
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    connectionTimeout: options.timeoutInMs,
    greetingTimeout: options.timeoutInMs,
    socketTimeout: options.timeoutInMs,
    dnsTimeout: options.timeoutInMs,
    // SNI names a host, never an IP address (RFC 6066 §3); the certificate is checked against the host either way.
    tls: { ...(options.ca ? { ca: options.ca } : {}), ...(isIP(host) ? {} : { servername: host }) },
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  let closed = false;
  return {
    kind: 'smtp',
    async send(message: OtpMessage, sendOptions: OtpSendOptions): Promise<void> {
      if (closed) throw new OtpError(OtpErrorCode.PROVIDER_FAILED, 'smtp: the mailer is closed');
      const sending = transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { ...OTP_MAIL_HEADERS, 'Content-Language': message.language },
        textEncoding: 'quoted-printable',
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      try {
        const info = await untilAborted(sending, sendOptions.abortSignal, 'smtp');
        if (info.rejected.length > 0 || info.accepted.length === 0) throw new OtpError(OtpErrorCode.PROVIDER_FAILED, 'smtp: the server refused the recipient');
      } catch (error) {
        throw smtpError(error);
      }
    },
    async close() {
      closed = true;
      transport.close();
    },
  };
}

/** Maps whatever nodemailer threw to an OtpError built only from its code and reply code. */
function smtpError(error: unknown): OtpError {
  if (error instanceof OtpError) return error;
  const { code, responseCode, command } = (error ?? {}) as { code?: unknown; responseCode?: unknown; command?: unknown };
  const token = safeToken(code);
  const reply = typeof responseCode === 'number' ? ` ${responseCode}` : '';
  const step = typeof command === 'string' && /^[A-Z ]{2,16}$/.test(command) ? ` at ${command}` : '';
  if (token === 'ETIMEDOUT') return new OtpError(OtpErrorCode.PROVIDER_TIMEOUT, `smtp: ${token}${step}`);
  const what = REFUSALS.has(token) || reply ? 'the server refused the message' : 'the server could not be reached';
  return new OtpError(OtpErrorCode.PROVIDER_FAILED, `smtp: ${what} (${token}${reply}${step})`);
}
