import type { HashFormat } from '../../format.js';

/** The rest of the Unix crypt(3) family and the disabled-password markers (issue 13). Tried in this order, after the formats before them in DEFAULT_FORMATS. */
export const UNIX_CRYPT_FORMATS: readonly HashFormat[] = [];
