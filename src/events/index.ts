export { EventError, EventErrorCode } from './errors.js';
export { EVENT_NAMES, type EventName } from './event-names.js';
export {
  MAX_ENCRYPTED_CONTEXT_LENGTH,
  PASSWORD_SUBMIT_DATA_TYPE,
  PASSWORD_SUBMIT_EVENT_TYPE,
  parsePasswordSubmitRequest,
  passwordSubmitRequestSchema,
  type PasswordSubmitRequest,
} from './password-submit/request.js';
export {
  MAX_MESSAGE_LENGTH,
  MAX_NONCE_LENGTH,
  MAX_TITLE_LENGTH,
  PASSWORD_SUBMIT_ACTIONS,
  PASSWORD_SUBMIT_RESPONSE_TYPE,
  actionODataType,
  actionOf,
  buildPasswordSubmitResponse,
  parsePasswordSubmitResponse,
  passwordSubmitResponseSchema,
  type PasswordSubmitAction,
  type PasswordSubmitAnswer,
  type PasswordSubmitResponse,
} from './password-submit/response.js';
export {
  ATTRIBUTE_NAME_PATTERN,
  DIRECTORY_ATTRIBUTE_VALUE_TYPES,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_SIGN_UP_ATTRIBUTES,
  MAX_SIGN_UP_IDENTITIES,
  expectedValueType,
  type AttributeValue,
  type SignUpAttribute,
  type UserSignUpInfo,
} from './attribute-collection-start/sign-up-info.js';
export { collectedAttributeNames, onlyCollectedAttributes, signUpEmailOf } from './attribute-collection-start/sign-up-attributes.js';
export {
  ATTRIBUTE_COLLECTION_START_DATA_TYPE,
  ATTRIBUTE_COLLECTION_START_EVENT_TYPE,
  attributeCollectionStartRequestSchema,
  parseAttributeCollectionStartRequest,
  type AttributeCollectionStartRequest,
} from './attribute-collection-start/request.js';
export {
  ATTRIBUTE_COLLECTION_START_ACTIONS,
  ATTRIBUTE_COLLECTION_START_RESPONSE_TYPE,
  attributeCollectionStartActionODataType,
  attributeCollectionStartActionOf,
  attributeCollectionStartResponseSchema,
  buildAttributeCollectionStartResponse,
  parseAttributeCollectionStartResponse,
  type AttributeCollectionStartAction,
  type AttributeCollectionStartAnswer,
  type AttributeCollectionStartResponse,
} from './attribute-collection-start/response.js';
export {
  ATTRIBUTE_COLLECTION_SUBMIT_DATA_TYPE,
  ATTRIBUTE_COLLECTION_SUBMIT_EVENT_TYPE,
  attributeCollectionSubmitRequestSchema,
  parseAttributeCollectionSubmitRequest,
  type AttributeCollectionSubmitRequest,
} from './attribute-collection-submit/request.js';
export {
  ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS,
  ATTRIBUTE_COLLECTION_SUBMIT_RESPONSE_TYPE,
  attributeCollectionSubmitActionODataType,
  attributeCollectionSubmitActionOf,
  attributeCollectionSubmitResponseSchema,
  buildAttributeCollectionSubmitResponse,
  parseAttributeCollectionSubmitResponse,
  type AttributeCollectionSubmitAction,
  type AttributeCollectionSubmitAnswer,
  type AttributeCollectionSubmitResponse,
} from './attribute-collection-submit/response.js';
export {
  authenticationContextSchema,
  clientContextSchema,
  servicePrincipalSchema,
  userAuthenticationContextSchema,
  userContextSchema,
} from './authentication-context.js';
export { parseCallout } from './parse-callout.js';
export {
  TOKEN_ISSUANCE_START_DATA_TYPE,
  TOKEN_ISSUANCE_START_EVENT_TYPE,
  parseTokenIssuanceStartRequest,
  tokenIssuanceStartRequestSchema,
  type TokenIssuanceStartRequest,
} from './token-issuance-start/request.js';
export {
  CLAIM_NAME_PATTERN,
  MAX_CLAIMS,
  MAX_CLAIMS_BYTES,
  TOKEN_ISSUANCE_START_ACTIONS,
  TOKEN_ISSUANCE_START_RESPONSE_TYPE,
  buildTokenIssuanceStartResponse,
  claimValueSchema,
  claimsSize,
  hasClaimsBag,
  parseTokenIssuanceStartResponse,
  tokenIssuanceStartActionODataType,
  tokenIssuanceStartActionOf,
  tokenIssuanceStartResponseSchema,
  type ClaimValue,
  type Claims,
  type TokenIssuanceStartAction,
  type TokenIssuanceStartAnswer,
  type TokenIssuanceStartResponse,
} from './token-issuance-start/response.js';
export {
  MAX_ONE_TIME_CODE_LENGTH,
  OTP_PURPOSES,
  OTP_SEND_DATA_TYPE,
  OTP_SEND_EVENT_TYPE,
  otpPurposeOf,
  otpSendRequestSchema,
  parseOtpSendRequest,
  type OtpPurpose,
  type OtpSendRequest,
} from './otp-send/request.js';
export {
  OTP_SEND_ACTIONS,
  OTP_SEND_RESPONSE_TYPE,
  buildOtpSendResponse,
  otpSendActionODataType,
  otpSendActionOf,
  otpSendResponseSchema,
  parseOtpSendResponse,
  type OtpSendAction,
  type OtpSendAnswer,
  type OtpSendResponse,
} from './otp-send/response.js';
export { EXTENSION_ERROR_CODES, explainExtensionErrorCode, type ExtensionErrorCode } from './extension-error-codes.js';
