import type { HashFormat } from '../../format.js';
import { bigcrypt, crypt16 } from './des-family.js';
import { disabled } from './disabled.js';
import { sha1Crypt } from './sha1-crypt.js';
import { sunMd5Crypt } from './sun-md5-crypt.js';

/** The rest of the Unix crypt(3) family and the disabled-password markers (issue 13). Tried in this order, after the formats before them in DEFAULT_FORMATS. */
export const UNIX_CRYPT_FORMATS: readonly HashFormat[] = [sha1Crypt, sunMd5Crypt, disabled, bigcrypt, crypt16];
