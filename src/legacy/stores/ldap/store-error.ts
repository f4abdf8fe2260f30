import { ResultCodeError } from 'ldapts';
import {
  LDAP_BIND_DN,
  LDAP_BIND_PASSWORD,
  LDAP_CA_FILE,
  LDAP_SEARCH_BASE,
  LDAP_SEARCH_FILTER,
  LDAP_STARTTLS,
  LDAP_URL,
  LDAP_USER_DN_TEMPLATE,
} from '../../../config/legacy-ldap-settings.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { adDataCode } from './ad-data-code.js';

/** What we were doing when the directory failed us: it decides which setting a refusal points at. */
export type LdapStage = 'service bind' | 'search' | 'user bind' | 'StartTLS' | 'root DSE read';

/** Sockets that could not reach the directory, or lost it. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT']);

/** Node's and OpenSSL's codes for a certificate we do not trust or that names another host. */
const CERTIFICATE_ERROR = /^(?:ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_[A-Z_]+|ERR_SSL_[A-Z_]+)$/;

const ENCRYPTION = `use ldaps:// in ${LDAP_URL}, or set ${LDAP_STARTTLS}=true`;

/**
 * Wraps whatever a directory operation threw as a `LegacyStoreError`, naming the setting to fix when the directory
 * refused *us* (RFC 4511 §4.1.9 result codes, https://www.rfc-editor.org/rfc/rfc4511#appendix-A). The server's
 * diagnostic text is left out — it may repeat the DN or filter, which hold the sign-in name; only the result code
 * and an Active Directory data code reach the detail. A `LegacyStoreError` passes through unchanged.
 *
 * @example
 *   throw ldapStoreError(error, 'service bind', url);
 */
export function ldapStoreError(error: unknown, stage: LdapStage, url: URL): LegacyStoreError {
  if (error instanceof LegacyStoreError) return error;
  const at = `the directory at ${url.host}`;
  if (error instanceof ResultCodeError) return resultCodeError(error, stage, at);
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  if (code !== undefined && CERTIFICATE_ERROR.test(code)) {
    return misconfigured(`${at} presented a certificate we do not trust (${code}); check ${LDAP_CA_FILE} and the host name in ${LDAP_URL}.`, stage, error);
  }
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
    return storeError(LegacyStoreErrorCode.UNAVAILABLE, `Could not reach ${at} (${code}).`, `${stage}: ${code}`, error);
  }
  // ldapts's own failures: "Connection closed before message response was received", "Socket error…".
  const name = error instanceof Error ? error.name : typeof error;
  return storeError(LegacyStoreErrorCode.UNAVAILABLE, `Lost the connection to ${at} during the ${stage}.`, `${stage}: ${name}${code ? ` ${code}` : ''}`, error);
}

function resultCodeError(error: ResultCodeError, stage: LdapStage, at: string): LegacyStoreError {
  const result = error.code;
  const ad = adDataCode(error.message);
  const facts = `${stage}: result ${result}${ad ? `, AD data ${ad}` : ''}`;
  switch (result) {
    case 49: // invalidCredentials: only the service account's bind gets here; a user's 49 is a verdict.
      return misconfigured(`${at} refused the service account's bind; check ${LDAP_BIND_DN} and ${LDAP_BIND_PASSWORD}.`, stage, error, ad);
    case 8: // strongerAuthRequired
    case 13: // confidentialityRequired
      return misconfigured(`${at} requires an encrypted connection; ${ENCRYPTION}.`, stage, error);
    case 32: // noSuchObject
    case 34: // invalidDNSyntax
      if (stage === 'search') return misconfigured(`${at} has no entry ${LDAP_SEARCH_BASE} names (result ${result}); check ${LDAP_SEARCH_BASE}.`, stage, error);
      if (stage === 'user bind' && result === 34) return misconfigured(`${at} did not accept the DN built from ${LDAP_USER_DN_TEMPLATE}; check ${LDAP_USER_DN_TEMPLATE}.`, stage, error);
      break;
    case 50: // insufficientAccessRights
      if (stage === 'search') return misconfigured(`${at} does not let the service account search; check ${LDAP_BIND_DN}'s rights on ${LDAP_SEARCH_BASE}.`, stage, error);
      break;
    case 87: // filterError
      return misconfigured(`${at} did not accept the search filter; check ${LDAP_SEARCH_FILTER}.`, stage, error);
    case 3: // timeLimitExceeded
      return storeError(LegacyStoreErrorCode.TIMEOUT, `${capitalised(at)} gave up on the ${stage} at its time limit.`, facts);
    case 11: // adminLimitExceeded
    case 51: // busy
    case 52: // unavailable
      return storeError(LegacyStoreErrorCode.UNAVAILABLE, `${capitalised(at)} is busy or unavailable (result ${result}).`, facts);
    default:
      if (stage === 'StartTLS') return misconfigured(`${at} refused StartTLS (result ${result}); check ${LDAP_STARTTLS} and ${LDAP_URL}.`, stage, error);
  }
  return storeError(LegacyStoreErrorCode.ANSWER_INVALID, `${capitalised(at)} answered the ${stage} with result ${result}.`, facts);
}

function misconfigured(message: string, stage: LdapStage, error: unknown, adCode?: string): LegacyStoreError {
  const result = error instanceof ResultCodeError ? `result ${error.code}` : (error as { code?: string })?.code ?? 'error';
  return storeError(LegacyStoreErrorCode.MISCONFIGURED, capitalised(message), `${stage}: ${result}${adCode ? `, AD data ${adCode}` : ''}`, error);
}

/**
 * The error, its log detail the public sentence plus the facts. A socket error is kept as the cause; a result
 * code error is not, since its message carries the server's diagnostic text.
 */
function storeError(code: LegacyStoreErrorCode, message: string, facts: string, error?: unknown): LegacyStoreError {
  const cause = error instanceof ResultCodeError ? undefined : error;
  return new LegacyStoreError(code, message, { detail: `${message} (${facts})`, ...(cause !== undefined && { cause }) });
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
