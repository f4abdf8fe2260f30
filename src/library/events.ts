/**
 * `entra-migrate/events`: the public library for Microsoft Entra custom authentication extensions, usable by any
 * Node service without entra-migrate's server. For each of the five events, the request parser (schema-validated,
 * typed) and the response builder with their schemas and types; caller-token validation and signing keys with
 * injectable `fetch`; password-context decryption with an injected key ring; `answerEvent` and the adapter-neutral
 * handler types; and `createEventEndpoint`, an endpoint for any HTTP framework. Semantic versioning from 0.1.0:
 * see docs/library.md.
 *
 * Every name is re-exported from the module that owns it: `serve` uses the same parsers, builders and rules.
 *
 * @example
 *   import { createEventEndpoint } from 'entra-migrate/events';
 *   const endpoint = createEventEndpoint({ event: 'OnOtpSend', tenantId, extensionAppId, handle: async (request) => ({ action: 'continueWithDefaultBehavior' }) });
 */

// The endpoint, for any HTTP framework.
export {
  createEventEndpoint,
  EventCallFailure,
  type EventAnswer,
  type EventCall,
  type EventCallContext,
  type EventCallContextOf,
  type EventEndpoint,
  type EventEndpointOptions,
  type EventHandle,
  type EventRefusal,
} from './event-endpoint.js';
export type { EventAnswerOf, EventRequestOf, EventResponseOf, EventTypes } from './event-kinds.js';
export type { EventCallBody } from './read-body.js';
export { BODY_LIMIT_IN_BYTES, callerTokenRefusal, type CallerTokenRefusal } from '../handlers/refusals.js';

// The duties every adapter shares, and the adapter-neutral handler types.
export { answerEvent, beforeDeadline, errorBody, EVENT_NAMES, type DeadlineDeps, type ErrorBody, type EventHandler, type EventName, type EventOutcome, type EventResult } from '../handlers/index.js';

// Errors: one base class; switch on `code`.
export { EntraMigrateError } from '../common/errors.js';

// The five events: requests, answers, schemas, limits.
export {
  EventError,
  EventErrorCode,
  EXTENSION_ERROR_CODES,
  explainExtensionErrorCode,
  type ExtensionErrorCode,
  authenticationContextSchema,
  clientContextSchema,
  servicePrincipalSchema,
  userAuthenticationContextSchema,
  userContextSchema,
  // OnPasswordSubmit
  PASSWORD_SUBMIT_EVENT_TYPE,
  PASSWORD_SUBMIT_DATA_TYPE,
  PASSWORD_SUBMIT_RESPONSE_TYPE,
  PASSWORD_SUBMIT_ACTIONS,
  MAX_ENCRYPTED_CONTEXT_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_NONCE_LENGTH,
  MAX_TITLE_LENGTH,
  passwordSubmitRequestSchema,
  passwordSubmitResponseSchema,
  parsePasswordSubmitRequest,
  buildPasswordSubmitResponse,
  parsePasswordSubmitResponse,
  actionODataType,
  actionOf,
  type PasswordSubmitRequest,
  type PasswordSubmitAction,
  type PasswordSubmitAnswer,
  type PasswordSubmitResponse,
  // OnAttributeCollectionStart
  ATTRIBUTE_COLLECTION_START_EVENT_TYPE,
  ATTRIBUTE_COLLECTION_START_DATA_TYPE,
  ATTRIBUTE_COLLECTION_START_RESPONSE_TYPE,
  ATTRIBUTE_COLLECTION_START_ACTIONS,
  attributeCollectionStartRequestSchema,
  attributeCollectionStartResponseSchema,
  parseAttributeCollectionStartRequest,
  buildAttributeCollectionStartResponse,
  parseAttributeCollectionStartResponse,
  attributeCollectionStartActionODataType,
  attributeCollectionStartActionOf,
  type AttributeCollectionStartRequest,
  type AttributeCollectionStartAction,
  type AttributeCollectionStartAnswer,
  type AttributeCollectionStartResponse,
  // OnAttributeCollectionSubmit
  ATTRIBUTE_COLLECTION_SUBMIT_EVENT_TYPE,
  ATTRIBUTE_COLLECTION_SUBMIT_DATA_TYPE,
  ATTRIBUTE_COLLECTION_SUBMIT_RESPONSE_TYPE,
  ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS,
  attributeCollectionSubmitRequestSchema,
  attributeCollectionSubmitResponseSchema,
  parseAttributeCollectionSubmitRequest,
  buildAttributeCollectionSubmitResponse,
  parseAttributeCollectionSubmitResponse,
  attributeCollectionSubmitActionODataType,
  attributeCollectionSubmitActionOf,
  type AttributeCollectionSubmitRequest,
  type AttributeCollectionSubmitAction,
  type AttributeCollectionSubmitAnswer,
  type AttributeCollectionSubmitResponse,
  // The attributes both attribute collection events carry
  ATTRIBUTE_NAME_PATTERN,
  DIRECTORY_ATTRIBUTE_VALUE_TYPES,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_SIGN_UP_ATTRIBUTES,
  MAX_SIGN_UP_IDENTITIES,
  expectedValueType,
  collectedAttributeNames,
  onlyCollectedAttributes,
  signUpEmailOf,
  type AttributeValue,
  type SignUpAttribute,
  type UserSignUpInfo,
  // OnTokenIssuanceStart
  TOKEN_ISSUANCE_START_EVENT_TYPE,
  TOKEN_ISSUANCE_START_DATA_TYPE,
  TOKEN_ISSUANCE_START_RESPONSE_TYPE,
  TOKEN_ISSUANCE_START_ACTIONS,
  CLAIM_NAME_PATTERN,
  MAX_CLAIMS,
  MAX_CLAIMS_BYTES,
  tokenIssuanceStartRequestSchema,
  tokenIssuanceStartResponseSchema,
  claimValueSchema,
  parseTokenIssuanceStartRequest,
  buildTokenIssuanceStartResponse,
  parseTokenIssuanceStartResponse,
  claimsSize,
  hasClaimsBag,
  tokenIssuanceStartActionODataType,
  tokenIssuanceStartActionOf,
  type TokenIssuanceStartRequest,
  type TokenIssuanceStartAction,
  type TokenIssuanceStartAnswer,
  type TokenIssuanceStartResponse,
  type ClaimValue,
  type Claims,
  // OnOtpSend (one-time passcode send)
  OTP_SEND_EVENT_TYPE,
  OTP_SEND_DATA_TYPE,
  OTP_SEND_RESPONSE_TYPE,
  OTP_SEND_ACTIONS,
  OTP_PURPOSES,
  MAX_ONE_TIME_CODE_LENGTH,
  otpSendRequestSchema,
  otpSendResponseSchema,
  parseOtpSendRequest,
  buildOtpSendResponse,
  parseOtpSendResponse,
  otpPurposeOf,
  otpSendActionODataType,
  otpSendActionOf,
  type OtpSendRequest,
  type OtpPurpose,
  type OtpSendAction,
  type OtpSendAnswer,
  type OtpSendResponse,
} from '../events/index.js';

// The caller token, the signing keys, the password context.
export {
  createCallerTokenVerifier,
  createSigningKeySource,
  openIdConfigurationUrlsFor,
  isTenantIssuer,
  CUSTOM_EXTENSION_CALLER_APP_ID,
  decryptPasswordContext,
  loadKeyRing,
  remoteDecryptionKey,
  MIN_RSA_MODULUS_BITS,
  x5tOf,
  SecurityError,
  SecurityErrorCode,
  type CallerClaims,
  type CallerTokenVerifier,
  type CallerTokenVerifierOptions,
  type SigningKeySource,
  type SigningKeySourceOptions,
  type DecryptPasswordContextOptions,
  type PasswordContext,
  type DecryptionKey,
  type KeyRing,
  type KeyUnwrapper,
} from '../security/index.js';
