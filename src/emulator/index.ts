export { CalloutErrorCode, callPasswordSubmitExtension, EMULATOR_SIGN_IN_APP, type CalloutRequest, type CalloutResult } from './callout-client.js';
export { CUSTOM_EXTENSION_SERVICE_APP_ID, mintCalloutToken } from './callout-token.js';
export { openDirectory, type Directory, type DirectoryUser, type Identity, type NewUser } from './directory.js';
export { startEmulator, type EmulatorExtensionSettings, type EmulatorOptions, type RunningEmulator } from './emulator.js';
export { createOneTimeCodes, ONE_TIME_CODE_LIFETIME_IN_MS, ONE_TIME_CODE_MAX_TRIES, type OneTimeCodes } from './one-time-codes.js';
export * from './sign-up/index.js';
export * from './password-reset/index.js';
export { EmulatorError, EmulatorErrorCode } from './errors.js';
export { registerPasswordSubmitExtension, type ExtensionSettings, type PasswordSubmitExtension } from './extension-registration.js';
export { encryptPasswordContext, PASSWORD_CONTEXT_LIFETIME_IN_SECONDS, type PasswordContextInput } from './password-context.js';
export { createSignInService, type ChangePasswordOutcome, type SignedInToken, type SignInOutcome, type SignInService, type TokenFailureOutcome } from './sign-in.js';
export {
  createOtpSender,
  createTokenIssuer,
  FALLBACK_TO_MICROSOFT,
  ID_TOKEN_LIFETIME_IN_SECONDS,
  MISSING_CUSTOM_SIGNING_KEY,
  readCustomClaimMappings,
  resolveEventListener,
  type OtpDelivery,
  type OtpRequestType,
  type OtpSender,
  type TokenIssuance,
  type TokenIssuer,
} from './events/index.js';
export { createTenant, type EmulatedTenant } from './tenant.js';
export { type GraphFaults } from './graph/write-admission.js';
export { type ReadBudgetOptions } from './graph/read-budget.js';
export { type WriteBudgetOptions } from './graph/write-budget.js';
export {
  B2C_ERRORS,
  createLegacyB2cTenant,
  type LegacyB2cLockout,
  type LegacyB2cOptions,
  type LegacyB2cTenant,
  type LegacyB2cUser,
  type LegacyB2cUserSeed,
  type RunningLegacyB2c,
} from './legacy-b2c/index.js';
