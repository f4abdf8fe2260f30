export { settingsFromFile } from './config-file.js';
export { dotenvValue, parseDotenv, type DotenvEntry, type DotenvProblem, type ParsedDotenv } from './dotenv.js';
export { updateDotenv } from './dotenv-update.js';
export { dotenvError, settingsFromEnvFile } from './env-file.js';
export { loadSettings, type SettingsSources } from './settings-sources.js';
export { readSettingsFile } from './settings-file.js';
export { ConfigError, type ConfigProblem } from './errors.js';
export {
  DEFAULT_LEDGER_DATABASE_URL,
  loadLegacyStoreConfig,
  loadServeConfig,
  type DecryptionKeySource,
  type LegacyStoreConfig,
  type LegacyStoreSettings,
  type ServeConfig,
} from './serve-config.js';
export { SettingsReader, type RawSettings } from './settings.js';
export { loadPremigrateConfig, type PremigrateConfig } from './premigrate-config.js';
export { readCredentialsFile, type AppRegistrationSettings } from './credentials-file.js';
export { loadGraphAccessConfig, type GraphAccessSettings } from './graph-access.js';
export { LOG_LEVELS, type LogLevel } from './log-levels.js';
