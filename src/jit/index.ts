export { decide, type Decision, type DecisionReason } from './decide.js';
export { DEFAULT_MESSAGES, messagesFor, type JitMessageCatalogue, type JitMessages } from './messages.js';
export {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  policyViolationOf,
  type PasswordPolicyViolation,
} from './password-policy.js';
export type { LegacyVerdict } from './verdict.js';
