import type { HashFormat } from '../../format.js';
import { djangoDesCrypt } from './django-des-crypt.js';
import { fshp } from './fshp.js';
import { grubPbkdf2 } from './grub.js';
import { ctaPbkdf2Sha1, dlitzPbkdf2Sha1 } from './p5k2.js';
import { passlibScram } from './passlib-scram.js';
import { htdigest } from './htdigest.js';
import { plaintext, roundupPlaintext } from './plaintext.js';

/**
 * Library-specific formats: passlib, FSHP, GRUB, plaintext, Roundup, htdigest (issue 13). Tried in this order, after the formats before
 * them in DEFAULT_FORMATS. cta's `$p5k2$` shape comes before dlitz's, which claims every other `$p5k2$` string.
 */
export const LIBRARY_FORMATS: readonly HashFormat[] = [djangoDesCrypt, grubPbkdf2, ctaPbkdf2Sha1, dlitzPbkdf2Sha1, fshp, passlibScram, roundupPlaintext, plaintext, htdigest];
