import { randomUUID } from 'node:crypto';
import { isLoopbackHost } from '../../common/loopback.js';
import { EmulatorError, EmulatorErrorCode } from '../errors.js';
import type { PasswordSubmitExtension } from '../extension-registration.js';

/** The value types of user flow attributes (Graph's `stringDirectoryAttributeValue`, `booleanDirectoryAttributeValue`, `int64DirectoryAttributeValue`). */
export type AttributeDataType = 'string' | 'boolean' | 'int64';
export type AttributeValue = string | boolean | number;

/** One attribute the sign-up user flow collects on its attribute page. */
export interface FlowAttribute {
  /** `displayName`, `givenName`, `surname`, or a custom attribute `extension_<appId without hyphens>_<name>`. */
  readonly name: string;
  readonly label: string;
  readonly attributeType: 'builtIn' | 'directorySchemaExtension';
  readonly dataType: AttributeDataType;
  /** Not shown to the user: only a prefill or `modifyAttributeValues` gives it a value. */
  readonly hidden: boolean;
}

/** A custom attribute the flow collects, as `configureExtension({ signUp: { customAttributes } })` names it. */
export interface CustomAttributeSettings {
  name: string;
  dataType?: AttributeDataType;
  label?: string;
  hidden?: boolean;
}

/** The sign-up user flow's attribute collection: its attributes and its two custom extension endpoints. */
export interface SignUpSettings {
  /** The OnAttributeCollectionStart endpoint; without it the event is not configured and not called. */
  attributeCollectionStartUrl?: string;
  /** The OnAttributeCollectionSubmit endpoint; without it the event is not configured and not called. */
  attributeCollectionSubmitUrl?: string;
  /** Custom attributes collected beside displayName, givenName and surname. */
  customAttributes?: CustomAttributeSettings[];
}

/** An attribute collection extension endpoint, with the app id, timeout and retries of the tenant's extension. */
export interface AttributeCollectionEndpoint {
  readonly id: string;
  readonly listenerId: string;
  readonly targetUrl: string;
  readonly appId: string;
  readonly timeoutInMs: number;
  readonly maximumRetries: number;
}

/** The sign-up user flow the emulator runs. */
export interface SignUpFlow {
  readonly attributes: readonly FlowAttribute[];
  readonly start?: AttributeCollectionEndpoint;
  readonly submit?: AttributeCollectionEndpoint;
}

/** The built-in attributes every emulated sign-up collects. */
export const BUILT_IN_ATTRIBUTES: readonly FlowAttribute[] = [
  { name: 'displayName', label: 'Display name', attributeType: 'builtIn', dataType: 'string', hidden: false },
  { name: 'givenName', label: 'Given name', attributeType: 'builtIn', dataType: 'string', hidden: false },
  { name: 'surname', label: 'Surname', attributeType: 'builtIn', dataType: 'string', hidden: false },
];

const CUSTOM_NAME = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;
const MAX_CUSTOM_ATTRIBUTES = 20;

/**
 * Checks sign-up settings before anything starts (a bad one throws `EMULATOR_CONFIG_INVALID`).
 *
 * @example
 *   checkSignUpSettings({ attributeCollectionStartUrl: 'http://127.0.0.1:7071/events/attribute-collection-start' });
 */
export function checkSignUpSettings(settings: SignUpSettings): void {
  const invalid = (problem: string) => new EmulatorError(EmulatorErrorCode.CONFIG_INVALID, `The sign-up user flow ${problem}.`);
  for (const [name, value] of [['attributeCollectionStartUrl', settings.attributeCollectionStartUrl], ['attributeCollectionSubmitUrl', settings.attributeCollectionSubmitUrl]] as const) {
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalid(`setting ${name} is not a URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) throw invalid(`setting ${name} must be https (the emulator also accepts http on loopback)`);
  }
  const custom = settings.customAttributes ?? [];
  if (custom.length > MAX_CUSTOM_ATTRIBUTES) throw invalid(`setting customAttributes holds more than ${MAX_CUSTOM_ATTRIBUTES} attributes`);
  const seen = new Set<string>();
  for (const attribute of custom) {
    if (!CUSTOM_NAME.test(attribute.name)) throw invalid('setting customAttributes names an attribute that is not extension_<appId without hyphens>_<name>');
    if (seen.has(attribute.name.toLowerCase())) throw invalid(`setting customAttributes names ${attribute.name} twice`);
    seen.add(attribute.name.toLowerCase());
    if (attribute.dataType !== undefined && !['string', 'boolean', 'int64'].includes(attribute.dataType)) throw invalid('setting customAttributes has a dataType other than string, boolean or int64');
  }
}

/**
 * The flow the settings describe: built-in attributes then the custom ones; each event endpoint called with the
 * tenant's extension's app id (the token audience), timeout and retries — a custom extension and listener of its
 * own per event (new ids: compute the flow once per configuration). Without an extension, no event is called.
 *
 * @example
 *   const flow = signUpFlowOf(settings, extension);
 */
export function signUpFlowOf(settings: SignUpSettings | undefined, extension: PasswordSubmitExtension | undefined): SignUpFlow {
  const attributes = [
    ...BUILT_IN_ATTRIBUTES,
    ...(settings?.customAttributes ?? []).map((attribute): FlowAttribute => ({
      name: attribute.name,
      label: attribute.label ?? attribute.name.replace(/^extension_[0-9a-f]{32}_/, ''),
      attributeType: 'directorySchemaExtension',
      dataType: attribute.dataType ?? 'string',
      hidden: attribute.hidden ?? false,
    })),
  ];
  const endpoint = (targetUrl: string | undefined): AttributeCollectionEndpoint | undefined =>
    targetUrl && extension
      ? { id: randomUUID(), listenerId: randomUUID(), targetUrl: new URL(targetUrl).href, appId: extension.appId, timeoutInMs: extension.timeoutInMs, maximumRetries: extension.maximumRetries }
      : undefined;
  const start = endpoint(settings?.attributeCollectionStartUrl);
  const submit = endpoint(settings?.attributeCollectionSubmitUrl);
  return { attributes, ...(start && { start }), ...(submit && { submit }) };
}
