import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';

/**
 * `crypt$<salt>$<DES crypt>`: the salt field is empty (Django 1.4+) or starts with the crypt's two salt characters
 * (older Django wrote a 5-character salt of which crypt used two; passlib reads both).
 */
const SHAPE = /^crypt\$([./A-Za-z0-9]*)\$([./A-Za-z0-9]{2})[./A-Za-z0-9]{11}$/;

/**
 * Django's CryptPasswordHasher (passlib `django_des_crypt`): traditional DES crypt(3) behind `crypt$`, so only the
 * first 8 bytes of the password count. Computed in the worker pool (compute/des-crypt.ts).
 *
 * @example
 *   'crypt$$MEJB9XoXpv3IQ'    // "test", as Django writes it
 *   'crypt$ME$MEJB9XoXpv3IQ'  // the same, as passlib writes it
 */
export const djangoDesCrypt: HashFormat = {
  id: 'django-des-crypt',
  origin: 'Django CryptPasswordHasher (crypt$, Unix only, removed in Django 4.1)',
  matches: (hash) => hash.startsWith('crypt$'),
  prepare(stored) {
    const match = SHAPE.exec(stored.hash);
    if (!match) throw malformed('Django crypt', 'expected crypt$$ followed by a 13-character DES crypt');
    if (match[1] !== '' && match[1]!.slice(0, 2) !== match[2]) throw malformed('Django crypt', 'the salt field does not start with the salt of the crypt');
    const expected = stored.hash.slice(-13);
    return {
      params: {},
      verify: (password, runInWorker) => runInWorker({ kind: 'des-crypt', password: password.bytes, expected }),
    };
  },
};
