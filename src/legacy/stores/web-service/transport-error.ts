import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';

/**
 * The service's certificate was not trusted: Node's X.509 verification codes
 * (https://nodejs.org/api/tls.html#x509-certificate-error-codes) and its host-name check.
 */
const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'CERT_REVOKED', 'CERT_REJECTED', 'INVALID_CA', 'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The service refused our client certificate, or its absence: the TLS alerts a server sends then
 * (RFC 8446 §6.2, https://www.rfc-editor.org/rfc/rfc8446#section-6.2), as OpenSSL names them in Node's error codes.
 */
const REFUSED_CLIENT_CERTIFICATE = /^ERR_SSL_(?:TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_CERTIFICATE_(?:UNKNOWN|EXPIRED|REVOKED|UNSUPPORTED)|TLSV1_ALERT_ACCESS_DENIED)$/;

/**
 * undici's own time limits (https://undici.nodejs.org/#/docs/api/Errors) and the system's: the answer did not come
 * in time. The call's deadline usually fires first; these are the backstops.
 */
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/**
 * Turns what the HTTP client threw into the store's error: an untrusted server certificate or a refused client
 * certificate → MISCONFIGURED naming the settings to fix; a time limit → TIMEOUT; anything else (connection refused,
 * reset, DNS) → UNAVAILABLE. The message holds the error code and `where` (the URL without its query, which may
 * carry a key such as Azure Functions' `code`), never the request. A `LegacyStoreError` is passed through.
 *
 * @example
 *   throw transportError(error, 'https://legacy.example.com/verify');
 */
export function transportError(error: unknown, where: string): LegacyStoreError {
  if (error instanceof LegacyStoreError) return error;
  const codes = errorCodes(error);
  const detail = `${codes.join(' < ') || 'UNKNOWN'}: ${error instanceof Error ? error.message : String(error)}`;
  const untrusted = codes.find((code) => UNTRUSTED_SERVER.has(code));
  if (untrusted) {
    return new LegacyStoreError(
      LegacyStoreErrorCode.MISCONFIGURED,
      `The legacy web service at ${where} has a certificate we do not trust (${untrusted}): check LEGACY_VERIFY_CA_FILE and the host name in LEGACY_VERIFY_URL.`,
      { detail, cause: error },
    );
  }
  const refused = codes.find((code) => REFUSED_CLIENT_CERTIFICATE.test(code));
  if (refused) {
    return new LegacyStoreError(
      LegacyStoreErrorCode.MISCONFIGURED,
      `The legacy web service at ${where} refused our client certificate (${refused}): check LEGACY_VERIFY_CLIENT_CERT_FILE and LEGACY_VERIFY_CLIENT_KEY_FILE.`,
      { detail, cause: error },
    );
  }
  const timedOut = codes.find((code) => TIMED_OUT.has(code));
  if (timedOut) {
    return new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, `The legacy web service at ${where} did not answer in time (${timedOut}).`, { detail, cause: error });
  }
  const code = codes[0] ?? 'UNKNOWN';
  if (code === 'UND_ERR_SOCKET' && closedBeforeAnswer(error) && where.startsWith('https:')) {
    // Some servers (node:https among them) refuse a client certificate by closing the connection, without an alert.
    return new LegacyStoreError(
      LegacyStoreErrorCode.UNAVAILABLE,
      `The legacy web service at ${where} closed the connection before answering (${code}); if it requires a client certificate, check LEGACY_VERIFY_CLIENT_CERT_FILE and LEGACY_VERIFY_CLIENT_KEY_FILE.`,
      { detail, cause: error },
    );
  }
  return new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The legacy web service at ${where} cannot be reached (${code}).`, { detail, cause: error });
}

/** undici's SocketError carries the socket's counters: nothing read means no answer had begun. */
function closedBeforeAnswer(error: unknown): boolean {
  return (error as { socket?: { bytesRead?: unknown } }).socket?.bytesRead === 0;
}

/** The `code` of the error and of its causes, outermost first (undici wraps socket errors). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) codes.push(code);
  }
  return codes;
}

/**
 * A URL as it may appear in a message: scheme, host, port and path; never the query (it may hold a key) nor the
 * fragment. The URL comes from settings, which refuse user names and passwords in it.
 */
export function shownUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
