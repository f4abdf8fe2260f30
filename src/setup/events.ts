/**
 * The events `setup --events` provisions, as data: each event's custom extension(s) — the route `serve` answers
 * them on, the Graph type, the name the route's GET reports — and, where Entra calls it through a listener, the
 * listener and handler types. Attribute collection has no listener: the sign-up user flow's
 * onAttributeCollectionStart/Submit handlers reference its extensions.
 */
export const SETUP_EVENTS = ['password-submit', 'attribute-collection', 'token-issuance-start', 'otp-send'] as const;
export type SetupEvent = (typeof SETUP_EVENTS)[number];

/** One custom authentication extension setup creates for an event. */
export interface EventExtension {
  /** The route under `/events/` that `serve` answers, e.g. `token-issuance-start`. */
  route: string;
  /** The event name `serve`'s GET on that route reports (`{ status: 'ok', event }`). */
  eventName: string;
  /** The customAuthenticationExtension's `@odata.type`. */
  extensionType: string;
}

export interface EventListenerKind {
  listenerType: string;
  handlerType: string;
}

export interface SetupEventDescriptor {
  event: SetupEvent;
  extensions: readonly EventExtension[];
  listener?: EventListenerKind;
}

export const PASSWORD_SUBMIT_EXTENSION_TYPE = '#microsoft.graph.onPasswordSubmitCustomExtension';
export const TOKEN_ISSUANCE_START_EXTENSION_TYPE = '#microsoft.graph.onTokenIssuanceStartCustomExtension';
export const OTP_SEND_EXTENSION_TYPE = '#microsoft.graph.onOtpSendCustomExtension';
export const ATTRIBUTE_COLLECTION_START_EXTENSION_TYPE = '#microsoft.graph.onAttributeCollectionStartCustomExtension';
export const ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION_TYPE = '#microsoft.graph.onAttributeCollectionSubmitCustomExtension';
export const TOKEN_ISSUANCE_START_LISTENER: EventListenerKind = { listenerType: '#microsoft.graph.onTokenIssuanceStartListener', handlerType: '#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler' };
export const OTP_SEND_LISTENER: EventListenerKind = { listenerType: '#microsoft.graph.onEmailOtpSendListener', handlerType: '#microsoft.graph.onOtpSendCustomExtensionHandler' };
/** The OTP handler's `configuration.behaviorOnError`: Entra sends the code itself when the extension fails. */
export const FALLBACK_TO_MICROSOFT_PROVIDER = '#microsoft.graph.fallbackToMicrosoftProviderOnError';
/** The sign-up flow handlers that reference the attribute collection extensions. */
export const ATTRIBUTE_COLLECTION_HANDLERS = {
  onAttributeCollectionStart: { handlerType: '#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler', route: 'attribute-collection-start' },
  onAttributeCollectionSubmit: { handlerType: '#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler', route: 'attribute-collection-submit' },
} as const;

export const SETUP_EVENT_DESCRIPTORS: Record<SetupEvent, SetupEventDescriptor> = {
  'password-submit': { event: 'password-submit', extensions: [{ route: 'password-submit', eventName: 'OnPasswordSubmit', extensionType: PASSWORD_SUBMIT_EXTENSION_TYPE }] },
  'attribute-collection': {
    event: 'attribute-collection',
    extensions: [
      { route: 'attribute-collection-start', eventName: 'OnAttributeCollectionStart', extensionType: ATTRIBUTE_COLLECTION_START_EXTENSION_TYPE },
      { route: 'attribute-collection-submit', eventName: 'OnAttributeCollectionSubmit', extensionType: ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION_TYPE },
    ],
  },
  'token-issuance-start': { event: 'token-issuance-start', extensions: [{ route: 'token-issuance-start', eventName: 'OnTokenIssuanceStart', extensionType: TOKEN_ISSUANCE_START_EXTENSION_TYPE }], listener: TOKEN_ISSUANCE_START_LISTENER },
  'otp-send': { event: 'otp-send', extensions: [{ route: 'otp-send', eventName: 'OnOtpSend', extensionType: OTP_SEND_EXTENSION_TYPE }], listener: OTP_SEND_LISTENER },
};

/** Every extension type setup knows, with its route and event name. */
export const EVENT_EXTENSIONS: readonly EventExtension[] = Object.values(SETUP_EVENT_DESCRIPTORS).flatMap((descriptor) => descriptor.extensions);

/**
 * The URL an event's extension targets: the same origin (and any path prefix before `/events/`) as `--target-url`,
 * with the route path `/events/<route>`. A `--target-url` naming that path already is kept as it is; the
 * OnPasswordSubmit extension keeps `--target-url` whatever its path (setup's behaviour before `--events`).
 *
 * @example
 *   eventTargetUrl('https://auth.contoso.com/events/password-submit', 'otp-send') // 'https://auth.contoso.com/events/otp-send'
 *   eventTargetUrl('https://auth.contoso.com/jit/events/password-submit', 'otp-send') // 'https://auth.contoso.com/jit/events/otp-send'
 */
export function eventTargetUrl(targetUrl: string, route: string): string {
  if (route === 'password-submit') return targetUrl;
  const url = new URL(targetUrl);
  const prefix = /^(.*)\/events\/[A-Za-z0-9-]+\/?$/.exec(url.pathname)?.[1] ?? '';
  url.pathname = `${prefix}/events/${route}`;
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * The `--events` list: comma separated names of {@link SETUP_EVENTS}, each once; returns a complaint for anything else.
 *
 * @example
 *   parseSetupEvents('password-submit,otp-send') // ['password-submit', 'otp-send']
 */
export function parseSetupEvents(value: string): SetupEvent[] | string {
  if (value.length > 200) return 'is too long';
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) return `names at least one of ${SETUP_EVENTS.join(', ')}`;
  const unknown = names.filter((name) => !(SETUP_EVENTS as readonly string[]).includes(name));
  if (unknown.length > 0) return `names ${unknown.map((name) => JSON.stringify(name.slice(0, 40))).join(', ')}; known: ${SETUP_EVENTS.join(', ')}`;
  return [...new Set(names)] as SetupEvent[];
}
