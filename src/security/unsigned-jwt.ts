import { SecurityError, SecurityErrorCode } from './errors.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The claims of an unsecured JWT (RFC 7519 §6: header `alg: none`, empty signature), which is what Entra encrypts
 * inside `encryptedPasswordContext`. The JWE around it is what protects it; this only parses, strictly: two or
 * three base64url parts, the last empty, a JSON object header with `alg: none` and a JSON object payload.
 *
 * @example
 *   claimsOfUnsignedJwt('eyJhbGciOiJub25lIn0.eyJub25jZSI6IngifQ.') // { nonce: 'x' }
 */
export function claimsOfUnsignedJwt(text: string): Record<string, unknown> {
  const parts = text.split('.');
  if ((parts.length !== 3 && parts.length !== 2) || (parts.length === 3 && parts[2] !== '')) {
    throw malformed('The decrypted password context is not an unsigned JWT.');
  }
  const header = jsonObjectOf(parts[0]!, 'header');
  if (header.alg !== 'none') throw malformed('The decrypted password context is not an unsigned JWT (alg is not "none").');
  return jsonObjectOf(parts[1]!, 'payload');
}

function jsonObjectOf(part: string, what: string): Record<string, unknown> {
  if (part === '' || !BASE64URL.test(part)) throw malformed(`The password context's ${what} is not base64url.`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`The password context's ${what} is not JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`The password context's ${what} is not a JSON object.`);
  return value as Record<string, unknown>;
}

function malformed(message: string): SecurityError {
  return new SecurityError(SecurityErrorCode.CONTEXT_MALFORMED, 'The password context is malformed.', { detail: message });
}
