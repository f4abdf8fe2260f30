import { isLoopbackHost } from '../../common/loopback.js';
import type { AuthenticationEventListener, CustomAuthenticationExtension, TenantObjects } from '../tenant-objects.js';
import { bodyOf, GUID, type Body } from './replies.js';

const LISTENER_TYPE = '#microsoft.graph.onPasswordSubmitListener';
const HANDLER_TYPE = '#microsoft.graph.onPasswordMigrationCustomExtensionHandler';
const EXTENSION_TYPE = '#microsoft.graph.onPasswordSubmitCustomExtension';
/**
 * The custom extension types the emulator holds: OnPasswordSubmit, the attribute collection ones a sign-up user
 * flow's handlers reference (https://learn.microsoft.com/graph/api/resources/onattributecollectionstartcustomextension?view=graph-rest-1.0,
 * …/onattributecollectionsubmitcustomextension), OnTokenIssuanceStart (…/ontokenissuancestartcustomextension) and the
 * one-time passcode send one (…/onotpsendcustomextension).
 */
export const ATTRIBUTE_COLLECTION_START_EXTENSION_TYPE = '#microsoft.graph.onAttributeCollectionStartCustomExtension';
export const ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION_TYPE = '#microsoft.graph.onAttributeCollectionSubmitCustomExtension';
export const TOKEN_ISSUANCE_START_EXTENSION_TYPE = '#microsoft.graph.onTokenIssuanceStartCustomExtension';
export const OTP_SEND_EXTENSION_TYPE = '#microsoft.graph.onOtpSendCustomExtension';
const EXTENSION_TYPES = [EXTENSION_TYPE, ATTRIBUTE_COLLECTION_START_EXTENSION_TYPE, ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION_TYPE, TOKEN_ISSUANCE_START_EXTENSION_TYPE, OTP_SEND_EXTENSION_TYPE];
/** The fallback an onEmailOtpSendListener's handler may name: Entra sends the code itself when the extension fails. */
export const FALLBACK_TO_MICROSOFT_PROVIDER = '#microsoft.graph.fallbackToMicrosoftProviderOnError';
/** At most this many claims on one OnTokenIssuanceStart extension (a guard against hostile bodies; Graph documents none). */
const MAX_CLAIMS_FOR_TOKEN = 50;

/** One listener type: its handler's type and the custom extension type that handler must reference. */
interface ListenerKind {
  handlerType: string;
  extensionType: string;
  /** Whether a PATCH may change the handler (Graph's update page: not for onPasswordSubmitListener). */
  handlerPatchable: boolean;
}

/** The listener types the emulator holds, by `@odata.type`. */
const LISTENER_KINDS: Record<string, ListenerKind> = {
  [LISTENER_TYPE]: { handlerType: HANDLER_TYPE, extensionType: EXTENSION_TYPE, handlerPatchable: false },
  // https://learn.microsoft.com/graph/api/resources/ontokenissuancestartlistener?view=graph-rest-1.0
  '#microsoft.graph.onTokenIssuanceStartListener': { handlerType: '#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler', extensionType: TOKEN_ISSUANCE_START_EXTENSION_TYPE, handlerPatchable: true },
  // custom-extension-email-otp-get-started.md, steps 3.4 and 7 (the PATCH that sets behaviorOnError).
  '#microsoft.graph.onEmailOtpSendListener': { handlerType: '#microsoft.graph.onOtpSendCustomExtensionHandler', extensionType: OTP_SEND_EXTENSION_TYPE, handlerPatchable: true },
};

/** An OData type name as Graph matches it (case-insensitively; Microsoft's own OTP page writes `OnOtpSendCustomExtension`), in its canonical spelling. */
const canonical = (names: readonly string[], value: unknown): string | undefined => (typeof value === 'string' ? names.find((name) => name.toLowerCase() === value.toLowerCase()) : undefined);

/**
 * What a PATCH of a listener may carry. Graph's "Update authenticationEventListener" (beta) lists
 * authenticationEventsFlowId, conditions and priority for every listener type, and handler only for other types
 * than onPasswordSubmitListener; `@odata.type` is required.
 */
const PATCHABLE = new Set(['@odata.type', 'authenticationEventsFlowId', 'conditions', 'priority']);
/** Where a listener's applications are changed instead: `includeApplications` is a containment navigation property. */
const INCLUDE_APPLICATIONS_HOW = 'conditions.applications.includeApplications is a navigation property: add an application with POST …/authenticationEventListeners/{id}/conditions/applications/includeApplications and remove one with DELETE …/includeApplications/{appId}.';

/**
 * Validates a new custom authentication extension as Graph does; returns it, or Graph's complaint.
 *
 * @example
 *   const result = customExtensionFrom(body, randomUUID());
 *   if (typeof result === 'string') return badRequest(reply, result);
 */
export function customExtensionFrom(body: Body, id: string): CustomAuthenticationExtension | string {
  const type = canonical(EXTENSION_TYPES, body['@odata.type']);
  if (!type) return `@odata.type must be one of ${EXTENSION_TYPES.join(', ')}.`;
  const endpoint = bodyOf(body.endpointConfiguration);
  const authentication = bodyOf(body.authenticationConfiguration);
  const client = bodyOf(body.clientConfiguration);
  let targetUrl: URL;
  try {
    targetUrl = new URL(String(endpoint.targetUrl));
  } catch {
    return 'endpointConfiguration.targetUrl must be a URL.';
  }
  if (targetUrl.protocol !== 'https:' && !(targetUrl.protocol === 'http:' && isLoopbackHost(targetUrl.hostname))) return 'endpointConfiguration.targetUrl must be https.';
  if (typeof authentication.resourceId !== 'string' || authentication.resourceId === '') return 'authenticationConfiguration.resourceId is required.';
  const timeout = client.timeoutInMilliseconds ?? 1000;
  const retries = client.maximumRetries ?? 1;
  if (!Number.isInteger(timeout) || (timeout as number) < 200 || (timeout as number) > 2000) return 'clientConfiguration.timeoutInMilliseconds must be 200 to 2000.';
  if (retries !== 0 && retries !== 1) return 'clientConfiguration.maximumRetries must be 0 or 1.';
  const claims = claimsForTokenFrom(type, body.claimsForTokenConfiguration);
  if (typeof claims === 'string') return claims;
  return {
    id,
    '@odata.type': type,
    displayName: typeof body.displayName === 'string' ? body.displayName : type.replace('#microsoft.graph.', ''),
    description: typeof body.description === 'string' ? body.description : null,
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: targetUrl.href },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: authentication.resourceId },
    clientConfiguration: { timeoutInMilliseconds: timeout as number, maximumRetries: retries as number },
    ...(claims && { claimsForTokenConfiguration: claims }),
  };
}

/**
 * `claimsForTokenConfiguration` (onTokenIssuanceStartReturnClaim collection): only on an OnTokenIssuanceStart
 * extension, each entry `{ claimIdInApiResponse }` naming a claim the API returns, once. Undefined when absent.
 */
function claimsForTokenFrom(type: string, value: unknown): Array<{ claimIdInApiResponse: string }> | string | undefined {
  if (value === undefined || value === null) return undefined;
  if (type !== TOKEN_ISSUANCE_START_EXTENSION_TYPE) return `claimsForTokenConfiguration is a property of ${TOKEN_ISSUANCE_START_EXTENSION_TYPE} only.`;
  if (!Array.isArray(value) || value.length > MAX_CLAIMS_FOR_TOKEN) return `claimsForTokenConfiguration must be an array of at most ${MAX_CLAIMS_FOR_TOKEN} { claimIdInApiResponse } entries.`;
  const ids = value.map((entry) => bodyOf(entry).claimIdInApiResponse);
  if (ids.some((id) => typeof id !== 'string' || id.trim() === '' || id.length > 256)) return 'claimsForTokenConfiguration: each entry needs a claimIdInApiResponse string.';
  if (new Set(ids.map((id) => String(id).toLowerCase())).size !== ids.length) return 'claimsForTokenConfiguration names a claim more than once.';
  return ids.map((id) => ({ claimIdInApiResponse: id as string }));
}

/**
 * Validates a new listener as Graph does: an onPasswordSubmitListener (its custom extension and its Boolean flag
 * property must exist), an onTokenIssuanceStartListener or an onEmailOtpSendListener (its handler's custom extension
 * must exist and be of the matching type; an OTP handler may carry `configuration.behaviorOnError`). Returns the
 * listener, or Graph's complaint.
 *
 * @example
 *   const result = listenerFrom(objects, body, randomUUID());
 */
export function listenerFrom(objects: TenantObjects, body: Body, id: string): AuthenticationEventListener | string {
  const type = canonical(Object.keys(LISTENER_KINDS), body['@odata.type']);
  if (!type) return `@odata.type must be one of ${Object.keys(LISTENER_KINDS).join(', ')}.`;
  const handler = handlerFrom(objects, type, bodyOf(body.handler));
  if (typeof handler === 'string') return handler;
  const applications = bodyOf(bodyOf(body.conditions).applications);
  const include = Array.isArray(applications.includeApplications) ? applications.includeApplications.map(bodyOf) : [];
  if (include.some((entry) => typeof entry.appId !== 'string' || !GUID.test(entry.appId))) return 'conditions.applications.includeApplications holds { appId } entries.';
  const includeAll = applications.includeAllApplications === true;
  if (!includeAll && include.length === 0) return 'The listener must include at least one application, or all.';
  return {
    id,
    '@odata.type': type,
    priority: Number.isInteger(body.priority) ? (body.priority as number) : 500,
    conditions: { applications: { includeAllApplications: includeAll, includeApplications: [...new Set(include.map((entry) => String(entry.appId).toLowerCase()))].map((appId) => ({ appId })) } },
    handler,
  };
}

/** A listener's handler as Graph validates it for the listener `type`; returns it, or Graph's complaint. */
function handlerFrom(objects: TenantObjects, type: string, handler: Body): AuthenticationEventListener['handler'] | string {
  const kind = LISTENER_KINDS[type]!;
  if (canonical([kind.handlerType], handler['@odata.type']) === undefined) return `handler must be a ${kind.handlerType}.`;
  const extensionId = bodyOf(handler.customExtension).id;
  if (typeof extensionId !== 'string' || !objects.customExtensions.has(extensionId)) return 'handler.customExtension.id must name an existing custom authentication extension.';
  if (objects.customExtensions.get(extensionId)!['@odata.type'] !== kind.extensionType) return `handler.customExtension.id must name a custom extension of type ${kind.extensionType}.`;
  if (type === LISTENER_TYPE) {
    if (typeof handler.migrationPropertyId !== 'string' || !/^extension_[0-9a-f]{32}_[A-Za-z0-9_]+$/.test(handler.migrationPropertyId)) return 'handler.migrationPropertyId must be an extension attribute, extension_<appIdWithoutHyphens>_<name>.';
    const known = [...objects.extensionProperties.values()].some((property) => objects.extensionAttributeName(property) === handler.migrationPropertyId && property.dataType === 'Boolean');
    if (!known) return `handler.migrationPropertyId ${handler.migrationPropertyId} is not a Boolean extension property of this tenant.`;
    return { '@odata.type': HANDLER_TYPE, migrationPropertyId: handler.migrationPropertyId, customExtension: { id: extensionId } };
  }
  if ('migrationPropertyId' in handler) return `migrationPropertyId is not a property of ${kind.handlerType}.`;
  const configuration = configurationFrom(type, handler.configuration);
  if (typeof configuration === 'string') return configuration;
  return { '@odata.type': kind.handlerType, customExtension: { id: extensionId }, ...(configuration && { configuration }) };
}

/**
 * A handler's `configuration` (customExtensionOverwriteConfiguration): `behaviorOnError` is
 * `#microsoft.graph.fallbackToMicrosoftProviderOnError` (the only customExtensionBehaviorOnError type Graph defines),
 * and only an OTP handler has a Microsoft provider to fall back to. `null` or absent: none.
 */
function configurationFrom(type: string, value: unknown): { behaviorOnError?: { '@odata.type': string } } | undefined | string {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return 'handler.configuration must be an object.';
  const configuration = value as Body;
  const unknown = Object.keys(configuration).filter((key) => key !== 'behaviorOnError' && key !== '@odata.type');
  if (unknown.length > 0) return `handler.configuration does not have ${unknown.join(', ')}.`;
  if (configuration.behaviorOnError === undefined || configuration.behaviorOnError === null) return {};
  if (type !== '#microsoft.graph.onEmailOtpSendListener') return 'handler.configuration.behaviorOnError applies to an onEmailOtpSendListener only.';
  if (canonical([FALLBACK_TO_MICROSOFT_PROVIDER], bodyOf(configuration.behaviorOnError)['@odata.type']) === undefined) return `handler.configuration.behaviorOnError must be a ${FALLBACK_TO_MICROSOFT_PROVIDER}.`;
  return { behaviorOnError: { '@odata.type': FALLBACK_TO_MICROSOFT_PROVIDER } };
}

/**
 * A PATCH of a listener as Graph's update page allows it: `@odata.type` required; priority,
 * authenticationEventsFlowId and `conditions.applications.includeAllApplications` may change; includeApplications
 * may not (its own POST and DELETE). The handler may not change on an onPasswordSubmitListener (delete and create the
 * listener instead); on the other types it may, as the OTP page's step 7 shows: the handler sent is merged over the
 * stored one (its `@odata.type` required; `configuration` replaced; `customExtension` validated if sent). Returns the
 * updated listener, or Graph's complaint — Graph's exact wording for these refusals is not documented; the gist is.
 *
 * @example
 *   patchedListener(objects, listener, { '@odata.type': '#microsoft.graph.onPasswordSubmitListener', priority: 100 }); // the updated listener
 *   patchedListener(objects, listener, { '@odata.type': '#microsoft.graph.onPasswordSubmitListener', handler });       // a complaint
 */
export function patchedListener(objects: TenantObjects, existing: AuthenticationEventListener, body: Body): AuthenticationEventListener | string {
  if (canonical([existing['@odata.type']], body['@odata.type']) === undefined) return `You must specify the @odata.type of the listener to update: ${existing['@odata.type']}.`;
  const kind = LISTENER_KINDS[existing['@odata.type']];
  if ('handler' in body && !kind?.handlerPatchable) return 'Property handler cannot be updated for an onPasswordSubmitListener; delete the listener and create it again with the new handler.';
  const refused = Object.keys(body).filter((key) => !PATCHABLE.has(key) && key !== 'handler');
  if (refused.length > 0) return `Propert${refused.length === 1 ? 'y' : 'ies'} ${refused.join(', ')} cannot be updated on an authenticationEventListener.`;
  const next = structuredClone(existing) as AuthenticationEventListener & { authenticationEventsFlowId?: string };
  if ('handler' in body) {
    const sent = bodyOf(body.handler);
    const merged = { ...next.handler, ...sent, customExtension: 'customExtension' in sent ? sent.customExtension : next.handler.customExtension, configuration: 'configuration' in sent ? sent.configuration : next.handler.configuration };
    const handler = handlerFrom(objects, existing['@odata.type'], merged);
    if (typeof handler === 'string') return handler;
    next.handler = handler;
  }
  if ('priority' in body) {
    if (!Number.isInteger(body.priority)) return 'priority must be an integer.';
    next.priority = body.priority as number;
  }
  if ('authenticationEventsFlowId' in body) {
    if (typeof body.authenticationEventsFlowId !== 'string') return 'authenticationEventsFlowId must be a string.';
    next.authenticationEventsFlowId = body.authenticationEventsFlowId;
  }
  if ('conditions' in body) {
    const applications = bodyOf(bodyOf(body.conditions).applications);
    if ('includeApplications' in applications) return INCLUDE_APPLICATIONS_HOW;
    if ('includeAllApplications' in applications) {
      if (typeof applications.includeAllApplications !== 'boolean') return 'conditions.applications.includeAllApplications must be true or false.';
      next.conditions.applications.includeAllApplications = applications.includeAllApplications;
    }
    if (!next.conditions.applications.includeAllApplications && next.conditions.applications.includeApplications.length === 0) return 'The listener must include at least one application, or all.';
  }
  return next;
}
