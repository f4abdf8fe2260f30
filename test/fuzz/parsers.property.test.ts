import assert from 'node:assert/strict';
import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import { createPasswordVerifier, HashError, HashErrorCode, type PasswordVerifier, type StoredHash } from '../../src/legacy/hashes/index.js';
import {
  createCallerTokenVerifier,
  decryptPasswordContext,
  loadKeyRing,
  remoteDecryptionKey,
  SecurityError,
  SecurityErrorCode,
  type CallerTokenVerifier,
  type GeneratedDecryptionKey,
  type KeyRing,
  type KeyUnwrapper,
} from '../../src/security/index.js';
import { decryptJweContent, jweParts } from '../../src/security/jwe-content.js';
import { claimsOfUnsignedJwt } from '../../src/security/unsigned-jwt.js';
import { FAMILY_VECTORS, VECTORS, passwordOf, type HashVector } from '../legacy/hashes/vectors.js';
import { storedOf, withEncoding } from '../legacy/hashes/vector-schemes.js';
import { APP_ID, NOW, contextClaims, encryptTo, twoKeys, unsignedJwt } from '../security/support.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';
import { runsOf, seedOf } from './http-fuzz.js';

// Issue 15, "Fuzzing and hostile input": property tests of the parsers. Random and mutated input never makes a
// parser throw anything but its documented error, and never verifies. Seed printed; FUZZ_SEED replays, and FUZZ_RUNS
// scales every property's run count (the defaults below are for CI: the whole file takes about 20 s on 2 cores).
const SEED = seedOf(process.env);
const SCALE = runsOf(process.env, 10_000) / 10_000;
const runs = (ci: number) => Math.max(1, Math.round(ci * SCALE));
console.log(`parser properties: seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
const settings = (numRuns: number) => ({ seed: SEED, numRuns });

const CONTEXT_CODES = new Set<string>([
  SecurityErrorCode.CONTEXT_MALFORMED,
  SecurityErrorCode.CONTEXT_DECRYPT_FAILED,
  SecurityErrorCode.CONTEXT_TOO_LARGE,
  SecurityErrorCode.CONTEXT_EXPIRED,
  SecurityErrorCode.CONTEXT_NOT_YET_VALID,
  SecurityErrorCode.CONTEXT_AUDIENCE_MISMATCH,
]);
const TOKEN_CODES = new Set<string>(Object.values(SecurityErrorCode).filter((code) => code.startsWith('TOKEN_') || code === 'SIGNING_KEYS_UNAVAILABLE'));
const HASH_CODES = new Set<string>([HashErrorCode.HASH_FORMAT_UNSUPPORTED, HashErrorCode.HASH_MALFORMED, HashErrorCode.HASH_PARAMS_OVER_LIMIT, HashErrorCode.HASH_SCHEME_UNKNOWN]);

/** The rejection is a SecurityError with one of `codes`, and neither of its messages quotes `secret`. */
function assertSecurityError(error: unknown, codes: Set<string>, secret: string): void {
  assert.ok(error instanceof SecurityError, `not a SecurityError: ${String((error as Error)?.stack ?? error).slice(0, 400)}`);
  assert.ok(codes.has(error.code), `undocumented code ${error.code}`);
  assert.ok(!error.message.includes(secret) && !error.publicMessage.includes(secret), 'the error quotes the secret');
}

// Mutations of a string: what a corrupted database row, a truncated transfer or an attacker's edit does to it.
const stringMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), text: fc.oneof(fc.string({ minLength: 1, maxLength: 3 }), fc.constantFrom('.', '$', '=', '{', '}', ':', '*', '!', '0', '9', '/', '+', '-', '_', '\u0000', 'é')) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom('0', '1', '31', '99', '4294967296', '99999999999999999999', '-1', '1e9', '0x10'), fc.nat().map(String)) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 40 }) }),
  fc.record({ kind: fc.constant('case' as const) }),
);
type StringMutation = typeof stringMutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutation: StringMutation): string {
  const at = 'at' in mutation ? mutation.at % Math.max(1, text.length) : 0;
  switch (mutation.kind) {
    case 'flip':
      return text.slice(0, at) + mutation.text + text.slice(at + 1);
    case 'truncate':
      return text.slice(0, at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + 1);
    case 'insert':
      return text.slice(0, at) + mutation.text + text.slice(at);
    case 'number': {
      // Replaces the digit run nearest `at` (a cost, a round count, a length) with another number.
      const runs = [...text.matchAll(/\d+/g)];
      if (runs.length === 0) return text + mutation.value;
      const run = runs[mutation.at % runs.length]!;
      return text.slice(0, run.index) + mutation.value + text.slice(run.index! + run[0].length);
    }
    case 'repeat':
      return text.slice(0, at) + text.slice(at, at + 8).repeat(mutation.times) + text.slice(at + 8);
    case 'case':
      return text === text.toUpperCase() ? text.toLowerCase() : text.toUpperCase();
  }
}
const mutations = fc.array(stringMutation, { minLength: 1, maxLength: 3 });
const applyAll = (text: string, list: StringMutation[]) => list.reduce(mutate, text);

const base64urlText = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'), maxLength: 400 });
const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), base64urlText, fc.string({ unit: 'grapheme', maxLength: 100 }));
/** JSON text as the header or payload of a token, base64url-encoded: to reach past the base64 checks into the JSON ones. */
const encodedJson = fc.oneof(fc.json({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify({ alg: 'none', ...(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { x: value }) }))).map((json) => Buffer.from(json).toString('base64url'));

/** A Key Vault `unwrapKey` in process (RSA-OAEP with the test's key), refusing what is not its own with a 400 as the vault does. */
function vaultOf(privateKeyPem: string): KeyUnwrapper {
  const key = createPrivateKey(privateKeyPem);
  return {
    async unwrapKey(algorithm, encryptedKey) {
      try {
        return { result: privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSA-OAEP-256' ? 'sha256' : 'sha1' }, encryptedKey) };
      } catch {
        throw Object.assign(new Error('BadParameter'), { statusCode: 400 });
      }
    },
  };
}

describe('the JWE compact form and the unsigned JWT inside (security/password-context.ts)', () => {
  const PASSWORD = 'Fuzz-Secret-Password-31!';
  let key: GeneratedDecryptionKey;
  let rings: { local: KeyRing; vault: KeyRing };
  const valid: string[] = [];

  before(async () => {
    [key] = (await twoKeys()) as [GeneratedDecryptionKey];
    rings = {
      local: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'fuzz' }]),
      vault: loadKeyRing([], [remoteDecryptionKey({ keyId: 'https://fuzz.vault.azure.net/keys/jit/0123456789abcdef0123456789abcdef', unwrapper: vaultOf(key.privateKeyPem), certificatePem: key.certificatePem })]),
    };
    const plaintext = unsignedJwt(contextClaims({ 'user-password': PASSWORD }));
    for (const [alg, enc, zip] of [['RSA-OAEP', 'A128CBC-HS256', true], ['RSA-OAEP-256', 'A256GCM', false], ['RSA-OAEP', 'A256CBC-HS512', false], ['RSA-OAEP-256', 'A128GCM', true]] as const) {
      valid.push(await encryptTo(key.certificatePem, plaintext, { alg, enc, zip, x5t: key.x5t }));
    }
  });

  const decrypt = (jwe: string, ring: 'local' | 'vault') => decryptPasswordContext(jwe, { keyRing: rings[ring], expectedAudience: APP_ID, now: NOW, remoteTimeoutInMs: 500 });

  test('random strings: rejected with a CONTEXT_* SecurityError, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyText, fc.tuple(encodedJson, base64urlText, base64urlText, base64urlText, base64urlText).map((parts) => parts.join('.'))), fc.constantFrom('local' as const, 'vault' as const), async (jwe, ring) => {
        await decrypt(jwe, ring).then(
          () => assert.fail('a random string decrypted'),
          (error) => assertSecurityError(error, CONTEXT_CODES, PASSWORD),
        );
      }),
      settings(runs(1_500)),
    );
  });

  test('mutated valid JWEs: a CONTEXT_* SecurityError, or (a mutation that changes no decoded byte) the very same context', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutations, fc.constantFrom('local' as const, 'vault' as const), async (which, list, ring) => {
        const jwe = applyAll(valid[which % valid.length]!, list);
        await decrypt(jwe, ring).then(
          (context) => {
            // base64url's last character carries unused bits: changing only those leaves every byte, and the tag, intact.
            assert.equal(context.password, PASSWORD);
            assert.equal(context.nonce, 'nonce-123');
          },
          (error) => assertSecurityError(error, CONTEXT_CODES, PASSWORD),
        );
      }),
      settings(runs(1_500)),
    );
  });

  test('one JWE with another JWE\'s part swapped in: never decrypts to anything but a refusal or its own context', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.nat({ max: 4 }), async (a, b, part) => {
        const target = valid[a % valid.length]!.split('.');
        const donor = valid[b % valid.length]!.split('.');
        if (target.join('.') === donor.join('.')) return;
        target[part] = donor[part]!;
        await decrypt(target.join('.'), 'local').then(
          () => assert.fail('a spliced JWE decrypted'),
          (error) => assertSecurityError(error, CONTEXT_CODES, PASSWORD),
        );
      }),
      settings(runs(300)),
    );
  });

  test('jweParts never throws; decryptJweContent throws only its two documented errors (Error("decrypt"), RangeError)', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.tuple(encodedJson, base64urlText, base64urlText, base64urlText, base64urlText).map((parts) => parts.join('.'))), fc.uint8Array({ maxLength: 80 }), (jwe, contentKey) => {
        const parts = jweParts(jwe);
        if (parts === null) return;
        try {
          decryptJweContent(parts, contentKey, 16 * 1024);
          assert.fail('random content decrypted');
        } catch (error) {
          assert.ok(error instanceof RangeError || (error instanceof Error && error.message === 'decrypt'), String(error));
        }
      }),
      settings(runs(3_000)),
    );
  });

  test('the unsigned JWT parser: a claims object or CONTEXT_MALFORMED, for random and mutated JWTs', () => {
    const jwt = unsignedJwt(contextClaims({ 'user-password': PASSWORD }));
    fc.assert(
      fc.property(fc.oneof(anyText, mutations.map((list) => applyAll(jwt, list)), fc.tuple(encodedJson, encodedJson).map(([header, payload]) => `${header}.${payload}.`)), (text) => {
        try {
          const claims = claimsOfUnsignedJwt(text);
          assert.ok(typeof claims === 'object' && claims !== null && !Array.isArray(claims));
        } catch (error) {
          assertSecurityError(error, new Set([SecurityErrorCode.CONTEXT_MALFORMED]), PASSWORD);
        }
      }),
      settings(runs(5_000)),
    );
  });
});

describe('the caller token (security/caller-token.ts)', () => {
  let tenant: EmulatedTenant;
  let verifier: CallerTokenVerifier;
  let token: string;

  before(async () => {
    tenant = await createTenant();
    verifier = createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource: tenantSigningKeys(tenant).keySource });
    token = await mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() });
    await verifier.verify(`Bearer ${token}`); // the unmutated token passes: the mutations below start from a valid one
  });

  const decodedParts = (jwt: string) => jwt.split('.').slice(0, 2).map((part) => Buffer.from(part, 'base64url').toString('hex'));

  test('random Authorization headers: rejected with a TOKEN_* SecurityError, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyText, fc.tuple(encodedJson, encodedJson, base64urlText).map((parts) => `Bearer ${parts.join('.')}`)), async (header) => {
        await verifier.verify(header).then(
          () => assert.fail('a random header passed'),
          (error) => assertSecurityError(error, TOKEN_CODES, token),
        );
      }),
      settings(runs(2_000)),
    );
  });

  test('mutated valid tokens: refused with a TOKEN_* code, unless no decoded byte changed', async () => {
    await fc.assert(
      fc.asyncProperty(mutations, async (list) => {
        const mutated = applyAll(token, list);
        await verifier.verify(`Bearer ${mutated}`).then(
          () => {
            assert.deepEqual(decodedParts(mutated), decodedParts(token), 'a token with other claims passed');
          },
          (error) => assertSecurityError(error, TOKEN_CODES, token),
        );
      }),
      settings(runs(1_500)),
    );
  });
});

describe('every hash format through the registry (legacy/hashes)', () => {
  let verifier: PasswordVerifier;
  /** Ceilings low enough that a mutated cost cannot make one check take long: over them is HASH_PARAMS_OVER_LIMIT. */
  const LIMITS = { bcryptCost: 8, pbkdf2Iterations: 100_000, argon2MemoryKiB: 65_536, argon2TimeCost: 4, argon2Parallelism: 4, scryptN: 2 ** 15, scryptR: 8, scryptP: 2, cryptRounds: 20_000 };
  const SCHEMES = [...new Set(FAMILY_VECTORS.map((vector) => vector.format))];
  /** Every vector as a store would hand it over, with its password. */
  const stored: { stored: StoredHash; password: string }[] = [
    ...VECTORS.map((vector: HashVector) => ({ stored: withEncoding(vector, storedOf(vector)), password: passwordOf(vector) })),
    ...FAMILY_VECTORS.filter((vector) => !vector.malformed && !vector.disabled).map((vector) => ({
      stored: { hash: vector.hash, scheme: vector.format, ...(vector.params && { params: vector.params }) },
      password: passwordOf(vector),
    })),
  ];
  /** A password no vector has: long, with characters none of them uses. */
  const randomPassword = fc.string({ minLength: 1, maxLength: 40 }).map((text) => `fuzz-§-${text}`);

  before(() => {
    // A cheap stand-in, so that the dummy check a refused hash pays does not dominate the run.
    verifier = createPasswordVerifier({ limits: LIMITS, hashDefaults: { scheme: 'digest', params: { algorithm: 'sha256' } } });
  });
  after(() => verifier.close());

  /** A HashError with a documented code that does not quote `password` (when there is one). */
  const refusedAsDocumented = (error: unknown, password?: string) => {
    assert.ok(error instanceof HashError, `not a HashError: ${String((error as Error)?.stack ?? error).slice(0, 400)}`);
    assert.ok(HASH_CODES.has(error.code), `undocumented code ${error.code}`);
    if (password !== undefined) assert.ok(!error.message.includes(password) && !error.publicMessage.includes(password), 'the error quotes the password');
  };

  test('identify(random string): null, a format, or a HashError with a documented code', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.constantFrom('$2', '$argon2id$', '$6$', '$1$', '$P$', 'pbkdf2_sha256$', '{SSHA}', '{CRYPT}', 'sha1$', '$scrypt$', '*', 'md5', 'SCRAM-SHA-256$', '$5$rounds=').chain((prefix) => anyText.map((rest) => prefix + rest))), (hash) => {
        try {
          const identity = verifier.identify(hash);
          assert.ok(identity === null || typeof identity.format === 'string');
        } catch (error) {
          refusedAsDocumented(error);
        }
      }),
      settings(runs(5_000)),
    );
  });

  test('identify(mutated vector): null, a format, or a HashError with a documented code', () => {
    fc.assert(
      fc.property(fc.nat(), mutations, (which, list) => {
        const hash = applyAll(stored[which % stored.length]!.stored.hash, list);
        try {
          verifier.identify(hash);
        } catch (error) {
          refusedAsDocumented(error);
        }
      }),
      settings(runs(5_000)),
    );
  });

  test('a random password against every vector, named schemes included: false, or a documented HashError — never a match', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), randomPassword, async (which, password) => {
        const entry = stored[which % stored.length]!;
        await verifier.verify(password, entry.stored).then(
          (matches) => {
            checked++;
            assert.equal(matches, false, `${password.length}-character random password matched ${entry.stored.scheme ?? entry.stored.hash.slice(0, 12)}`);
          },
          (error) => refusedAsDocumented(error, password),
        );
      }),
      settings(runs(250)),
    );
    // Only vectors over this file's low cost ceilings are refused (HASH_PARAMS_OVER_LIMIT); most are really checked.
    assert.ok(checked >= runs(250) / 2, `only ${checked} vectors reached a check`);
  });

  test('mutated vectors (hash, scheme and params): false, or a documented HashError — never a match, never another error', async () => {
    const hostileParam = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 2 ** 40, Number.NaN, 1e308, '', 'x'.repeat(10_000), null, { length: 99 }));
    const paramMutation = fc.oneof(
      fc.constant(null),
      fc.record({ key: fc.oneof(fc.constantFrom('salt', 'iterations', 'algorithm', 'digest', 'rounds', 'memCost', 'N', 'r', 'p', 'encoding', 'saltPosition', 'passwordEncoding', 'pre', 'pepper', 'key', '__proto__', 'memory', 'parallelism', 'type', 'version'), fc.string({ maxLength: 8 })), value: hostileParam }),
    );
    // Mostly the vector's own scheme (so the mutated hash reaches its parser), sometimes another one.
    const otherScheme = fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...SCHEMES, 'bcrypt', 'digest', 'hmac', 'pbkdf2', 'nope') });
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(stringMutation, { maxLength: 2 }), fc.option(paramMutation, { freq: 2 }), otherScheme, randomPassword, async (which, list, param, scheme, password) => {
        const entry = stored[which % stored.length]!;
        const params: Record<string, unknown> = { ...entry.stored.params };
        if (param) Object.defineProperty(params, param.key, { value: param.value, enumerable: true, writable: true, configurable: true });
        const mutated: StoredHash = { hash: applyAll(entry.stored.hash, list), ...((scheme ?? entry.stored.scheme) !== undefined && { scheme: scheme ?? entry.stored.scheme }), params };
        await verifier.verify(password, mutated).then(
          (matches) => {
            checked++;
            assert.equal(matches, false, 'a random password matched a mutated hash');
          },
          (error) => refusedAsDocumented(error, password),
        );
      }),
      settings(runs(600)),
    );
    // Not vacuous: a share of the mutated hashes still parsed and were really checked (most are refused: parsing is strict).
    assert.ok(checked >= runs(600) / 20, `only ${checked} mutated hashes reached a check`);
  });

  test('a vector still verifies its own password after the runs (the properties above are not vacuous)', async () => {
    const bcrypt = stored.find((entry) => entry.stored.hash.startsWith('$2a$05$'))!;
    assert.equal(await verifier.verify(bcrypt.password, bcrypt.stored), true);
  });
});
