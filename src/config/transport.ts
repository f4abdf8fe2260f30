import { isLoopbackHost } from '../common/loopback.js';
import type { SettingsReader } from './settings.js';

/** The setting that lets a legacy store be reached in clear text beyond this machine. */
export const ALLOW_INSECURE_TRANSPORT = 'LEGACY_ALLOW_INSECURE_TRANSPORT';

/**
 * Parses a legacy store's URL and applies the project's transport rule: an encrypted scheme (`https:`, `ldaps:`), or
 * a clear one (`http:`, `ldap:` without StartTLS) only on loopback — the same rule as ENTRA_OPENID_CONFIGURATION_URL
 * — unless LEGACY_ALLOW_INSECURE_TRANSPORT=true says out loud that passwords may cross the network in clear.
 * Reports a problem on `setting` and returns undefined when the URL is unusable.
 *
 * @example
 *   const url = legacyUrl(read, 'LEGACY_VERIFY_URL', { secure: ['https:'], clear: ['http:'] }, allowInsecure);
 */
export function legacyUrl(
  read: SettingsReader,
  setting: string,
  schemes: { secure: readonly string[]; clear: readonly string[]; clearMadeSecure?: boolean },
  allowInsecure: boolean,
): URL | undefined {
  const text = read.optional(setting);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    read.report(setting, 'is not a URL');
    return undefined;
  }
  const known = [...schemes.secure, ...schemes.clear];
  if (!known.includes(url.protocol)) {
    read.report(setting, `must start with ${known.map((scheme) => `${scheme}//`).join(' or ')}, not ${url.protocol.slice(0, 20)}//`);
    return undefined;
  }
  if (!HOST.test(url.hostname)) {
    read.report(setting, 'must name a host: a DNS name, an IPv4 address or an [IPv6] address');
    return undefined;
  }
  if (url.username || url.password) {
    read.report(setting, 'must not hold a user name or password; the store has its own settings for credentials');
    return undefined;
  }
  const clear = schemes.clear.includes(url.protocol) && !schemes.clearMadeSecure;
  if (clear && !allowInsecure && !isLoopbackHost(url.hostname)) {
    read.report(
      setting,
      `is ${url.protocol}// to ${url.hostname}, which would send passwords in clear text; use ${schemes.secure[0]}// ` +
        `(accepted in clear only for localhost, 127.0.0.1 or [::1]), or set ${ALLOW_INSECURE_TRANSPORT}=true if you mean it`,
    );
    return undefined;
  }
  return url;
}

/** A DNS name (labels of 1–63 letters, digits, hyphens and the underscores container names use), an IPv4 address, or a bracketed IPv6 address. */
const HOST = /^(?:(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?|\[[0-9a-f:.]+\])$/i;

/** LEGACY_ALLOW_INSECURE_TRANSPORT: `true` or `false` (default), nothing else. */
export function allowsInsecureTransport(read: SettingsReader): boolean {
  return read.oneOf(ALLOW_INSECURE_TRANSPORT, ['true', 'false'], 'false') === 'true';
}
