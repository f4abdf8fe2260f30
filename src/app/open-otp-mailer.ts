import { DefaultAzureCredential } from '@azure/identity';
import { ConfigError } from '../config/errors.js';
import { OtpSetting, type OtpSettings } from '../config/otp-settings.js';
import { createAcsMailer, createSmtpMailer, DEFAULT_OTP_TEMPLATES, loadOtpTemplatesDir, OtpError, type OtpMailer, type OtpTemplateSet } from '../otp/index.js';

/** What `serve` sends one-time codes with. */
export interface OpenedOtpMailer {
  readonly mailer: OtpMailer;
  readonly templates: OtpTemplateSet;
  /** OTP_FROM. */
  readonly from: string;
  close(): Promise<void>;
}

export interface OpenOtpMailerOptions {
  /**
   * The provider's connection timeouts, in ms: the OTP send deadline (OTP_SEND_DEADLINE_MS), so a connection that
   * cannot be made in time is given up by the time its callout is answered.
   */
  readonly timeoutInMs: number;
}

/**
 * Opens the mailer the settings name (SMTP, ACS by connection string, or ACS with a managed identity through
 * DefaultAzureCredential) and the templates (OTP_TEMPLATES_DIR, checked now, or the shipped ones). A templates
 * folder that cannot be used is a ConfigError naming OTP_TEMPLATES_DIR and each bad file.
 *
 * @example
 *   const otp = settings.otp && openOtpMailer(settings.otp, { timeoutInMs: config.eventDeadlinesInMs.otpSend });
 */
export function openOtpMailer(settings: OtpSettings, options: OpenOtpMailerOptions): OpenedOtpMailer {
  const templates = openTemplates(settings.templatesDir);
  const mailer = openProvider(settings, options);
  return { mailer, templates, from: settings.from, close: () => mailer.close() };
}

function openTemplates(dir: string | undefined): OtpTemplateSet {
  if (dir === undefined) return DEFAULT_OTP_TEMPLATES;
  try {
    return loadOtpTemplatesDir(dir);
  } catch (error) {
    if (error instanceof OtpError) throw new ConfigError([{ setting: OtpSetting.TEMPLATES_DIR, problem: error.message.replace(/^OTP_TEMPLATES_DIR: /, '') }]);
    throw error;
  }
}

function openProvider(settings: OtpSettings, options: OpenOtpMailerOptions): OtpMailer {
  const provider = settings.provider;
  switch (provider.kind) {
    case 'smtp':
      return createSmtpMailer({ url: provider.url, timeoutInMs: options.timeoutInMs });
    case 'acs-connection-string':
      return createAcsMailer({ connectionString: provider.connectionString });
    case 'acs-managed-identity':
      return createAcsMailer({ endpoint: provider.endpoint, credential: new DefaultAzureCredential() });
  }
}
