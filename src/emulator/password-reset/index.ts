export { passwordResetRoutes } from './password-reset-routes.js';
export { createPasswordResetService, PASSWORD_RESET_TEXTS, type PasswordResetOutcome, type PasswordResetService } from './password-reset-service.js';
