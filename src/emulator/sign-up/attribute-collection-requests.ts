import { randomUUID } from 'node:crypto';
import { EMULATOR_SIGN_IN_APP } from '../callout-client.js';
import type { Identity } from '../directory.js';
import type { EmulatedTenant } from '../tenant.js';
import type { AttributeCollectionEndpoint, AttributeValue, FlowAttribute } from './user-flow.js';

/** What the request says about the person signing up and the app they came from. */
export interface SignUpContext {
  /** The verified e-mail address. */
  email: string;
  client: { ip: string; locale: string; market: string };
  /** The client application of the sign-up; default the emulator's own. */
  clientAppId?: string;
}

export const ATTRIBUTE_COLLECTION_EVENTS = {
  start: { type: 'microsoft.graph.authenticationEvent.attributeCollectionStart', data: 'microsoft.graph.onAttributeCollectionStartCalloutData' },
  submit: { type: 'microsoft.graph.authenticationEvent.attributeCollectionSubmit', data: 'microsoft.graph.onAttributeCollectionSubmitCalloutData' },
} as const;

export type AttributeCollectionEvent = keyof typeof ATTRIBUTE_COLLECTION_EVENTS;

/** The value a start request carries for an attribute nothing has filled yet: the form's empty default. */
const EMPTY: Record<FlowAttribute['dataType'], AttributeValue> = { string: '', boolean: false, int64: 0 };

/**
 * The body Entra POSTs to an OnAttributeCollectionStart or OnAttributeCollectionSubmit extension, as documented
 * (learn.microsoft.com/entra/identity-platform/custom-extension-onattributecollectionstart-reference and
 * …-onattributecollectionsubmit-reference): every attribute the flow collects with its `@odata.type`, value and
 * `attributeType`, and the verified e-mail as the identity (`signInType` `email`, as the reference shows it). The
 * user does not exist yet, so the authentication context has no `user`; the password is never sent.
 *
 * @example
 *   const body = attributeCollectionRequest('submit', { tenant, endpoint, attributes, values: { givenName: 'Ada' }, context });
 */
export function attributeCollectionRequest(
  event: AttributeCollectionEvent,
  input: { tenant: EmulatedTenant; endpoint: AttributeCollectionEndpoint; attributes: readonly FlowAttribute[]; values: Readonly<Record<string, AttributeValue>>; context: SignUpContext },
) {
  const { tenant, endpoint, context } = input;
  const app = context.clientAppId && context.clientAppId !== EMULATOR_SIGN_IN_APP.appId
    ? { id: context.clientAppId, appId: context.clientAppId, appDisplayName: 'client application', displayName: 'client application' }
    : { id: EMULATOR_SIGN_IN_APP.id, appId: EMULATOR_SIGN_IN_APP.appId, appDisplayName: EMULATOR_SIGN_IN_APP.displayName, displayName: EMULATOR_SIGN_IN_APP.displayName };
  const identities: Identity[] = [{ signInType: 'email', issuer: tenant.domain, issuerAssignedId: context.email }];
  return {
    type: ATTRIBUTE_COLLECTION_EVENTS[event].type,
    source: `/tenants/${tenant.tenantId}/applications/${endpoint.appId}`,
    data: {
      '@odata.type': ATTRIBUTE_COLLECTION_EVENTS[event].data,
      tenantId: tenant.tenantId,
      authenticationEventListenerId: endpoint.listenerId,
      customAuthenticationExtensionId: endpoint.id,
      authenticationContext: {
        correlationId: randomUUID(),
        client: context.client,
        protocol: 'OAUTH2.0',
        clientServicePrincipal: app,
        resourceServicePrincipal: null,
      },
      userSignUpInfo: {
        attributes: Object.fromEntries(
          input.attributes.map((attribute) => [
            attribute.name,
            {
              '@odata.type': `microsoft.graph.${attribute.dataType}DirectoryAttributeValue`,
              value: input.values[attribute.name] ?? EMPTY[attribute.dataType],
              attributeType: attribute.attributeType,
            },
          ]),
        ),
        identities,
      },
    },
  };
}
