export { errorBody, type ErrorBody } from './error-body.js';
export {
  answerByOf,
  handlePasswordSubmit,
  type PasswordSubmitDeps,
  type PasswordSubmitOutcome,
  type PasswordSubmitResult,
} from './password-submit.js';
export {
  SIGN_UP_COLLISION_POLICIES,
  type AttributeCollectionDeps,
  type EntraAccounts,
  type LegacyAccountToEnsure,
  type SignUpCollisionPolicy,
  type SignUpOutcome,
  type SignUpReason,
} from './attribute-collection-policy.js';
export { handleAttributeCollectionStart, type AttributeCollectionStartResult } from './attribute-collection-start.js';
export { handleAttributeCollectionSubmit, type AttributeCollectionSubmitResult } from './attribute-collection-submit.js';
export { EVENT_NAMES, type DeadlineDeps, type EventHandler, type EventName, type EventOutcome, type EventResult } from './event-outcome.js';
export { beforeDeadline } from './before-deadline.js';
export { handleTokenIssuanceStart, type TokenIssuanceStartDeps, type TokenIssuanceStartResult } from './token-issuance-start.js';
export { handleOtpSend, type OtpSendDeps, type OtpSendResult } from './otp-send.js';
export { answerEvent } from './answer-event.js';
export { BODY_INVALID, BODY_LIMIT_IN_BYTES, BODY_TOO_LARGE, DEADLINE_EXCEEDED, callerTokenRefusal, type CallerTokenRefusal } from './refusals.js';
