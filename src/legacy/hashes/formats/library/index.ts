import type { HashFormat } from '../../format.js';

/** Library-specific formats: passlib, FSHP, GRUB, plaintext (issue 13). Tried in this order, after the formats before them in DEFAULT_FORMATS. */
export const LIBRARY_FORMATS: readonly HashFormat[] = [];
