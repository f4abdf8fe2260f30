import type { AttributeCollectionEndpoint, AttributeDataType, FlowAttribute, SignUpFlow } from '../sign-up/user-flow.js';
import type { AttributeCollectionHandler, AuthenticationEventsFlow, TenantObjects } from '../tenant-objects.js';

/** `api://{host}/{appId}`: the app id in a custom extension's resource id is the callout token's audience. */
const RESOURCE_APP_ID = /^api:\/\/[^/]+\/([0-9a-f-]{36})$/i;
/** The attributes the sign-up page collects itself: the e-mail is verified by one-time code before the page. */
const NOT_ON_THE_PAGE = new Set(['email']);

/**
 * The sign-up flow the tenant's Graph objects describe for the client application `clientAppId`: the
 * externalUsersSelfServiceSignUpEventsFlow linked to it (`conditions.applications.includeApplications`; lowest
 * priority first) that has an attribute collection step. Its attributes are collected in the order of its page's
 * inputs — labels and `hidden` from there — and its OnAttributeCollectionStart/Submit handlers' custom extensions
 * are called at their targetUrl with their resource id's app id as audience, timeout and retries. Undefined when no
 * such flow exists (the emulator then runs the flow `configureExtension` set).
 *
 * @example
 *   const flow = signUpFlowFromGraph(objects, EMULATOR_SIGN_IN_APP.appId) ?? configuredFlow;
 */
export function signUpFlowFromGraph(objects: TenantObjects, clientAppId: string): SignUpFlow | undefined {
  const linked = [...objects.userFlows.values()]
    .filter((flow) => flow.onAttributeCollection && flow.conditions.applications.includeApplications.some((app) => app.appId === clientAppId.toLowerCase()))
    .sort((a, b) => a.priority - b.priority)[0];
  if (!linked?.onAttributeCollection) return undefined;
  const inputs = linked.onAttributeCollection.attributeCollectionPage.views.flatMap((view) => view.inputs);
  const attributes: FlowAttribute[] = [];
  for (const attribute of linked.onAttributeCollection.attributes) {
    if (NOT_ON_THE_PAGE.has(attribute.id)) continue;
    const input = inputs.find((entry) => entry.attribute === attribute.id);
    attributes.push({
      name: attribute.id,
      label: input?.label ?? attribute.displayName,
      attributeType: attribute.userFlowAttributeType === 'custom' ? 'directorySchemaExtension' : 'builtIn',
      dataType: (['string', 'boolean', 'int64'].includes(attribute.dataType) ? attribute.dataType : 'string') as AttributeDataType,
      hidden: input?.hidden ?? false,
    });
  }
  // The page's order first, then attributes it does not show.
  const position = (name: string) => {
    const index = inputs.findIndex((entry) => entry.attribute === name);
    return index < 0 ? inputs.length : index;
  };
  attributes.sort((a, b) => position(a.name) - position(b.name));
  const start = endpointOf(objects, linked, linked.onAttributeCollectionStart);
  const submit = endpointOf(objects, linked, linked.onAttributeCollectionSubmit);
  return { attributes, ...(start && { start }), ...(submit && { submit }) };
}

/** The endpoint a handler's custom extension names; undefined when there is no handler or its extension is gone. */
function endpointOf(objects: TenantObjects, flow: AuthenticationEventsFlow, handler: AttributeCollectionHandler | null): AttributeCollectionEndpoint | undefined {
  const extension = handler && objects.customExtensions.get(handler.customExtension.id);
  if (!extension) return undefined;
  const resourceId = extension.authenticationConfiguration.resourceId;
  return {
    id: extension.id,
    listenerId: flow.id,
    targetUrl: extension.endpointConfiguration.targetUrl,
    appId: RESOURCE_APP_ID.exec(resourceId)?.[1]?.toLowerCase() ?? resourceId,
    timeoutInMs: extension.clientConfiguration.timeoutInMilliseconds,
    maximumRetries: extension.clientConfiguration.maximumRetries,
  };
}
