import { settingsFromFile } from './config-file.js';
import { settingsFromEnvFile } from './env-file.js';
import { overlaySettings } from './settings-file.js';
import type { RawSettings } from './settings.js';

/** Where a command's settings come from. */
export interface SettingsSources {
  /** The environment (`process.env`): it wins over both files. */
  readonly env: RawSettings;
  /** `--config`: a JSON object whose keys are the environment variables' names. */
  readonly configFile?: string | undefined;
  /** `--env-file`: a dotenv file, the format `setup --write-env` writes. */
  readonly envFile?: string | undefined;
}

/**
 * A command's raw settings: the environment over `--env-file` over `--config`. A variable set (not blank) in a
 * higher source wins; each file is refused as a whole, with the option that named it, when it is malformed.
 *
 * @example
 *   const raw = loadSettings({ env: process.env, envFile: options.envFile, configFile: options.config });
 *   const config = loadServeConfig(raw);
 */
export function loadSettings(sources: SettingsSources): RawSettings {
  const fromConfig = sources.configFile === undefined ? {} : settingsFromFile(sources.configFile, {});
  const fromEnvFile = sources.envFile === undefined ? {} : settingsFromEnvFile(sources.envFile, {});
  return overlaySettings(overlaySettings(fromConfig, fromEnvFile), sources.env);
}
