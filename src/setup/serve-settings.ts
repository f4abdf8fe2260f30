import type { SetupResult } from './tenant-setup.js';

export interface ServeSettingsInput {
  tenantId: string;
  result: SetupResult;
  /** The private key file(s) `serve` decrypts with, when known (`--key-file`). */
  keyFiles: readonly string[];
  /** The emulator's OpenID configuration URL; real tenants leave it to `serve`'s default. */
  openIdConfigurationUrl?: string;
}

/**
 * The settings `serve` (and `premigrate`) need after `setup`, as `.env` lines: KEY=value, values quoted only when
 * they must be. Holds no secret: the key is named by its file, never inlined.
 *
 * @example
 *   await writeFile('.env', serveSettings({ tenantId, result, keyFiles: ['./keys/jit.key.pem'] }), { mode: 0o600 });
 */
export function serveSettings(input: ServeSettingsInput): string {
  const entries: Array<[string, string]> = [
    ['ENTRA_TENANT_ID', input.tenantId],
    ['ENTRA_EXTENSION_APP_ID', input.result.extensionAppId],
    ['MIGRATION_FLAG_ATTRIBUTE', input.result.flagAttribute],
  ];
  if (input.keyFiles.length > 0) entries.push(['JIT_DECRYPTION_KEY_FILE', input.keyFiles.join(',')]);
  if (input.openIdConfigurationUrl) entries.push(['ENTRA_OPENID_CONFIGURATION_URL', input.openIdConfigurationUrl]);
  const quoted = (value: string) => (/^[A-Za-z0-9_./:,@+-]*$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`);
  return [`# Written by entra-migrate setup; the extension is ${input.result.resourceId}`, ...entries.map(([key, value]) => `${key}=${quoted(value)}`), ''].join('\n');
}
