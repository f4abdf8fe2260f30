import { dotenvValue } from '../config/dotenv.js';
import type { SetupResult } from './tenant-setup.js';

export interface ServeSettingsInput {
  tenantId: string;
  result: SetupResult;
  /** The private key file(s) `serve` decrypts with, when known (`--key-file`). */
  keyFiles: readonly string[];
  /** The emulator's OpenID configuration URL; real tenants leave it to `serve`'s default. */
  openIdConfigurationUrl?: string;
}

/** The first line of a settings file `setup --write-env` creates. */
export const SERVE_SETTINGS_HEADER = '# Written by entra-migrate setup. A re-run updates only its own keys; add your settings anywhere.';

/**
 * The settings `serve` (and `premigrate`) need after `setup`, in order: the tenant, the extension's app id and
 * identifier URI (`ENTRA_EXTENSION_RESOURCE_ID`, the `aud` serve accepts besides the app id), the flag, with
 * `--signup-attributes` the legacy id's attribute (`LEGACY_ID_ATTRIBUTE`), and when known the key file(s) and the emulator's OpenID metadata. Holds no secret: the key is named by its file.
 *
 * @example
 *   serveSettingEntries({ tenantId, result, keyFiles: ['./keys/jit.key.pem'] })
 *   // [['ENTRA_TENANT_ID', '6d1f…'], ['ENTRA_EXTENSION_APP_ID', '0f5a…'], ['ENTRA_EXTENSION_RESOURCE_ID', 'api://auth.contoso.com/0f5a…'], …]
 */
export function serveSettingEntries(input: ServeSettingsInput): Array<readonly [string, string]> {
  const entries: Array<readonly [string, string]> = [
    ['ENTRA_TENANT_ID', input.tenantId],
    ['ENTRA_EXTENSION_APP_ID', input.result.extensionAppId],
    ['ENTRA_EXTENSION_RESOURCE_ID', input.result.resourceId],
    ['MIGRATION_FLAG_ATTRIBUTE', input.result.flagAttribute],
  ];
  if (input.result.legacyIdAttribute) entries.push(['LEGACY_ID_ATTRIBUTE', input.result.legacyIdAttribute]);
  if (input.keyFiles.length > 0) entries.push(['JIT_DECRYPTION_KEY_FILE', input.keyFiles.join(',')]);
  if (input.openIdConfigurationUrl) entries.push(['ENTRA_OPENID_CONFIGURATION_URL', input.openIdConfigurationUrl]);
  return entries;
}

/**
 * The settings as a new dotenv file: a header, then `KEY=value` lines, values quoted only when they must be.
 *
 * @example
 *   process.stdout.write(serveSettings({ tenantId, result, keyFiles: ['./keys/jit.key.pem'] }));
 */
export function serveSettings(input: ServeSettingsInput): string {
  return [SERVE_SETTINGS_HEADER, ...serveSettingEntries(input).map(([key, value]) => `${key}=${dotenvValue(value)}`), ''].join('\n');
}
