export { SetupError, SetupErrorCode } from './errors.js';
export { SERVE_SETTINGS_HEADER, serveSettingEntries, serveSettings, type ServeSettingsInput } from './serve-settings.js';
export { removeSetup, runSetup, type SetupOptions, type SetupResult, type SetupStep, type StepStatus } from './tenant-setup.js';
export { attributePlacement, LINKED_PROFILE_ATTRIBUTES, signUpFlowsOf, SIGN_UP_FLOW_TYPE, type AttributePlacement, type GraphSignUpFlow } from './sign-up-flows.js';
export { eventTargetUrl, parseSetupEvents, SETUP_EVENTS, type SetupEvent } from './events.js';
export { claimsMappingDefinition, mappedProviderClaims } from './claims-mapping-step.js';
export { claimsPolicyName, type RemoveSetupOptions } from './tenant-setup.js';
export type { EventExtensionResult } from './event-steps.js';
