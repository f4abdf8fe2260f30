import type { HashFormat } from '../format.js';
import { argon2 } from './argon2.js';
import { bcrypt } from './bcrypt.js';
import { digest } from './digest.js';
import { djangoPbkdf2 } from './django-pbkdf2.js';
import { passlibPbkdf2 } from './passlib-pbkdf2.js';
import { shaCrypt } from './sha-crypt.js';

/** Every format, self-describing ones first in the order they are tried; configured schemes are only named. */
export const DEFAULT_FORMATS: readonly HashFormat[] = [bcrypt, argon2, shaCrypt, djangoPbkdf2, passlibPbkdf2, digest];
