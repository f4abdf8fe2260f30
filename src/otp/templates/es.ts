import { defaultHtml } from './html-layout.js';
import type { OtpLocaleTemplates } from './template-set.js';

const lead = 'Use este código {{purpose}}:';
const note = 'El código caduca en unos minutos. Si no lo ha solicitado, ignore este mensaje: nadie puede usar el código sin acceso a su buzón.';

/** The shipped Spanish templates. */
export const ES: OtpLocaleTemplates = {
  subject: { 'sign-up': 'Su código de verificación para crear su cuenta', 'password-reset': 'Su código para restablecer su contraseña', 'sign-in': 'Su código de inicio de sesión', mfa: 'Su código de verificación' },
  purpose: { 'sign-up': 'para verificar su dirección de correo electrónico y terminar de crear su cuenta', 'password-reset': 'para restablecer su contraseña', 'sign-in': 'para iniciar sesión', mfa: 'para confirmar que es usted quien inicia sesión' },
  text: `${lead}\n\n{{code}}\n\n${note}\n`,
  html: defaultHtml('es', lead, note),
};
