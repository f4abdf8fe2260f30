export { errorBody, type ErrorBody } from './error-body.js';
export {
  answerByOf,
  handlePasswordSubmit,
  type PasswordSubmitDeps,
  type PasswordSubmitOutcome,
  type PasswordSubmitResult,
} from './password-submit.js';
