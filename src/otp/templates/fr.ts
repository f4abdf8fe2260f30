import { defaultHtml } from './html-layout.js';
import type { OtpLocaleTemplates } from './template-set.js';

const lead = 'Utilisez ce code {{purpose}} :';
const note = "Le code expire dans quelques minutes. Si vous ne l'avez pas demandé, ignorez ce message : personne ne peut utiliser ce code sans accès à votre boîte aux lettres.";

/** The shipped French templates. */
export const FR: OtpLocaleTemplates = {
  subject: { 'sign-up': 'Votre code de vérification pour créer votre compte', 'password-reset': 'Votre code pour réinitialiser votre mot de passe', 'sign-in': 'Votre code de connexion', mfa: 'Votre code de vérification' },
  purpose: { 'sign-up': 'pour vérifier votre adresse e-mail et terminer la création de votre compte', 'password-reset': 'pour réinitialiser votre mot de passe', 'sign-in': 'pour vous connecter', mfa: "pour confirmer que c'est bien vous qui vous connectez" },
  text: `${lead}\n\n{{code}}\n\n${note}\n`,
  html: defaultHtml('fr', lead, note),
};
