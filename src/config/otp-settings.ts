import { isLoopbackHost } from '../common/loopback.js';
import type { SettingsReader } from './settings.js';

/** The settings of one-time code e-mail; their names are the public contract. */
export const OtpSetting = {
  SMTP_URL: 'OTP_SMTP_URL',
  ACS_CONNECTION_STRING: 'OTP_ACS_CONNECTION_STRING',
  ACS_ENDPOINT: 'OTP_ACS_ENDPOINT',
  FROM: 'OTP_FROM',
  TEMPLATES_DIR: 'OTP_TEMPLATES_DIR',
} as const;

/** Which provider sends the codes. Secret fields (the URL with its password, the access key) are not enumerable: they never reach JSON or a log line. */
export type OtpProviderSettings =
  | { readonly kind: 'smtp'; readonly url: URL }
  | { readonly kind: 'acs-connection-string'; readonly connectionString: string }
  | { readonly kind: 'acs-managed-identity'; readonly endpoint: string };

/** Validated and frozen: how `serve` sends one-time codes (docs/otp-email.md). */
export interface OtpSettings {
  readonly provider: OtpProviderSettings;
  /** OTP_FROM: `codes@contoso.com` or `Contoso <codes@contoso.com>`. */
  readonly from: string;
  /** OTP_TEMPLATES_DIR, replacing the shipped templates; undefined = the shipped ones. */
  readonly templatesDir: string | undefined;
}

const MAX_URL_LENGTH = 2048;
/** ACS access keys are 88 base64 characters; a connection string with a long endpoint stays well under 1 KiB. */
const MAX_CONNECTION_STRING_LENGTH = 2048;
const MAX_FROM_LENGTH = 320;
const ADDRESS = /^[^\s@<>()",;:\\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const DISPLAY_NAME = /^[^<>"\\\x00-\x1f\x7f]{1,100}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Reads OTP_SMTP_URL, OTP_ACS_CONNECTION_STRING, OTP_ACS_ENDPOINT, OTP_FROM and OTP_TEMPLATES_DIR, reporting every
 * problem on `read` (never echoing a URL or a connection string: both can hold a secret). Returns null when no
 * provider is set (`serve` then answers no OTP route) or when a problem was reported.
 *
 * @example
 *   const read = new SettingsReader(process.env);
 *   const otp = readOtpSettings(read);
 *   if (read.problems.length > 0) throw new ConfigError(read.problems);
 */
export function readOtpSettings(read: SettingsReader): OtpSettings | null {
  const before = read.problems.length;
  const smtp = read.optional(OtpSetting.SMTP_URL);
  const connectionString = read.optional(OtpSetting.ACS_CONNECTION_STRING);
  const endpoint = read.optional(OtpSetting.ACS_ENDPOINT);
  const set = ([[smtp, OtpSetting.SMTP_URL], [connectionString, OtpSetting.ACS_CONNECTION_STRING], [endpoint, OtpSetting.ACS_ENDPOINT]] as const).filter(([value]) => value !== undefined).map(([, name]) => name);
  if (set.length === 0) {
    for (const setting of [OtpSetting.FROM, OtpSetting.TEMPLATES_DIR]) {
      if (read.optional(setting) !== undefined) read.report(setting, `is set, but no provider is: set ${OtpSetting.SMTP_URL}, ${OtpSetting.ACS_CONNECTION_STRING} or ${OtpSetting.ACS_ENDPOINT} as well, or remove it`);
    }
    return null;
  }
  if (set.length > 1) {
    read.report(set[1]!, `is set together with ${set[0]}; set exactly one e-mail provider for one-time codes`);
    return null;
  }
  let provider: OtpProviderSettings | undefined;
  if (smtp !== undefined) provider = readSmtpUrl(read, smtp);
  else if (connectionString !== undefined) provider = readConnectionString(read, connectionString);
  else if (endpoint !== undefined) provider = readEndpoint(read, endpoint);
  const from = readFrom(read);
  const templatesDir = read.optional(OtpSetting.TEMPLATES_DIR);
  if (templatesDir !== undefined && templatesDir.length > 4096) read.report(OtpSetting.TEMPLATES_DIR, 'is longer than 4096 characters');
  if (read.problems.length > before || provider === undefined || from === undefined) return null;
  return Object.freeze({ provider, from, templatesDir });
}

/** An object whose `secret` field is left out of JSON, spreads and logs. */
function withSecret<T extends object, K extends string, V>(visible: T, name: K, value: V): T & Record<K, V> {
  return Object.freeze(Object.defineProperty({ ...visible }, name, { value, enumerable: false })) as T & Record<K, V>;
}

function readSmtpUrl(read: SettingsReader, text: string): OtpProviderSettings | undefined {
  const setting = OtpSetting.SMTP_URL;
  if (text.length > MAX_URL_LENGTH) return void read.report(setting, `is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return void read.report(setting, 'is not a URL; expected smtp://user:password@host:587 or smtps://user:password@host:465 (percent-encode special characters in the password)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return void read.report(setting, 'must start with smtp:// (STARTTLS) or smtps:// (TLS from the start)');
  if (!url.hostname) return void read.report(setting, 'must name a host, e.g. smtps://user:password@smtp.example.com:465');
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) return void read.report(setting, 'must be scheme, credentials, host and port only: no path, ?query or #fragment');
  if (url.password && !url.username) return void read.report(setting, 'has a password but no user name');
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return void read.report(setting, 'has a user name or password with a broken %-escape');
  }
  // smtp: beyond loopback is accepted because the mailer then requires STARTTLS (nodemailer's requireTLS).
  return withSecret({ kind: 'smtp' as const }, 'url', url);
}

function readConnectionString(read: SettingsReader, text: string): OtpProviderSettings | undefined {
  const setting = OtpSetting.ACS_CONNECTION_STRING;
  const shape = 'must be the resource\'s connection string as the Azure portal shows it: endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>';
  if (text.length > MAX_CONNECTION_STRING_LENGTH) return void read.report(setting, `is longer than ${MAX_CONNECTION_STRING_LENGTH} characters`);
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    if (at <= 0) return void read.report(setting, shape);
    parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const endpoint = parts.get('endpoint');
  const key = parts.get('accesskey');
  if (endpoint === undefined || key === undefined || parts.size !== 2 || !BASE64.test(key)) return void read.report(setting, shape);
  if (!acsEndpointOk(endpoint)) return void read.report(setting, 'has an endpoint that is not an https: URL (http: is accepted only for localhost, 127.0.0.1 or [::1])');
  return withSecret({ kind: 'acs-connection-string' as const }, 'connectionString', text);
}

function readEndpoint(read: SettingsReader, text: string): OtpProviderSettings | undefined {
  if (text.length > MAX_URL_LENGTH || !acsEndpointOk(text)) {
    return void read.report(OtpSetting.ACS_ENDPOINT, 'must be the resource\'s https: endpoint, e.g. https://contoso.communication.azure.com (http: only for localhost, 127.0.0.1 or [::1])');
  }
  return Object.freeze({ kind: 'acs-managed-identity' as const, endpoint: new URL(text).origin });
}

function acsEndpointOk(text: string): boolean {
  try {
    const url = new URL(text);
    if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

function readFrom(read: SettingsReader): string | undefined {
  const value = read.optional(OtpSetting.FROM);
  const hint = 'the sender of the codes, e.g. codes@contoso.com or "Contoso <codes@contoso.com>" (a sender your provider lets you use)';
  if (value === undefined) return void read.report(OtpSetting.FROM, `is required with an e-mail provider: ${hint}`);
  if (value.length > MAX_FROM_LENGTH) return void read.report(OtpSetting.FROM, `is longer than ${MAX_FROM_LENGTH} characters`);
  const named = /^(.*?)\s*<([^<>]+)>$/.exec(value);
  const address = named ? named[2]! : value;
  const name = named ? named[1]!.trim() : '';
  if (!ADDRESS.test(address) || (named && name !== '' && !DISPLAY_NAME.test(name))) return void read.report(OtpSetting.FROM, `must be ${hint}; no quotes, control characters or second address`);
  return value;
}

/** The address part of OTP_FROM (`codes@contoso.com` of `Contoso <codes@contoso.com>`): ACS takes only an address. */
export function fromAddressOf(from: string): string {
  return /<([^<>]+)>$/.exec(from)?.[1] ?? from;
}
