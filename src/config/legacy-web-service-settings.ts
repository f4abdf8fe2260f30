import type { SettingsReader } from './settings.js';
import { legacyUrl } from './transport.js';

/** How we prove to the legacy web service that the caller is us (LEGACY_VERIFY_AUTH). Every field is a secret but `name`. */
export type WebServiceAuth =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly user: string; readonly password: string }
  | { readonly kind: 'header'; readonly name: string; readonly value: string };

/** What the web service's answer is read from: a JSON verdict (the documented contract) or the status code alone. */
export type WebServiceMode = 'json' | 'status';

/** The validated LEGACY_VERIFY_* settings of the web-service legacy store. */
export interface WebServiceSettings {
  /** LEGACY_VERIFY_URL: where each password check is POSTed. https, or http on loopback (or when allowed out loud). */
  readonly url: URL;
  /** LEGACY_VERIFY_AUTH, or null when the service needs none (mutual TLS alone, a private network). */
  readonly auth: WebServiceAuth | null;
  /** LEGACY_VERIFY_CLIENT_CERT_FILE + LEGACY_VERIFY_CLIENT_KEY_FILE (PEM), for mutual TLS; both or neither. */
  readonly clientCertificate: { readonly certFile: string; readonly keyFile: string } | null;
  /** LEGACY_VERIFY_CA_FILE (PEM): trusted instead of the system's CAs, for a service with a private CA. */
  readonly caFile: string | undefined;
  /** LEGACY_VERIFY_MODE: `json` (default) or `status`. */
  readonly mode: WebServiceMode;
  /** LEGACY_VERIFY_HEALTH_URL: what `/readyz` GETs; unset, readiness only opens a connection to LEGACY_VERIFY_URL. */
  readonly healthUrl: URL | undefined;
}

/** The setting names, for messages that tell the operator which one to fix. */
export const VERIFY_URL = 'LEGACY_VERIFY_URL';
export const VERIFY_AUTH = 'LEGACY_VERIFY_AUTH';
export const VERIFY_CLIENT_CERT_FILE = 'LEGACY_VERIFY_CLIENT_CERT_FILE';
export const VERIFY_CLIENT_KEY_FILE = 'LEGACY_VERIFY_CLIENT_KEY_FILE';
export const VERIFY_CA_FILE = 'LEGACY_VERIFY_CA_FILE';
export const VERIFY_MODE = 'LEGACY_VERIFY_MODE';
export const VERIFY_HEALTH_URL = 'LEGACY_VERIFY_HEALTH_URL';

const HTTP_SCHEMES = { secure: ['https:'], clear: ['http:'] } as const;

/** A header field name: an RFC 9110 token (https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value: visible ASCII, spaces and tabs, and obs-text; never CR, LF or NUL (RFC 9110 §5.5). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A bearer token: RFC 6750's b64token (https://www.rfc-editor.org/rfc/rfc6750#section-2.1). */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** No control characters (RFC 7617 §2 forbids them in Basic credentials). */
const NO_CONTROLS = /^[^\x00-\x1f\x7f]*$/;

/**
 * Header names LEGACY_VERIFY_AUTH may not set: hop-by-hop and framing headers (RFC 9110 §7.6.1, §6.4.1, RFC 9112
 * §6.1) that would change how the request is carried rather than who sends it, and the ones we set ourselves.
 */
const FORBIDDEN_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect',
  'proxy-authorization', 'proxy-authenticate', 'host', 'content-length', 'content-type', 'content-encoding', 'accept',
]);

/** Secrets and names are bounded, so a pasted file or a runaway value is a problem, not a 1 MB header. */
const MAX_AUTH_LENGTH = 8 * 1024;

const AUTH_FORMS = 'bearer:<token>, basic:<user>:<password> or header:<Name>:<value>';

/**
 * Reads the LEGACY_VERIFY_* settings of the web-service legacy store. Call it when LEGACY_VERIFY_URL selects the
 * store; returns undefined when LEGACY_VERIFY_URL is unset or any of these settings has a problem (each reported on
 * `read`, for the caller to throw together). Problems about LEGACY_VERIFY_AUTH never quote its value. The CA,
 * certificate and key files must exist now; the store reads and checks their content when it opens.
 *
 * @example
 *   const read = new SettingsReader(process.env);
 *   const settings = readWebServiceSettings(read, allowsInsecureTransport(read));
 *   if (read.problems.length > 0) throw new ConfigError(read.problems);
 */
export function readWebServiceSettings(read: SettingsReader, allowInsecure: boolean): WebServiceSettings | undefined {
  const before = read.problems.length;
  const url = legacyUrl(read, VERIFY_URL, HTTP_SCHEMES, allowInsecure);
  const settings = {
    url,
    auth: readAuth(read),
    clientCertificate: readClientCertificate(read),
    caFile: read.existingFile(VERIFY_CA_FILE),
    mode: read.oneOf(VERIFY_MODE, ['json', 'status'] as const, 'json'),
    healthUrl: legacyUrl(read, VERIFY_HEALTH_URL, HTTP_SCHEMES, allowInsecure),
  };
  if (url === undefined || read.problems.length > before) return undefined;
  return Object.freeze({ ...settings, url });
}

/**
 * LEGACY_VERIFY_AUTH: `bearer:<token>`, `basic:<user>:<password>` (the password may hold ':') or
 * `header:<Name>:<value>`.
 */
function readAuth(read: SettingsReader): WebServiceAuth | null {
  const text = read.optional(VERIFY_AUTH);
  if (text === undefined) return null;
  if (text.length > MAX_AUTH_LENGTH) {
    read.report(VERIFY_AUTH, `is longer than ${MAX_AUTH_LENGTH / 1024} KiB; it must be ${AUTH_FORMS}`);
    return null;
  }
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (kind) {
    case 'bearer':
      if (!B64TOKEN.test(rest)) return fail(read, 'bearer:<token> needs a token of letters, digits and -._~+/ (then = padding), as RFC 6750 defines it');
      return { kind, token: rest };
    case 'basic': {
      const split = rest.indexOf(':');
      if (split < 1) return fail(read, 'basic:<user>:<password> needs a user name, a colon, then the password');
      const user = rest.slice(0, split);
      const password = rest.slice(split + 1);
      if (!NO_CONTROLS.test(user) || !NO_CONTROLS.test(password)) return fail(read, 'basic:<user>:<password> must hold no control characters');
      return { kind, user, password };
    }
    case 'header': {
      const split = rest.indexOf(':');
      const name = split < 0 ? rest : rest.slice(0, split);
      const value = split < 0 ? '' : rest.slice(split + 1).trim();
      if (!TOKEN.test(name)) return fail(read, 'header:<Name>:<value> needs a header name of letters, digits and !#$%&\'*+-.^_`|~, then a colon');
      if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
        // The name is a fixed word of the list, safe to show; the value never is.
        return fail(read, `header:<Name>:<value> may not set ${name.toLowerCase()}: it controls the connection or the body, not who we are`);
      }
      if (!value || !FIELD_VALUE.test(value)) return fail(read, 'header:<Name>:<value> needs a value without line breaks or control characters');
      return { kind, name, value };
    }
    default:
      return fail(read, `must be ${AUTH_FORMS}`);
  }
}

function fail(read: SettingsReader, problem: string): null {
  read.report(VERIFY_AUTH, problem);
  return null;
}

function readClientCertificate(read: SettingsReader): WebServiceSettings['clientCertificate'] {
  const certFile = read.existingFile(VERIFY_CLIENT_CERT_FILE);
  const keyFile = read.existingFile(VERIFY_CLIENT_KEY_FILE);
  const certSet = read.optional(VERIFY_CLIENT_CERT_FILE) !== undefined;
  const keySet = read.optional(VERIFY_CLIENT_KEY_FILE) !== undefined;
  if (certSet !== keySet) {
    const [missing, present] = certSet ? [VERIFY_CLIENT_KEY_FILE, VERIFY_CLIENT_CERT_FILE] : [VERIFY_CLIENT_CERT_FILE, VERIFY_CLIENT_KEY_FILE];
    read.report(missing, `is required with ${present}: mutual TLS needs both the certificate and its private key`);
    return null;
  }
  return certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : null;
}

