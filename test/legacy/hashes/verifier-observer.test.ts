/**
 * The verifier's observer, as `serve`'s metrics use it: each hash computed is reported with its time and its
 * catalogue format (stand-ins included), each check the gate turns away with why; without an observer the verifier
 * reads no clock at all.
 */
import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createPasswordVerifier, HashErrorCode, type PasswordVerifier } from '../../../src/legacy/hashes/index.js';
import type { HashCheckObserver } from '../../../src/legacy/hashes/verifier.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';

interface Reports {
  computed: Array<{ seconds: number; format: string }>;
  rejected: string[];
}

function recordingObserver(): { observer: HashCheckObserver; reports: Reports } {
  const reports: Reports = { computed: [], rejected: [] };
  return {
    reports,
    observer: {
      hashComputed: (seconds, format) => void reports.computed.push({ seconds, format }),
      checkRejected: (reason) => void reports.rejected.push(reason),
    },
  };
}

const verifiers: PasswordVerifier[] = [];
const opened = (verifier: PasswordVerifier) => (verifiers.push(verifier), verifier);
after(() => Promise.all(verifiers.map((verifier) => verifier.close())));

const djangoHash = (password: string) => `pbkdf2_sha256$1000$s4lt$${pbkdf2Sync(password, 's4lt', 1000, 32, 'sha256').toString('base64')}`;

describe('the hash verifier reports to its observer', () => {
  test('each real hash computed, with its catalogue format and a time no longer than the call took', async () => {
    const { observer, reports } = recordingObserver();
    const verifier = opened(createPasswordVerifier({ observer }));
    const hashes = [
      { format: 'bcrypt', hash: await bcryptHash(CANARY_PASSWORDS.correct, 10) },
      { format: 'argon2', hash: await argon2Hash(CANARY_PASSWORDS.correct, { memoryCost: 4096, timeCost: 2 }) },
      { format: 'django-pbkdf2', hash: djangoHash(CANARY_PASSWORDS.correct) },
    ];
    for (const { format, hash } of hashes) {
      const startedAt = performance.now();
      assert.equal(await verifier.verify(CANARY_PASSWORDS.correct, { hash }), true, format);
      assert.equal(await verifier.verify(CANARY_PASSWORDS.wrong, { hash }), false, format);
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const reported = reports.computed.splice(0);
      assert.deepEqual(reported.map((report) => report.format), [format, format], 'one report per check, named by the format');
      const total = reported.reduce((sum, report) => sum + report.seconds, 0);
      assert.ok(reported.every((report) => report.seconds > 0), `${format}: a positive time`);
      assert.ok(total <= wallSeconds, `${format}: ${total} s reported within the ${wallSeconds} s the calls took`);
    }
    assert.deepEqual(reports.rejected, []);
  });

  test('bcrypt at cost 10 takes milliseconds, not microseconds: the time is the hashing, not the hand-off', async () => {
    const { observer, reports } = recordingObserver();
    const verifier = opened(createPasswordVerifier({ observer }));
    await verifier.verify(CANARY_PASSWORDS.wrong, { hash: await bcryptHash(CANARY_PASSWORDS.correct, 10) });
    assert.ok(reports.computed[0]!.seconds > 0.005, `${reports.computed[0]!.seconds} s for 1024 rounds of bcrypt`);
  });

  test("stand-in checks (an unknown user, an uncheckable row) are reported under the stand-in's format", async () => {
    const { observer, reports } = recordingObserver();
    const verifier = opened(createPasswordVerifier({ observer }));
    await verifier.dummyVerify(CANARY_PASSWORDS.correct);
    assert.deepEqual(reports.computed.map((report) => report.format), ['bcrypt'], 'before any real hash: bcrypt cost 10');
    // Once the store's hashes are argon2, the stand-in is argon2 too.
    await verifier.verify(CANARY_PASSWORDS.wrong, { hash: await argon2Hash(CANARY_PASSWORDS.correct, { memoryCost: 4096, timeCost: 2 }) });
    await verifier.dummyVerify(CANARY_PASSWORDS.correct);
    await assert.rejects(verifier.verify(CANARY_PASSWORDS.correct, { hash: '{ROT13}nopqrs' }), (error: { code?: string }) => error.code === HashErrorCode.HASH_FORMAT_UNSUPPORTED);
    assert.deepEqual(reports.computed.map((report) => report.format), ['bcrypt', 'argon2', 'argon2', 'argon2']);
    assert.ok(verifier.dummyKind().startsWith('argon2 '));
  });

  test('a full queue reports busy, a waiter whose deadline passes reports expired; load() shows the gate', async () => {
    const { observer, reports } = recordingObserver();
    const verifier = opened(createPasswordVerifier({ observer, concurrency: 1, maxQueue: 1 }));
    const stored = { hash: await bcryptHash(CANARY_PASSWORDS.correct, 10) };
    const running = verifier.verify(CANARY_PASSWORDS.wrong, stored);
    const abort = new AbortController();
    const waiting = verifier.verify(CANARY_PASSWORDS.wrong, stored, { abortSignal: abort.signal });
    assert.deepEqual(verifier.load(), { running: 1, waiting: 1 });
    await assert.rejects(verifier.verify(CANARY_PASSWORDS.wrong, stored), (error: { code?: string }) => error.code === HashErrorCode.HASH_VERIFIER_BUSY);
    assert.deepEqual(reports.rejected, ['busy']);
    abort.abort(new Error('deadline'));
    await assert.rejects(waiting, /deadline/);
    assert.deepEqual(reports.rejected, ['busy', 'expired']);
    assert.equal(await running, false);
    assert.deepEqual(verifier.load(), { running: 0, waiting: 0 });
    assert.deepEqual(reports.computed.map((report) => report.format), ['bcrypt'], 'only the check that ran was hashed');
  });
});

describe('without an observer', () => {
  /** Counts performance.now() calls while `work` runs. */
  async function clockReadsDuring(work: () => Promise<unknown>): Promise<number> {
    const original = performance.now;
    let reads = 0;
    performance.now = () => {
      reads++;
      return original.call(performance);
    };
    try {
      await work();
    } finally {
      performance.now = original;
    }
    return reads;
  }

  test('the verifier reads no clock; with one it reads two per check (start and end)', async () => {
    const stored = [{ hash: await bcryptHash(CANARY_PASSWORDS.correct, 4) }, { hash: djangoHash(CANARY_PASSWORDS.correct) }];
    const silent = opened(createPasswordVerifier());
    const observed = opened(createPasswordVerifier({ observer: recordingObserver().observer }));
    for (const verifier of [silent, observed]) await verifier.verify(CANARY_PASSWORDS.correct, stored[1]!); // the worker is up
    const checks = async (verifier: PasswordVerifier) => {
      for (const hash of stored) await verifier.verify(CANARY_PASSWORDS.correct, hash);
      await verifier.dummyVerify(CANARY_PASSWORDS.wrong);
    };
    assert.equal(await clockReadsDuring(() => checks(silent)), 0);
    assert.equal(await clockReadsDuring(() => checks(observed)), 6);
  });
});
