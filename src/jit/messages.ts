import { ownValue } from '../common/own.js';

/** The texts Entra shows the user next to our answer. */
export interface JitMessages {
  retry: { message: string };
  blocked: { title: string; message: string };
  unavailable: { title: string; message: string };
  /**
   * Past the attempt limit (ATTEMPT_LIMIT_PER_ACCOUNT): distinct from `blocked` (the legacy account is locked) and
   * `unavailable` (we could not check). Optional so a JIT_MESSAGES_FILE written before it stays valid: messagesFor
   * fills it from the built-in catalogue for the same locale, then English.
   */
  tooManyAttempts?: { title: string; message: string };
  /**
   * Sign-up's block pages (issue 11): `exists` when the e-mail belongs to a legacy account, `tryLater` when that
   * account could not be made ready in time. Optional so a JIT_MESSAGES_FILE written for sign-in stays valid; a
   * locale without them uses the built-in ones (see signUpMessagesFor).
   */
  signUpCollision?: { exists: { title: string; message: string }; tryLater: { title: string; message: string } };
}

/** Catalogues keyed by lower-case BCP 47 tag (`en`, `en-gb`, `fr`); `en` is the fallback and must exist. */
export type JitMessageCatalogue = Readonly<Record<string, JitMessages>>;

/**
 * The built-in catalogue. Messages never say whether the account exists: "incorrect password" is the answer for
 * an unknown user as well.
 */
export const DEFAULT_MESSAGES: JitMessageCatalogue = {
  en: {
    retry: { message: 'Your password is incorrect.' },
    blocked: { title: 'Sign-in blocked', message: 'Your account is locked. Please contact support.' },
    unavailable: {
      title: 'Temporarily unavailable',
      message: 'We cannot check your password right now. Please try again in a few minutes.',
    },
    tooManyAttempts: { title: 'Too many attempts', message: 'Too many sign-in attempts. Please try again later.' },
    signUpCollision: {
      exists: { title: 'Account already exists', message: 'There is already an account with this e-mail address. Sign in with your existing password.' },
      tryLater: { title: 'Account already exists', message: 'There is already an account with this e-mail address. Please try again in a few minutes.' },
    },
  },
  fr: {
    retry: { message: 'Votre mot de passe est incorrect.' },
    blocked: { title: 'Connexion bloquée', message: 'Votre compte est verrouillé. Veuillez contacter le support.' },
    unavailable: {
      title: 'Service momentanément indisponible',
      message: 'Nous ne pouvons pas vérifier votre mot de passe pour le moment. Veuillez réessayer dans quelques minutes.',
    },
    tooManyAttempts: { title: 'Trop de tentatives', message: 'Trop de tentatives de connexion. Veuillez réessayer plus tard.' },
    signUpCollision: {
      exists: { title: 'Compte existant', message: 'Un compte existe déjà avec cette adresse e-mail. Connectez-vous avec votre mot de passe actuel.' },
      tryLater: { title: 'Compte existant', message: 'Un compte existe déjà avec cette adresse e-mail. Veuillez réessayer dans quelques minutes.' },
    },
  },
  de: {
    retry: { message: 'Ihr Kennwort ist falsch.' },
    blocked: { title: 'Anmeldung gesperrt', message: 'Ihr Konto ist gesperrt. Bitte wenden Sie sich an den Support.' },
    unavailable: {
      title: 'Vorübergehend nicht verfügbar',
      message: 'Ihr Kennwort kann gerade nicht geprüft werden. Bitte versuchen Sie es in einigen Minuten erneut.',
    },
    tooManyAttempts: { title: 'Zu viele Versuche', message: 'Zu viele Anmeldeversuche. Bitte versuchen Sie es später erneut.' },
    signUpCollision: {
      exists: { title: 'Konto bereits vorhanden', message: 'Mit dieser E-Mail-Adresse gibt es bereits ein Konto. Melden Sie sich mit Ihrem bisherigen Kennwort an.' },
      tryLater: { title: 'Konto bereits vorhanden', message: 'Mit dieser E-Mail-Adresse gibt es bereits ein Konto. Bitte versuchen Sie es in einigen Minuten erneut.' },
    },
  },
  es: {
    retry: { message: 'La contraseña es incorrecta.' },
    blocked: { title: 'Inicio de sesión bloqueado', message: 'Su cuenta está bloqueada. Póngase en contacto con soporte.' },
    unavailable: {
      title: 'No disponible temporalmente',
      message: 'No podemos comprobar su contraseña en este momento. Vuelva a intentarlo en unos minutos.',
    },
    tooManyAttempts: { title: 'Demasiados intentos', message: 'Demasiados intentos de inicio de sesión. Vuelva a intentarlo más tarde.' },
    signUpCollision: {
      exists: { title: 'La cuenta ya existe', message: 'Ya existe una cuenta con esta dirección de correo electrónico. Inicie sesión con su contraseña actual.' },
      tryLater: { title: 'La cuenta ya existe', message: 'Ya existe una cuenta con esta dirección de correo electrónico. Vuelva a intentarlo en unos minutos.' },
    },
  },
};

/**
 * Picks the messages for Entra's `client.locale` (`en-us`): the exact tag, then its language, then `en`. The locale
 * comes from the request, so only the catalogue's own entries are looked up: `constructor` or `__proto__` is an
 * unknown tag like any other, never an inherited property.
 *
 * @example
 *   messagesFor(DEFAULT_MESSAGES, 'fr-CA').retry.message // 'Votre mot de passe est incorrect.'
 */
export function messagesFor(catalogue: JitMessageCatalogue, locale: string | null | undefined): JitMessages {
  const fallback = ownValue(catalogue, 'en') ?? DEFAULT_MESSAGES.en!;
  if (!locale) return fallback;
  const tag = locale.trim().toLowerCase().replace('_', '-');
  const language = tag.split('-')[0] ?? '';
  const messages = ownValue(catalogue, tag) ?? ownValue(catalogue, language) ?? fallback;
  if (messages.tooManyAttempts !== undefined || catalogue === DEFAULT_MESSAGES) return messages;
  // An entry of JIT_MESSAGES_FILE without the attempt-limit texts: the built-in ones for the same locale.
  return { ...messages, tooManyAttempts: messagesFor(DEFAULT_MESSAGES, locale).tooManyAttempts! };
}

/** Sign-up's block-page texts, as {@link JitMessages.signUpCollision}. */
export type SignUpCollisionMessages = NonNullable<JitMessages['signUpCollision']>;

/**
 * Picks sign-up's block-page texts for `client.locale` as {@link messagesFor} does; a catalogue entry without them
 * (a JIT_MESSAGES_FILE written before sign-up) uses the built-in ones for the same locale, then English.
 *
 * @example
 *   signUpMessagesFor(DEFAULT_MESSAGES, 'de-AT').exists.title // 'Konto bereits vorhanden'
 */
export function signUpMessagesFor(catalogue: JitMessageCatalogue, locale: string | null | undefined): SignUpCollisionMessages {
  return messagesFor(catalogue, locale).signUpCollision ?? messagesFor(DEFAULT_MESSAGES, locale).signUpCollision ?? DEFAULT_MESSAGES.en!.signUpCollision!;
}
