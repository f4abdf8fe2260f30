import type { HashFormat } from '../../format.js';
import { bsdiCryptFormat } from './bsdi-crypt.js';
import { bigcrypt, crypt16 } from './des-family.js';
import { disabled } from './disabled.js';
import { sha1Crypt } from './sha1-crypt.js';
import { sunMd5Crypt } from './sun-md5-crypt.js';

/** The rest of the Unix crypt(3) family and the disabled-password markers (issue 13). Tried in this order, after the formats before them in DEFAULT_FORMATS. */
/** BSDi extended DES (`_` + 4 rounds + 4 salt + 11 characters), computed in the worker pool. */
const bsdiCrypt = bsdiCryptFormat((password, expected, runInWorker) => runInWorker({ kind: 'bsdi-crypt', password, expected }));

export const UNIX_CRYPT_FORMATS: readonly HashFormat[] = [sha1Crypt, sunMd5Crypt, bsdiCrypt, disabled, bigcrypt, crypt16];
