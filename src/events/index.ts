export { EventError, EventErrorCode } from './errors.js';
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
export { EXTENSION_ERROR_CODES, explainExtensionErrorCode, type ExtensionErrorCode } from './extension-error-codes.js';
