import type { AttributeCollectionHandler, AttributeCollectionInput, AuthenticationEventsFlow, TenantObjects, UserFlowAttribute } from '../tenant-objects.js';
import { ATTRIBUTE_COLLECTION_START_EXTENSION_TYPE, ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION_TYPE } from './listener-rules.js';
import { bodyOf, GUID, type Body } from './replies.js';

/**
 * Graph's rules for sign-up user flows — `identity/authenticationEventsFlows` of type
 * externalUsersSelfServiceSignUpEventsFlow (https://learn.microsoft.com/graph/api/resources/externalusersselfservicesignupeventsflow?view=graph-rest-1.0)
 * — and the tenant's user flow attributes (https://learn.microsoft.com/graph/api/resources/identityuserflowattribute?view=graph-rest-1.0).
 * Graph refuses a bad body with 400 `Request_BadRequest`; its exact wording for each refusal is not documented, so
 * each message here says what is wrong in Graph's terms.
 */
const FLOW_TYPE = '#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow';
const INTERACTIVE_START_TYPE = '#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp';
const METHOD_LOAD_START_TYPE = '#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp';
const ATTRIBUTE_COLLECTION_TYPE = '#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp';
/** The handler types of the two attribute collection events, and the custom extension type each must reference. */
const HANDLERS = {
  onAttributeCollectionStart: { type: '#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler', extensionType: ATTRIBUTE_COLLECTION_START_EXTENSION_TYPE },
  onAttributeCollectionSubmit: { type: '#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler', extensionType: ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION_TYPE },
} as const;
/** The identity providers of a customer tenant's sign-up flow: e-mail with password, e-mail one-time passcode. */
const IDENTITY_PROVIDERS = new Set(['EmailPassword-OAUTH', 'EmailOtpSignup-OAUTH']);
/** Attribute collection page input types (authenticationAttributeCollectionInputType). */
const INPUT_TYPES = new Set(['text', 'radioSingleSelect', 'checkboxMultiSelect', 'boolean']);
/** The built-in user flow attributes of a customer tenant (all strings). */
const BUILT_IN: Array<[string, string]> = [
  ['email', 'Email Address'], ['displayName', 'Display Name'], ['givenName', 'Given Name'], ['surname', 'Surname'], ['city', 'City'],
  ['country', 'Country/Region'], ['jobTitle', 'Job Title'], ['postalCode', 'Postal Code'], ['state', 'State/Province'], ['streetAddress', 'Street Address'],
];
/** A directory extension property's type as a user flow attribute's dataType. */
const DATA_TYPES: Record<string, string> = { String: 'string', Boolean: 'boolean', Integer: 'int64', LargeInteger: 'int64' };
const MAX_INPUTS = 50;

/**
 * The tenant's user flow attributes: the built-in ones, then one per directory extension property for users on the
 * b2c-extensions-app, id `extension_{appIdWithoutHyphens}_{name}` (userFlowAttributeType `custom`).
 *
 * @example
 *   userFlowAttributes(objects).find((attribute) => attribute.id === 'extension_…_legacyId');
 */
export function userFlowAttributes(objects: TenantObjects): UserFlowAttribute[] {
  const owner = objects.b2cExtensionsApp;
  const custom = [...objects.extensionProperties.values()]
    .filter((property) => property.ownerId === owner.id && property.targetObjects.includes('User') && DATA_TYPES[property.dataType])
    .map((property): UserFlowAttribute => ({ id: objects.extensionAttributeName(property), displayName: property.name, description: null, userFlowAttributeType: 'custom', dataType: DATA_TYPES[property.dataType]! }));
  return [...BUILT_IN.map(([id, displayName]): UserFlowAttribute => ({ id, displayName, description: null, userFlowAttributeType: 'builtIn', dataType: 'string' })), ...custom];
}

/**
 * A new custom user flow attribute (`POST identity/userFlowAttributes`): `displayName` names it, `dataType` is
 * string, boolean or int64; it becomes a directory extension property on the b2c-extensions-app. Returns it, or
 * Graph's complaint.
 */
export function userFlowAttributeFrom(objects: TenantObjects, body: Body): UserFlowAttribute | string {
  if (typeof body.displayName !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(body.displayName)) return 'displayName is required: letters, digits and underscores, starting with a letter.';
  const propertyType = Object.entries(DATA_TYPES).find(([, dataType]) => dataType === body.dataType)?.[0];
  if (!propertyType) return 'dataType must be string, boolean or int64.';
  if (userFlowAttributes(objects).some((attribute) => attribute.displayName.toLowerCase() === String(body.displayName).toLowerCase())) return `A user flow attribute named ${body.displayName} already exists.`;
  const id = objects.defineUserExtensionProperty(body.displayName, propertyType);
  return { id, displayName: body.displayName, description: typeof body.description === 'string' ? body.description : null, userFlowAttributeType: 'custom', dataType: String(body.dataType) };
}

/** A handler of an attribute collection event, checked against the custom extension it references. */
function handlerFrom(objects: TenantObjects, event: keyof typeof HANDLERS, value: unknown): AttributeCollectionHandler | null | string {
  if (value === undefined || value === null) return null;
  const handler = bodyOf(value);
  const { type, extensionType } = HANDLERS[event];
  if (handler['@odata.type'] !== type) return `${event} must be a ${type}.`;
  const id = bodyOf(handler.customExtension).id;
  const extension = typeof id === 'string' ? objects.customExtensions.get(id) : undefined;
  if (!extension) return `${event}.customExtension.id must name an existing custom authentication extension.`;
  if (extension['@odata.type'] !== extensionType) return `${event}.customExtension.id must name a custom extension of type ${extensionType}.`;
  return { '@odata.type': type, customExtension: { id: extension.id } };
}

/** The attribute collection step: its attributes (each a user flow attribute of the tenant) and its page, whose inputs name them. */
function attributeCollectionFrom(objects: TenantObjects, value: unknown): AuthenticationEventsFlow['onAttributeCollection'] | string {
  if (value === undefined || value === null) return null;
  const collection = bodyOf(value);
  if (collection['@odata.type'] !== ATTRIBUTE_COLLECTION_TYPE) return `onAttributeCollection must be a ${ATTRIBUTE_COLLECTION_TYPE}.`;
  const known = new Map(userFlowAttributes(objects).map((attribute) => [attribute.id.toLowerCase(), attribute]));
  const listed = Array.isArray(collection.attributes) ? collection.attributes.map(bodyOf) : [];
  const attributes: UserFlowAttribute[] = [];
  for (const entry of listed) {
    const attribute = typeof entry.id === 'string' ? known.get(entry.id.toLowerCase()) : undefined;
    if (!attribute) return `onAttributeCollection.attributes names ${String(entry.id).slice(0, 120)}, which is not a user flow attribute of this tenant.`;
    if (!attributes.includes(attribute)) attributes.push(attribute);
  }
  const views = Array.isArray(bodyOf(collection.attributeCollectionPage).views) ? (bodyOf(collection.attributeCollectionPage).views as unknown[]).map(bodyOf) : [];
  const pageViews: Array<{ title: string | null; description: string | null; inputs: AttributeCollectionInput[] }> = [];
  let count = 0;
  for (const view of views) {
    const inputs: AttributeCollectionInput[] = [];
    for (const input of Array.isArray(view.inputs) ? view.inputs.map(bodyOf) : []) {
      if (++count > MAX_INPUTS) return `attributeCollectionPage holds more than ${MAX_INPUTS} inputs.`;
      const attribute = typeof input.attribute === 'string' ? attributes.find((entry) => entry.id.toLowerCase() === String(input.attribute).toLowerCase()) : undefined;
      if (!attribute) return `attributeCollectionPage input ${String(input.attribute).slice(0, 120)} is not one of onAttributeCollection.attributes.`;
      const inputType = input.inputType ?? 'text';
      if (typeof inputType !== 'string' || !INPUT_TYPES.has(inputType)) return `attributeCollectionPage input ${attribute.id} has an inputType other than ${[...INPUT_TYPES].join(', ')}.`;
      for (const flag of ['hidden', 'editable', 'writeToDirectory', 'required'] as const) {
        if (input[flag] !== undefined && typeof input[flag] !== 'boolean') return `attributeCollectionPage input ${attribute.id}: ${flag} must be true or false.`;
      }
      if (input.validationRegEx !== undefined && input.validationRegEx !== null && typeof input.validationRegEx !== 'string') return `attributeCollectionPage input ${attribute.id}: validationRegEx must be a string.`;
      inputs.push({
        attribute: attribute.id,
        label: typeof input.label === 'string' ? input.label : attribute.displayName,
        inputType,
        hidden: input.hidden === true,
        editable: input.editable !== false,
        writeToDirectory: input.writeToDirectory !== false,
        required: input.required === true,
        validationRegEx: typeof input.validationRegEx === 'string' ? input.validationRegEx : null,
        options: Array.isArray(input.options) ? input.options.map(bodyOf).map((option) => ({ label: String(option.label ?? ''), value: String(option.value ?? '') })) : [],
      });
    }
    pageViews.push({ title: typeof view.title === 'string' ? view.title : null, description: typeof view.description === 'string' ? view.description : null, inputs });
  }
  return { '@odata.type': ATTRIBUTE_COLLECTION_TYPE, attributes, attributeCollectionPage: { views: pageViews } };
}

/**
 * Validates a sign-up user flow as Graph does on create (and, merged with the stored one, on update): `@odata.type`
 * externalUsersSelfServiceSignUpEventsFlow; displayName required and unique; onInteractiveAuthFlowStart and
 * onAuthenticationMethodLoadStart (at least one identity provider) required; onAttributeCollection's attributes
 * existing user flow attributes and its page's inputs among them; each attribute collection handler referencing an
 * existing custom extension of the matching type. Returns the flow, or Graph's complaint.
 *
 * @example
 *   const flow = userFlowFrom(objects, body, randomUUID());
 *   if (typeof flow === 'string') return badRequest(reply, flow);
 */
export function userFlowFrom(objects: TenantObjects, body: Body, id: string): AuthenticationEventsFlow | string {
  if (body['@odata.type'] !== FLOW_TYPE) return `@odata.type must be ${FLOW_TYPE}.`;
  if (typeof body.displayName !== 'string' || body.displayName.trim() === '' || body.displayName.length > 256) return 'displayName is required.';
  const displayName = body.displayName;
  if ([...objects.userFlows.values()].some((flow) => flow.id !== id && flow.displayName.toLowerCase() === displayName.toLowerCase())) return `A user flow named ${displayName} already exists; displayName must be unique.`;
  const interactive = bodyOf(body.onInteractiveAuthFlowStart);
  if (interactive['@odata.type'] !== INTERACTIVE_START_TYPE) return `onInteractiveAuthFlowStart is required: a ${INTERACTIVE_START_TYPE}.`;
  if (interactive.isSignUpAllowed !== undefined && typeof interactive.isSignUpAllowed !== 'boolean') return 'onInteractiveAuthFlowStart.isSignUpAllowed must be true or false.';
  const methods = bodyOf(body.onAuthenticationMethodLoadStart);
  if (methods['@odata.type'] !== METHOD_LOAD_START_TYPE) return `onAuthenticationMethodLoadStart is required: a ${METHOD_LOAD_START_TYPE}.`;
  const providers = Array.isArray(methods.identityProviders) ? methods.identityProviders.map(bodyOf) : [];
  if (providers.length === 0) return 'onAuthenticationMethodLoadStart must have at least one identity provider linked.';
  const unknownProvider = providers.find((provider) => typeof provider.id !== 'string' || !IDENTITY_PROVIDERS.has(provider.id));
  if (unknownProvider) return `onAuthenticationMethodLoadStart.identityProviders names ${String(unknownProvider.id).slice(0, 120)}, not an identity provider of this tenant (${[...IDENTITY_PROVIDERS].join(', ')}).`;
  const onAttributeCollection = attributeCollectionFrom(objects, body.onAttributeCollection);
  if (typeof onAttributeCollection === 'string') return onAttributeCollection;
  const start = handlerFrom(objects, 'onAttributeCollectionStart', body.onAttributeCollectionStart);
  if (typeof start === 'string') return start;
  const submit = handlerFrom(objects, 'onAttributeCollectionSubmit', body.onAttributeCollectionSubmit);
  if (typeof submit === 'string') return submit;
  const include = Array.isArray(bodyOf(bodyOf(body.conditions).applications).includeApplications) ? (bodyOf(bodyOf(body.conditions).applications).includeApplications as unknown[]).map(bodyOf) : [];
  if (include.some((entry) => typeof entry.appId !== 'string' || !GUID.test(entry.appId))) return 'conditions.applications.includeApplications holds { appId } entries.';
  if (body.priority !== undefined && !Number.isInteger(body.priority)) return 'priority must be an integer.';
  return {
    id,
    '@odata.type': FLOW_TYPE,
    displayName,
    description: typeof body.description === 'string' ? body.description : null,
    priority: Number.isInteger(body.priority) ? (body.priority as number) : 500,
    conditions: { applications: { includeApplications: [...new Set(include.map((entry) => String(entry.appId).toLowerCase()))].map((appId) => ({ appId })) } },
    onInteractiveAuthFlowStart: { '@odata.type': INTERACTIVE_START_TYPE, isSignUpAllowed: interactive.isSignUpAllowed !== false },
    onAuthenticationMethodLoadStart: { '@odata.type': METHOD_LOAD_START_TYPE, identityProviders: providers.map((provider) => ({ id: String(provider.id) })) },
    onAttributeCollection,
    onAttributeCollectionStart: start,
    onAttributeCollectionSubmit: submit,
  };
}

/**
 * An update of a user flow as Graph's update page describes it: `@odata.type` required; the properties sent replace
 * the stored ones, and the result is validated whole again. `id` cannot change. onAttributeCollection can be updated
 * only on a flow created with one (else Graph points to "Add attribute"); its `attributes` are a relationship, so
 * the page's inputs decide them, as in the page's examples 2 and 3: an input names an attribute the flow collects,
 * and an attribute whose input is left out is removed from the flow.
 * https://learn.microsoft.com/graph/api/authenticationeventsflow-update?view=graph-rest-1.0
 */
export function patchedUserFlow(objects: TenantObjects, existing: AuthenticationEventsFlow, body: Body): AuthenticationEventsFlow | string {
  if (body['@odata.type'] !== existing['@odata.type']) return `You must specify the @odata.type of the user flow to update: ${existing['@odata.type']}.`;
  if ('id' in body && body.id !== existing.id) return 'Property id is read-only.';
  if (body.onAttributeCollection !== undefined && body.onAttributeCollection !== null) {
    if (!existing.onAttributeCollection) return 'onAttributeCollection can only be updated on a user flow created with it; add attributes with POST …/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes/$ref.';
    const collection = bodyOf(body.onAttributeCollection);
    if (!('attributes' in collection)) body = { ...body, onAttributeCollection: { ...collection, attributes: attributesNamedBy(collection) } };
  }
  return userFlowFrom(objects, { ...existing, ...body }, existing.id);
}

/** The attributes a page's inputs name, in their order, as `{ id }` references (each checked as a user flow attribute later). */
function attributesNamedBy(collection: Body): Array<{ id: unknown }> {
  const views = bodyOf(collection.attributeCollectionPage).views;
  const inputs = (Array.isArray(views) ? views.map(bodyOf) : []).flatMap((view) => (Array.isArray(view.inputs) ? view.inputs.map(bodyOf) : []));
  return [...new Set(inputs.map((input) => input.attribute))].map((id) => ({ id }));
}

/** Whether a custom extension is referenced by a user flow's attribute collection handler (Graph then refuses its deletion). */
export function usedByUserFlow(objects: TenantObjects, extensionId: string): boolean {
  return [...objects.userFlows.values()].some((flow) => flow.onAttributeCollectionStart?.customExtension.id === extensionId || flow.onAttributeCollectionSubmit?.customExtension.id === extensionId);
}

/**
 * Graph's "Add attribute (to user flow)": the user flow attribute `@odata.id` names
 * (`https://graph.microsoft.com/v1.0/identity/userFlowAttributes/{id}`) joins the flow's attributes and, with the
 * default settings, its page's last view (https://learn.microsoft.com/graph/api/onattributecollectionexternalusersselfservicesignup-post-attributes?view=graph-rest-1.0).
 * Returns the updated flow, or Graph's complaint.
 */
export function withUserFlowAttribute(objects: TenantObjects, flow: AuthenticationEventsFlow, body: Body): AuthenticationEventsFlow | string {
  const reference = body['@odata.id'];
  const id = typeof reference === 'string' ? /\/identity\/userFlowAttributes\/([^/?#]{1,200})$/.exec(reference)?.[1] : undefined;
  const attribute = id ? userFlowAttributes(objects).find((entry) => entry.id.toLowerCase() === decodeURIComponent(id).toLowerCase()) : undefined;
  if (!attribute) return '@odata.id must be the URL of a user flow attribute of this tenant: https://graph.microsoft.com/v1.0/identity/userFlowAttributes/{id}.';
  const next = structuredClone(flow);
  next.onAttributeCollection ??= { '@odata.type': ATTRIBUTE_COLLECTION_TYPE, attributes: [], attributeCollectionPage: { views: [] } };
  if (next.onAttributeCollection.attributes.some((entry) => entry.id === attribute.id)) return `The attribute ${attribute.id} is already part of the user flow.`;
  next.onAttributeCollection.attributes.push(attribute);
  const views = next.onAttributeCollection.attributeCollectionPage.views;
  if (views.length === 0) views.push({ title: null, description: null, inputs: [] });
  views.at(-1)!.inputs.push({
    attribute: attribute.id,
    label: attribute.displayName,
    inputType: attribute.dataType === 'boolean' ? 'boolean' : 'text',
    hidden: false,
    editable: true,
    writeToDirectory: true,
    required: false,
    validationRegEx: null,
    options: [],
  });
  return next;
}
