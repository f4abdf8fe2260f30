import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createPasswordVerifier, HashErrorCode } from '../../../src/legacy/hashes/index.js';

const verifier = createPasswordVerifier();
after(() => verifier.close());

const malformedError = (error: { code?: string }) => error.code === HashErrorCode.HASH_MALFORMED;

/**
 * Correct hashes from passlib 1.7.4's unit tests, each with non-canonical forms of itself. The correct one is checked
 * first, so each refusal is of the change alone, not of a hash that never worked.
 */
const CASES: ReadonlyArray<{ name: string; password: string; hash: string; params?: Record<string, unknown>; noncanonical: Record<string, string> }> = [
  {
    name: 'sha512-crypt',
    password: '',
    hash: '$6$rounds=11021$KsvQipYPWpr93wWP$v7xjI4X6vyVptJjB1Y02vZC5SaSijBkGmq1uJhPr3cvqvvkd42Xvo48yLVPFt8dvhCsnlUgpX.//Cxn91H4qy1',
    noncanonical: {
      'rounds with a leading zero': '$6$rounds=011021$KsvQipYPWpr93wWP$v7xjI4X6vyVptJjB1Y02vZC5SaSijBkGmq1uJhPr3cvqvvkd42Xvo48yLVPFt8dvhCsnlUgpX.//Cxn91H4qy1',
      'a salt character libxcrypt refuses (:)': '$6$rounds=11021$KsvQipYPWpr9:wWP$v7xjI4X6vyVptJjB1Y02vZC5SaSijBkGmq1uJhPr3cvqvvkd42Xvo48yLVPFt8dvhCsnlUgpX.//Cxn91H4qy1',
      'a trailing character': '$6$rounds=11021$KsvQipYPWpr93wWP$v7xjI4X6vyVptJjB1Y02vZC5SaSijBkGmq1uJhPr3cvqvvkd42Xvo48yLVPFt8dvhCsnlUgpX.//Cxn91H4qy1.',
    },
  },
  {
    name: 'passlib pbkdf2',
    password: 'password',
    hash: '$pbkdf2$1212$OB.dtnSEXZK8U5cgxU/GYQ$y5LKPOplRmok7CZp/aqVDVg8zGI',
    noncanonical: {
      'rounds with a leading zero': '$pbkdf2$01212$OB.dtnSEXZK8U5cgxU/GYQ$y5LKPOplRmok7CZp/aqVDVg8zGI',
      'padding, which adapted base64 never writes': '$pbkdf2$1212$OB.dtnSEXZK8U5cgxU/GYQ==$y5LKPOplRmok7CZp/aqVDVg8zGI',
      'bits past the last byte (Q → R)': '$pbkdf2$1212$OB.dtnSEXZK8U5cgxU/GYR$y5LKPOplRmok7CZp/aqVDVg8zGI',
    },
  },
  {
    name: 'LDAP {PBKDF2-SHA256}',
    password: 'password',
    hash: '{PBKDF2-SHA256}1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ',
    noncanonical: {
      'rounds with a leading zero': '{PBKDF2-SHA256}01212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ',
      'a salt whose length no encoder writes': '{PBKDF2-SHA256}1212$4vjV83LKPjQzk31VI4E0V$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ',
    },
  },
  {
    name: 'LDAP {SSHA}',
    password: 'testing123',
    hash: '{SSHA}0c0blFTXXNuAMHECS4uxrj3ZieMoWImr',
    noncanonical: {
      'extra padding': '{SSHA}0c0blFTXXNuAMHECS4uxrj3ZieMoWImr==',
      'missing padding': '{SSHA}0c0blFTXXNuAMHECS4uxrj3ZieMoWIm',
      'padding inside': '{SSHA}0c0blFTXXNuAMHECS4u=rj3ZieMoWImr',
      'no salt behind the digest': '{SSHA}at+xg6SiyUovktq1redipHiJpaE=',
    },
  },
  {
    name: 'argon2i',
    password: 'password',
    hash: '$argon2i$v=19$m=256,t=1,p=1$c29tZXNhbHQ$AJFIsNZTMKTAewB4+ETN1A',
    noncanonical: {
      'a time cost with a leading zero': '$argon2i$v=19$m=256,t=01,p=1$c29tZXNhbHQ$AJFIsNZTMKTAewB4+ETN1A',
      'a time cost above 32 bits': '$argon2i$v=19$m=256,t=8589934592,p=1$c29tZXNhbHQ$AJFIsNZTMKTAewB4+ETN1A',
      'a salt under 8 bytes': '$argon2i$v=19$m=256,t=1,p=1$c29tZXNh$AJFIsNZTMKTAewB4+ETN1A',
      'padding, which PHC strings never write': '$argon2i$v=19$m=256,t=1,p=1$c29tZXNhbHQ=$AJFIsNZTMKTAewB4+ETN1A',
    },
  },
  {
    name: 'passlib scrypt',
    password: '',
    hash: '$scrypt$ln=4,r=1,p=1$$d9ZXYjhleyA7GcpCwYoEl/FrSETjB0ro39/6P+3iFEI',
    noncanonical: {
      'r with a leading zero': '$scrypt$ln=4,r=01,p=1$$d9ZXYjhleyA7GcpCwYoEl/FrSETjB0ro39/6P+3iFEI',
      'a padded key': '$scrypt$ln=4,r=1,p=1$$d9ZXYjhleyA7GcpCwYoEl/FrSETjB0ro39/6P+3iFEI=',
    },
  },
  {
    name: 'SQL Server 2005',
    password: 'TEST',
    hash: '0x010034767D5C2FD54D6119FFF04129A1D72E7C3194F7284A7F3A',
    noncanonical: {
      'the prefix in upper case (0X)': '0X010034767D5C2FD54D6119FFF04129A1D72E7C3194F7284A7F3A',
      'a character that is not hex': '0x010034767D5C2FD54D6119FFF04129A1D72E7C3194F7284A7F3G',
      'a trailing digit': '0x010034767D5C2FD54D6119FFF04129A1D72E7C3194F7284A7F3A0',
    },
  },
  {
    name: 'MySQL 4.1 (named)',
    password: 'mypass',
    hash: '*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4',
    noncanonical: {
      'a character that is not hex': '*6Z8989366EAF75BB670AD8EA7A7FC1176A95CEF4',
      'one digit short': '*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF',
    },
  },
];

describe('strict parsing: a hash not in its format\'s canonical form is HASH_MALFORMED, never verified', () => {
  for (const { name, password, hash, params, noncanonical } of CASES) {
    // Named, so a refusal is the format's own and not "no format has this shape".
    const scheme = name === 'MySQL 4.1 (named)' ? 'mysql41' : name === 'SQL Server 2005' ? 'mssql' : undefined;
    const stored = (text: string) => ({ hash: text, ...(scheme && { scheme }), ...(params && { params }) });
    test(`${name}: the canonical hash verifies`, async () => {
      assert.equal(await verifier.verify(password, stored(hash)), true);
    });
    for (const [change, text] of Object.entries(noncanonical)) {
      test(`${name}: ${change}`, async () => {
        await assert.rejects(verifier.verify(password, stored(text)), malformedError);
      });
    }
  }

  test('without a scheme, * and 39 hex digits is not read as a disabled account: it is a hash nobody can verify', async () => {
    assert.equal(verifier.identify('*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF'), null);
    await assert.rejects(verifier.verify('mypass', { hash: '*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF' }), (error: { code?: string }) => error.code === HashErrorCode.HASH_FORMAT_UNSUPPORTED);
  });

  test('OpenLDAP takes a salt of fewer than 4 bytes (hashcat mode 1411\'s example has 2), so this does too', async () => {
    assert.equal(await verifier.verify('hashcat', { hash: '{SSHA256}L5Wk0zPY2lmoR5pH20zngq37KkxFwgTquEhx95rxfVk3Ng==' }), true);
  });
});

describe('a locked account whose row names its scheme', () => {
  const SHA512_CRYPT = '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'; // "Hello world!"

  test('! before the hash is disabled, not malformed: the right password does not match, and nothing throws', async () => {
    assert.equal(await verifier.verify('Hello world!', { hash: SHA512_CRYPT, scheme: 'sha-crypt' }), true, 'the hash itself works');
    for (const hash of [`!${SHA512_CRYPT}`, `!!${SHA512_CRYPT}`, '!', '*LK*']) {
      assert.equal(await verifier.verify('Hello world!', { hash, scheme: 'sha-crypt' }), false, hash);
    }
    assert.equal(await verifier.verify('Hello world!', { hash: '!', scheme: 'digest', params: { algorithm: 'sha1' } }), false);
  });

  test('plaintext keeps its own ! and *: they can be the password', async () => {
    assert.equal(await verifier.verify('!secret*', { hash: '!secret*', scheme: 'plaintext' }), true);
    assert.equal(await verifier.verify('*', { hash: '*', scheme: 'plaintext' }), true);
  });

  test('disabled rows do not teach the verifier\'s stand-in: an unknown user still costs what the real hashes cost', async () => {
    const own = createPasswordVerifier();
    try {
      const argon2 = '$argon2i$v=19$m=256,t=1,p=1$c29tZXNhbHQ$AJFIsNZTMKTAewB4+ETN1A';
      assert.equal(await own.verify('password', { hash: argon2 }), true);
      for (let row = 0; row < 20; row += 1) assert.equal(await own.verify('password', { hash: row % 2 ? '!' : `!${argon2}` }), false);
      assert.match(own.dummyKind(), /^argon2/);
    } finally {
      await own.close();
    }
  });
});
