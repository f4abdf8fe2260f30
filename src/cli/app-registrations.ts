import { ConfigError, readCredentialsFile, type AppRegistrationSettings } from '../config/index.js';

/**
 * `$batch` GETs per second per app registration for the commands that read users (reconcile, cutover): 15 × 20 =
 * 300 reads/s, 3,000 resource units per 10 s, under the smallest tenant's Entra ID budget of 3,500 per 10 s per app
 * (a GET of a user with `$select` costs 1; https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 * Throttling still slows the pacer (Retry-After honoured).
 */
export const READ_BATCHES_PER_SECOND = 15;
/** `$batch` requests in flight per app registration: enough for Graph's latency; the pacer sets the rate. */
export const BATCHES_IN_FLIGHT_PER_APP = 4;

/**
 * The app registrations a Graph command signs in as: those of `--credentials FILE` when given, else the one the
 * settings name. A file that cannot be read or holds no valid list is a settings problem naming `--credentials`.
 */
export function appRegistrationsOf(credentialsFile: string | undefined, fromSettings: AppRegistrationSettings): AppRegistrationSettings[] {
  if (!credentialsFile) return [fromSettings];
  try {
    return readCredentialsFile(credentialsFile);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([{ setting: '--credentials', problem: `${credentialsFile}: ${(error as Error).message}` }]);
  }
}
