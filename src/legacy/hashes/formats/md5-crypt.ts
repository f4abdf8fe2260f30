import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';

const SHAPE = /^(\$1\$|\$apr1\$)([!-#%-~]{0,8})\$([./0-9A-Za-z]{22})$/;

/** md5-crypt `$1$` (FreeBSD/Linux crypt(3), Cisco) and Apache's `$apr1$` (.htpasswd); computed in the worker pool. */
export const md5Crypt: HashFormat = {
  id: 'md5-crypt',
  origin: 'FreeBSD md5-crypt (crypt(3) $1$), Apache htpasswd $apr1$',
  matches: (hash) => hash.startsWith('$1$') || hash.startsWith('$apr1$'),
  prepare(stored) {
    const match = SHAPE.exec(stored.hash);
    if (!match) throw malformed('md5-crypt', 'expected $1$<salt up to 8>$<22 characters>');
    const magic = match[1] as '$1$' | '$apr1$';
    const salt = match[2]!;
    const expected = match[3]!;
    return {
      params: { variant: magic === '$1$' ? 'md5-crypt' : 'apr1' },
      verify: (password, runInWorker) => runInWorker({ kind: 'md5-crypt', magic, password: password.bytes, salt, expected }),
    };
  },
};
