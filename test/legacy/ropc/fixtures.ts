import type { LegacyCheck, SignInAttempt } from '../../../src/legacy/authority.js';
import { openRopcAuthority, type RopcAuthorityOptions } from '../../../src/legacy/stores/ropc/index.js';
import type { RopcSettings } from '../../../src/config/legacy-ropc-settings.js';
import { CANARY_PASSWORDS } from '../../support/canaries.js';

export const CLIENT_ID = 'bef22d56-552f-4a5b-b90a-1988a7d634ce';
export const USERNAME = 'ada.lovelace@example.com';

export function settingsFor(tokenUrl: string, extra: Partial<RopcSettings> = {}): RopcSettings {
  return { tokenUrl: new URL(tokenUrl), clientId: CLIENT_ID, clientSecret: undefined, scope: undefined, ...extra };
}

export function attempt(password: string = CANARY_PASSWORDS.correct, username = USERNAME): SignInAttempt {
  return { username, email: username, objectId: '00000000-0000-4000-8000-000000000001', password };
}

/** One check against `tokenUrl` with a fresh authority (closed afterwards) and a deadline `timeoutInMs` away. */
export async function checkOnce(
  tokenUrl: string,
  options: { password?: string; username?: string; settings?: Partial<RopcSettings>; timeoutInMs?: number; authority?: RopcAuthorityOptions } = {},
): Promise<LegacyCheck> {
  const authority = openRopcAuthority(settingsFor(tokenUrl, options.settings), options.authority);
  try {
    return await authority.checkPassword(attempt(options.password, options.username), {
      abortSignal: new AbortController().signal,
      deadlineAt: Date.now() + (options.timeoutInMs ?? 5000),
    });
  } finally {
    await authority.close();
  }
}

/** The rejection of `promise`, failing when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; publicMessage?: string }> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    return error as Error & { code?: string };
  }
}

/** Everything an error would show in a log: no canary password and no user name may be in it. */
export function shownText(error: Error & { publicMessage?: string }): string {
  return [error.message, error.publicMessage ?? '', String(error), error.stack ?? ''].join('\n');
}
