import { defaultHtml } from './html-layout.js';
import type { OtpLocaleTemplates } from './template-set.js';

const lead = 'Verwenden Sie diesen Code, {{purpose}}:';
const note = 'Der Code läuft in wenigen Minuten ab. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht: Ohne Zugriff auf Ihr Postfach kann niemand den Code verwenden.';

/** The shipped German templates. */
export const DE: OtpLocaleTemplates = {
  subject: { 'sign-up': 'Ihr Bestätigungscode zum Erstellen Ihres Kontos', 'password-reset': 'Ihr Code zum Zurücksetzen Ihres Kennworts', 'sign-in': 'Ihr Anmeldecode', mfa: 'Ihr Bestätigungscode' },
  purpose: { 'sign-up': 'um Ihre E-Mail-Adresse zu bestätigen und Ihr Konto fertig zu erstellen', 'password-reset': 'um Ihr Kennwort zurückzusetzen', 'sign-in': 'um sich anzumelden', mfa: 'um zu bestätigen, dass Sie sich anmelden' },
  text: `${lead}\n\n{{code}}\n\n${note}\n`,
  html: defaultHtml('de', lead, note),
};
