export { assignedClaimsMappingPolicy, readCustomClaimMappings, type CustomClaimMapping, type PolicyReading } from './claims-mapping.js';
export { AnswerRefusal, callEventExtension, type EventCalloutRequest, type EventCalloutResult } from './event-callout.js';
export { EMAIL_OTP_SEND, resolveEventListener, servicePrincipalContext, TOKEN_ISSUANCE_START, type EventEndpoint, type EventKind, type EventListenerResolution } from './event-listener.js';
export { ID_TOKEN_LIFETIME_IN_SECONDS, mintIdToken, type IssuedIdToken } from './id-token.js';
export { createOtpSender, FALLBACK_TO_MICROSOFT, judgeOtpSendAnswer, otpSendRequest, type OtpDelivery, type OtpRequestType, type OtpSender, type OtpSenderOptions, type OtpSendRequest } from './otp-send.js';
export {
  createTokenIssuer,
  judgeTokenIssuanceStartAnswer,
  MISSING_CUSTOM_SIGNING_KEY,
  tokenIssuanceStartRequest,
  type TokenIssuance,
  type TokenIssuer,
  type TokenIssuerOptions,
  type TokenIssueRequest,
} from './token-issuance.js';
