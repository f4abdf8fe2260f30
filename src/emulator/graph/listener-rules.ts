import { isLoopbackHost } from '../../common/loopback.js';
import type { AuthenticationEventListener, CustomAuthenticationExtension, TenantObjects } from '../tenant-objects.js';
import { bodyOf, GUID, type Body } from './replies.js';

const LISTENER_TYPE = '#microsoft.graph.onPasswordSubmitListener';
const HANDLER_TYPE = '#microsoft.graph.onPasswordMigrationCustomExtensionHandler';
const EXTENSION_TYPE = '#microsoft.graph.onPasswordSubmitCustomExtension';
/**
 * The custom extension types the emulator holds: OnPasswordSubmit, and the attribute collection ones a sign-up user
 * flow's handlers reference (https://learn.microsoft.com/graph/api/resources/onattributecollectionstartcustomextension?view=graph-rest-1.0,
 * …/onattributecollectionsubmitcustomextension).
 */
export const ATTRIBUTE_COLLECTION_START_EXTENSION_TYPE = '#microsoft.graph.onAttributeCollectionStartCustomExtension';
export const ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION_TYPE = '#microsoft.graph.onAttributeCollectionSubmitCustomExtension';
const EXTENSION_TYPES = [EXTENSION_TYPE, ATTRIBUTE_COLLECTION_START_EXTENSION_TYPE, ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION_TYPE];
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
  const type = body['@odata.type'];
  if (typeof type !== 'string' || !EXTENSION_TYPES.includes(type)) return `@odata.type must be one of ${EXTENSION_TYPES.join(', ')}.`;
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
  return {
    id,
    '@odata.type': type,
    displayName: typeof body.displayName === 'string' ? body.displayName : type.replace('#microsoft.graph.', ''),
    description: typeof body.description === 'string' ? body.description : null,
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: targetUrl.href },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: authentication.resourceId },
    clientConfiguration: { timeoutInMilliseconds: timeout as number, maximumRetries: retries as number },
  };
}

/**
 * Validates a new onPasswordSubmitListener as Graph does (its custom extension and its Boolean flag property must
 * exist); returns it, or Graph's complaint.
 *
 * @example
 *   const result = listenerFrom(objects, body, randomUUID());
 */
export function listenerFrom(objects: TenantObjects, body: Body, id: string): AuthenticationEventListener | string {
  if (body['@odata.type'] !== LISTENER_TYPE) return `@odata.type must be ${LISTENER_TYPE}.`;
  const handler = bodyOf(body.handler);
  if (handler['@odata.type'] !== HANDLER_TYPE) return `handler must be a ${HANDLER_TYPE}.`;
  const extensionId = bodyOf(handler.customExtension).id;
  if (typeof extensionId !== 'string' || !objects.customExtensions.has(extensionId)) return 'handler.customExtension.id must name an existing custom authentication extension.';
  if (objects.customExtensions.get(extensionId)!['@odata.type'] !== EXTENSION_TYPE) return `handler.customExtension.id must name a custom extension of type ${EXTENSION_TYPE}.`;
  if (typeof handler.migrationPropertyId !== 'string' || !/^extension_[0-9a-f]{32}_[A-Za-z0-9_]+$/.test(handler.migrationPropertyId)) return 'handler.migrationPropertyId must be an extension attribute, extension_<appIdWithoutHyphens>_<name>.';
  const known = [...objects.extensionProperties.values()].some((property) => objects.extensionAttributeName(property) === handler.migrationPropertyId && property.dataType === 'Boolean');
  if (!known) return `handler.migrationPropertyId ${handler.migrationPropertyId} is not a Boolean extension property of this tenant.`;
  const applications = bodyOf(bodyOf(body.conditions).applications);
  const include = Array.isArray(applications.includeApplications) ? applications.includeApplications.map(bodyOf) : [];
  if (include.some((entry) => typeof entry.appId !== 'string' || !GUID.test(entry.appId))) return 'conditions.applications.includeApplications holds { appId } entries.';
  const includeAll = applications.includeAllApplications === true;
  if (!includeAll && include.length === 0) return 'The listener must include at least one application, or all.';
  return {
    id,
    '@odata.type': LISTENER_TYPE,
    priority: Number.isInteger(body.priority) ? (body.priority as number) : 500,
    conditions: { applications: { includeAllApplications: includeAll, includeApplications: [...new Set(include.map((entry) => String(entry.appId).toLowerCase()))].map((appId) => ({ appId })) } },
    handler: { '@odata.type': HANDLER_TYPE, migrationPropertyId: handler.migrationPropertyId, customExtension: { id: extensionId } },
  };
}

/**
 * A PATCH of an onPasswordSubmitListener as Graph's update page allows it: `@odata.type` required; priority,
 * authenticationEventsFlowId and `conditions.applications.includeAllApplications` may change; the handler may not
 * (delete and create the listener instead), nor includeApplications (its own POST and DELETE). Returns the updated
 * listener, or Graph's complaint — Graph's exact wording for these refusals is not documented; the gist is.
 *
 * @example
 *   patchedListener(listener, { '@odata.type': '#microsoft.graph.onPasswordSubmitListener', priority: 100 }); // the updated listener
 *   patchedListener(listener, { '@odata.type': '#microsoft.graph.onPasswordSubmitListener', handler });       // a complaint
 */
export function patchedListener(existing: AuthenticationEventListener, body: Body): AuthenticationEventListener | string {
  if (body['@odata.type'] !== existing['@odata.type']) return `You must specify the @odata.type of the listener to update: ${existing['@odata.type']}.`;
  if ('handler' in body) return 'Property handler cannot be updated for an onPasswordSubmitListener; delete the listener and create it again with the new handler.';
  const refused = Object.keys(body).filter((key) => !PATCHABLE.has(key));
  if (refused.length > 0) return `Propert${refused.length === 1 ? 'y' : 'ies'} ${refused.join(', ')} cannot be updated on an authenticationEventListener.`;
  const next = structuredClone(existing) as AuthenticationEventListener & { authenticationEventsFlowId?: string };
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
