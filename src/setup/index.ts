export { SetupError, SetupErrorCode } from './errors.js';
export { SERVE_SETTINGS_HEADER, serveSettingEntries, serveSettings, type ServeSettingsInput } from './serve-settings.js';
export { removeSetup, runSetup, type SetupOptions, type SetupResult, type SetupStep, type StepStatus } from './tenant-setup.js';
