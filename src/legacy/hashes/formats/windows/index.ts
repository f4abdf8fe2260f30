import type { HashFormat } from '../../format.js';
import { ciscoAsa, ciscoPix, ciscoType7 } from './cisco.js';
import { lmhash } from './lm.js';
import { bsdNthash, hexMd4, msdcc, msdcc2, nthash } from './nt.js';
import { oracle10, oracle11 } from './oracle.js';

/** Windows, directory, database and network-gear formats: NT and LM hashes, MS Cache v1/v2, Oracle 10g/11g, Cisco (issue 13). Tried in this order, after the formats before them in DEFAULT_FORMATS. */
export const WINDOWS_FORMATS: readonly HashFormat[] = [bsdNthash, oracle11, nthash, hexMd4, msdcc, msdcc2, lmhash, oracle10, ciscoPix, ciscoAsa, ciscoType7];
