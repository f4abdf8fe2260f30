import type { StoredHash } from '../../../src/legacy/hashes/index.js';
import type { HashVector } from './vectors.js';

/**
 * How each vector format is handed to the verifier: `{ hash }` alone for self-describing formats, or the scheme and
 * params a legacy store would give for configured ones. A format missing here is not supported yet and is listed
 * in NOT_YET with the reason, so the count of what is covered is honest.
 */
export const SCHEMES: Record<string, (vector: HashVector) => StoredHash> = {
  'md5-hex': (v) => ({ hash: v.hash, scheme: 'digest', params: { algorithm: 'md5' } }),
  'sha1-hex': (v) => ({ hash: v.hash, scheme: 'digest', params: { algorithm: 'sha1' } }),
  'sha256-hex': (v) => ({ hash: v.hash, scheme: 'digest', params: { algorithm: 'sha256' } }),
  'sha512-hex': (v) => ({ hash: v.hash, scheme: 'digest', params: { algorithm: 'sha512' } }),
  'django-unsalted_md5': (v) => ({ hash: v.hash, scheme: 'digest', params: { algorithm: 'md5' } }),
  'joomla-md5-salt': (v) => split(v, 'md5', 'suffix'),
  'md5(salt.pass)-magento1': (v) => split(v, 'md5', 'prefix'),
  'postgres-md5': (v) => ({ hash: v.hash, params: { username: String(v.params?.username) } }),
  'werkzeug-legacy-md5': (v) => ({ hash: v.hash, scheme: 'werkzeug-legacy' }),
  'werkzeug-legacy-sha256': (v) => ({ hash: v.hash, scheme: 'werkzeug-legacy' }),
  'bcrypt(md5(pass))': (v) => ({ hash: v.hash, params: { pre: [{ algorithm: 'md5', encoding: 'hex' }] } }),
  'bcrypt(sha1(pass))': (v) => ({ hash: v.hash, params: { pre: [{ algorithm: 'sha1', encoding: 'hex' }] } }),
  'devise-bcrypt-pepper': (v) => ({ hash: v.hash, params: { pepper: String(v.params?.pepper) } }),
  'aspnet-membership-sha1': (v) => membership(v, 'sha1'),
  'aspnet-membership-sha256': (v) => membership(v, 'sha256'),
  'keycloak-pbkdf2-sha256': (v) => {
    const outer = JSON.parse(v.hash) as { secretData: string; credentialData: string };
    const secret = JSON.parse(outer.secretData) as { value: string; salt: string };
    const credential = JSON.parse(outer.credentialData) as { hashIterations: number; algorithm: string };
    return { hash: secret.value, scheme: 'keycloak', params: { salt: secret.salt, iterations: credential.hashIterations, algorithm: credential.algorithm } };
  },
  'pbkdf2-raw-rfc6070': (v) => ({ hash: v.hash, scheme: 'pbkdf2', params: { salt: v.params?.salt, iterations: v.params?.iterations, digest: v.params?.prf } }),
  'symfony-pbkdf2': (v) => ({ hash: v.hash, scheme: 'pbkdf2', params: { salt: v.params?.salt, iterations: v.params?.iterations, digest: v.params?.algorithm, encoding: 'base64' } }),
  'scrypt-raw-rfc7914': (v) => ({ hash: v.hash, scheme: 'scrypt-raw', params: { salt: v.params?.salt, N: v.params?.N, r: v.params?.r, p: v.params?.p } }),
  'firebase-scrypt': (v) => ({
    hash: v.hash,
    scheme: 'firebase-scrypt',
    params: { salt: v.params?.salt_b64, signerKey: v.params?.signer_key_b64, saltSeparator: v.params?.salt_separator_b64, rounds: v.params?.rounds, memCost: v.params?.mem_cost },
  }),
  'symfony-messagedigest-sha512': (v) => ({ hash: v.hash, scheme: 'symfony-digest', params: { salt: v.params?.salt, algorithm: v.params?.algorithm, iterations: v.params?.iterations } }),
  'okta-sha512-postfix': (v) => ({ hash: v.hash, scheme: 'digest', params: { algorithm: 'sha512', salt: v.params?.salt, saltEncoding: 'base64', saltPosition: 'suffix', encoding: 'base64' } }),
  mysql323: (v) => ({ hash: v.hash, scheme: 'mysql323' }),
  'des-crypt': (v) => ({ hash: v.hash, scheme: 'des-crypt' }),
  'keycloak-argon2': (v) => {
    const outer = JSON.parse(v.hash) as { secretData: string; credentialData: string };
    const secret = JSON.parse(outer.secretData) as { value: string; salt: string };
    const credential = JSON.parse(outer.credentialData) as { hashIterations: number; additionalParameters: Record<string, string[]> };
    const first = (name: string) => credential.additionalParameters[name]?.[0];
    return {
      hash: secret.value,
      scheme: 'keycloak-argon2',
      params: { salt: secret.salt, iterations: credential.hashIterations, memory: Number(first('memory')), parallelism: Number(first('parallelism')), type: first('type'), version: first('version') },
    };
  },
};
for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512']) {
  SCHEMES[`${algorithm}(pass.salt)`] = (v) => split(v, algorithm, 'suffix');
  SCHEMES[`${algorithm}(salt.pass)`] = (v) => split(v, algorithm, 'prefix');
  SCHEMES[`hmac-${algorithm}(key=pass)`] = (v) => ({ hash: v.hash.split(':')[0]!, scheme: 'hmac', params: { algorithm, salt: v.hash.split(':')[1], key: 'password' } });
  SCHEMES[`hmac-${algorithm}(key=salt)`] = (v) => ({ hash: v.hash.split(':')[0]!, scheme: 'hmac', params: { algorithm, salt: v.hash.split(':')[1], key: 'salt' } });
}

function split(vector: HashVector, algorithm: string, saltPosition: 'prefix' | 'suffix'): StoredHash {
  const [hash, salt] = vector.hash.split(':');
  return { hash: hash!, scheme: 'digest', params: { algorithm, salt, saltPosition } };
}

function membership(vector: HashVector, algorithm: string): StoredHash {
  const [, , salt, digest] = vector.hash.split('*');
  const padded = (text: string) => text + '='.repeat((4 - (text.length % 4)) % 4);
  return { hash: padded(digest!), scheme: 'aspnet-membership', params: { salt: padded(salt!), algorithm } };
}

/** Formats of the shared vectors not verified yet, and why. */
export const NOT_YET: Record<string, string> = {
};

export const storedOf = (vector: HashVector): StoredHash => SCHEMES[vector.format]?.(vector) ?? { hash: vector.hash };
/** Vectors whose password is not UTF-8 are checked with the Latin-1 encoding option: their bytes are the password. */
export const withEncoding = (vector: HashVector, stored: StoredHash): StoredHash =>
  vector.password_hex === undefined ? stored : { ...stored, params: { ...stored.params, passwordEncoding: 'latin1' } };

