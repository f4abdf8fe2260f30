export { errorBody, type ErrorBody } from './error-body.js';
export {
  handlePasswordSubmit,
  type PasswordSubmitDeps,
  type PasswordSubmitOutcome,
  type PasswordSubmitResult,
} from './password-submit.js';
