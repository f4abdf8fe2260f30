/**
 * Who a token or a password context may be meant for: the extension's app registration, named by its app id or
 * by its identifier URI. Matching is exact (a suffix, a prefix or another scheme never passes); only letter case is
 * ignored, since the app id is a GUID and an `api://` URI's scheme and host are case-insensitive (RFC 3986 §3.1,
 * §3.2.2).
 */
export interface ExtensionAudience {
  /** The extension's app id (ENTRA_EXTENSION_APP_ID). */
  appId: string;
  /**
   * The extension's identifier URI, `api://{host}/{appId}` (ENTRA_EXTENSION_RESOURCE_ID, which `setup --write-env`
   * writes). When set, it is the only URI accepted.
   */
  resourceId?: string | undefined;
  /**
   * The request's `Host` header. Without `resourceId`, an `api://{host}/{appId}` URI is accepted only when its host
   * is this one's (ports ignored): Entra requires the identifier URI's host to be the target URL's (1003015).
   */
  requestHost?: string | undefined;
}

const IDENTIFIER_URI = /^api:\/\/([^/?#\s@]+)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The value of `aud` (a string or an array of them) that names the extension, or undefined when none does.
 *
 * @example
 *   audienceOf('api://auth.contoso.com/3c5e…', { appId: '3c5e…', requestHost: 'auth.contoso.com' }) // 'api://auth.contoso.com/3c5e…'
 *   audienceOf('https://evil.example/3c5e…', { appId: '3c5e…' })                                   // undefined
 */
export function audienceOf(aud: unknown, expected: ExtensionAudience): string | undefined {
  const values = Array.isArray(aud) ? aud : [aud];
  return values.find((value): value is string => typeof value === 'string' && namesExtension(value, expected));
}

function namesExtension(value: string, expected: ExtensionAudience): boolean {
  const candidate = value.toLowerCase();
  if (candidate === expected.appId.toLowerCase()) return true;
  if (expected.resourceId !== undefined) return candidate === expected.resourceId.toLowerCase();
  if (expected.requestHost === undefined) return false;
  const match = IDENTIFIER_URI.exec(candidate);
  if (!match || match[2] !== expected.appId.toLowerCase()) return false;
  const host = hostnameOf(match[1]!);
  return host !== '' && host === hostnameOf(expected.requestHost.toLowerCase());
}

/** `host[:port]` or `[v6]:port` without the port. */
function hostnameOf(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  const colon = authority.indexOf(':');
  return colon === -1 ? authority : authority.slice(0, colon);
}
