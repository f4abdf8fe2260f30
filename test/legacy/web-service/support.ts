import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { readWebServiceSettings, type WebServiceSettings } from '../../../src/config/legacy-web-service-settings.js';
import { SettingsReader, type RawSettings } from '../../../src/config/settings.js';
import type { PasswordCheckOptions, SignInAttempt } from '../../../src/legacy/authority.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';

/** A sign-in name that, like the passwords, must never show in an error. */
export const USERNAME = 'ada.lovelace@example.com';
export const OBJECT_ID = '6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** A sign-in with the correct canary password (or another one). */
export const attempt = (password: string = CANARY_PASSWORDS.correct, email: string | null = 'ada@example.org'): SignInAttempt => ({
  username: USERNAME,
  password,
  email,
  objectId: OBJECT_ID,
});

/** A second's worth of deadline and a signal that never fires. */
export const inTime = (ms = 1000): PasswordCheckOptions => ({ abortSignal: new AbortController().signal, deadlineAt: Date.now() + ms });

/** Settings as the reader makes them from `raw`; fails the test on any problem. */
export function settingsFrom(raw: RawSettings, allowInsecure = false): WebServiceSettings {
  const read = new SettingsReader(raw);
  const settings = readWebServiceSettings(read, allowInsecure);
  assert.deepEqual(read.problems, []);
  assert.ok(settings);
  return settings;
}

/** Every secret a test may have handed in: the canaries, the sign-in name, and the test's own service secrets. */
export const SECRETS = [...Object.values(CANARY_PASSWORDS), USERNAME, 'svc-token-7f3a', 'svc-password-9b2e', 'svc-key-4c1d'];

/** Asserts that nothing of `error` (messages, detail, cause chain, stack) holds a secret; without printing it. */
export function assertNoSecret(error: unknown): void {
  const text = inspect(error, { depth: 6 });
  for (const secret of SECRETS) assert.ok(!text.includes(secret), 'an error holds a secret (not shown)');
}

/**
 * Asserts that `promise` rejects with a store error of `code` whose public message matches `message` (if given) and
 * holds no secret; returns the error.
 */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<Error & { code: string; publicMessage: string }> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assertNoSecret(caught);
  const error = caught as Error & { code: string; publicMessage: string };
  assert.equal(error.code, code, error.publicMessage ?? error.message);
  if (message) assert.match(error.publicMessage, message);
  return error;
}

/** `promise`, or a failed assertion naming `what` when it has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what} took longer than ${ms} ms` })), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
