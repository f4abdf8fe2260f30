import { defaultHtml } from './html-layout.js';
import type { OtpLocaleTemplates } from './template-set.js';

const lead = 'Use this code {{purpose}}:';
const note = 'The code expires in a few minutes. If you did not ask for it, ignore this message: nobody can use the code without access to your mailbox.';

/** The shipped English templates, the last fallback of every locale. */
export const EN: OtpLocaleTemplates = {
  subject: { 'sign-up': 'Your verification code to create your account', 'password-reset': 'Your code to reset your password', 'sign-in': 'Your sign-in code', mfa: 'Your verification code' },
  purpose: { 'sign-up': 'to verify your e-mail address and finish creating your account', 'password-reset': 'to reset your password', 'sign-in': 'to sign in', mfa: 'to confirm that it is you signing in' },
  text: `${lead}\n\n{{code}}\n\n${note}\n`,
  html: defaultHtml('en', lead, note),
};
