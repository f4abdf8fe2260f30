import type { HashFormat } from '../../format.js';

/** Windows, directory, database and network-gear formats: NT and LM hashes, MS Cache v1/v2, Oracle 10g/11g, Cisco (issue 13). Tried in this order, after the formats before them in DEFAULT_FORMATS. */
export const WINDOWS_FORMATS: readonly HashFormat[] = [];
