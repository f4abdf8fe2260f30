import type { HashFormat } from '../format.js';
import { argon2 } from './argon2.js';
import { bcrypt } from './bcrypt.js';
import { aspnetIdentity, aspnetMembership, mssql } from './microsoft.js';
import { hmac, keycloak, magento2 } from './configured.js';
import { desCryptScheme, firebaseScrypt, keycloakArgon2, mysql323, pbkdf2, scryptRaw, symfonyDigest } from './configured-kdf.js';
import { digest } from './digest.js';
import { djangoPbkdf2 } from './django-pbkdf2.js';
import { atlassianPkcs5s2, ldapDigest, ldapPbkdf2 } from './ldap.js';
import { md5Crypt } from './md5-crypt.js';
import { passlibPbkdf2 } from './passlib-pbkdf2.js';
import { colonPbkdf2, springPbkdf2, springSha256, werkzeugPbkdf2 } from './pbkdf2-family.js';
import { phpass } from './phpass.js';
import { djangoLegacy, mysql41, postgresMd5, werkzeugLegacy } from './salted-digests.js';
import { postgresScram } from './scram.js';
import { scrypt } from './scrypt.js';
import { shaCrypt } from './sha-crypt.js';
import { LIBRARY_FORMATS } from './library/index.js';
import { UNIX_CRYPT_FORMATS } from './unix-crypt/index.js';
import { WINDOWS_FORMATS } from './windows/index.js';
import { djangoBcryptSha256, passlibBcryptSha256, prefixed, springNoop, wordpressBcrypt } from './wrapped.js';

/**
 * Every format. Self-describing ones are tried in this order (the first whose shape matches wins, so a more
 * specific prefix comes before a general one); configured schemes (`matches` always false) are only named.
 */
export const DEFAULT_FORMATS: readonly HashFormat[] = [
  bcrypt,
  argon2,
  shaCrypt,
  md5Crypt,
  phpass,
  wordpressBcrypt,
  passlibBcryptSha256,
  djangoBcryptSha256,
  prefixed,
  springNoop,
  springPbkdf2,
  springSha256,
  djangoPbkdf2,
  passlibPbkdf2,
  djangoLegacy,
  scrypt,
  ldapDigest,
  ldapPbkdf2,
  atlassianPkcs5s2,
  aspnetIdentity,
  mssql,
  mysql41,
  postgresMd5,
  postgresScram,
  ...UNIX_CRYPT_FORMATS,
  ...LIBRARY_FORMATS,
  ...WINDOWS_FORMATS,
  colonPbkdf2,
  werkzeugPbkdf2,
  magento2,
  digest,
  hmac,
  keycloak,
  werkzeugLegacy,
  aspnetMembership,
  pbkdf2,
  scryptRaw,
  firebaseScrypt,
  symfonyDigest,
  mysql323,
  keycloakArgon2,
  desCryptScheme,
];
