/**
 * Passwords that tests send through the real code paths and that must never be printed: after the whole run,
 * scripts/run-tests.mjs searches everything the tests wrote for each of them and fails the run on a hit.
 * Tests that drive passwords through the server, the store or the emulator take them from here.
 * Keep the list in step with CANARIES in scripts/run-tests.mjs.
 */
export const CANARY_PASSWORDS = {
  correct: 'Canary-Correct-Horse-7!',
  wrong: 'Canary-Wrong-Battery-8!',
  weak: 'canarypassword',
  unicode: 'Canary-Grüße-😀-9',
} as const;

/**
 * A one-time code the OTP send tests push through the handler, the mailers and the server (sent and failed): it may
 * appear in the mail itself, never in a log line, an error, an outcome or the test output. In CANARIES too.
 */
export const CANARY_OTP_CODE = 'CanaryOtp31415926';
