export { createAcsMailer, type AcsMailerOptions } from './acs-mailer.js';
export { OtpError, OtpErrorCode } from './errors.js';
export { OTP_MAIL_HEADERS, type OtpMailer, type OtpMessage, type OtpSendOptions } from './mailer.js';
export { createSmtpMailer, type SmtpMailerOptions } from './smtp-mailer.js';
export { DEFAULT_OTP_TEMPLATES } from './templates/defaults.js';
export { loadOtpTemplatesDir, MAX_LOCALES, TEMPLATE_FILES } from './templates/load-templates-dir.js';
export { escapeHtml, renderOtpMail, templatesFor, type OtpLocaleTemplates, type OtpTemplateSet, type RenderedOtpMail } from './templates/template-set.js';
