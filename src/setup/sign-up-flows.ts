import type { GraphClient } from '../graph/index.js';

export const SIGN_UP_FLOW_TYPE = '#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow';
export const ATTRIBUTE_COLLECTION_TYPE = '#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp';

/**
 * The profile attributes SIGNUP_COLLISION=link carries from a legacy account into the sign-up
 * (handlers/attribute-collection-policy.ts `profileAttributes`); the legacy id goes to LEGACY_ID_ATTRIBUTE beside them.
 */
export const LINKED_PROFILE_ATTRIBUTES = ['displayName', 'givenName', 'surname'] as const;

/** One input of a sign-up flow's attribute page (Graph's authenticationAttributeCollectionInputConfiguration); other properties are kept as read. */
export interface SignUpPageInput {
  attribute: string;
  hidden?: boolean;
  editable?: boolean;
  required?: boolean;
  [property: string]: unknown;
}

/** One view (a page) of a sign-up flow's attribute collection page. */
export interface SignUpPageView {
  title?: string | null;
  description?: string | null;
  inputs?: SignUpPageInput[];
}

/** A self-service sign-up user flow as Graph lists it (identity/authenticationEventsFlows), the parts setup and doctor read. */
export interface GraphSignUpFlow {
  id: string;
  '@odata.type': string;
  displayName: string;
  conditions?: { applications?: { includeApplications?: Array<{ appId: string }> } };
  onAttributeCollection?: null | {
    '@odata.type'?: string;
    attributes?: Array<{ id: string; dataType?: string }>;
    attributeCollectionPage?: { views?: SignUpPageView[] };
  };
}

/** Where an attribute stands on a flow's attribute page: not collected, collected and shown, or collected hidden. */
export type AttributePlacement = 'absent' | 'shown' | 'hidden';

/**
 * The sign-up user flows linked to any of the applications (`conditions.applications.includeApplications`), in
 * Graph's order. Only these flows run when a user of those applications signs up.
 *
 * @example
 *   const flows = await signUpFlowsOf(graph, ['00000000-0000-4000-8000-000000000001']);
 */
export async function signUpFlowsOf(graph: GraphClient, clientAppIds: readonly string[]): Promise<GraphSignUpFlow[]> {
  const apps = new Set(clientAppIds.map((id) => id.toLowerCase()));
  const flows = (await graph.call<{ value: GraphSignUpFlow[] }>('GET', '/v1.0/identity/authenticationEventsFlows')).value;
  return flows.filter((flow) => flow['@odata.type'] === SIGN_UP_FLOW_TYPE && (flow.conditions?.applications?.includeApplications ?? []).some((entry) => apps.has(entry.appId.toLowerCase())));
}

/** The page's inputs, all views together. */
export function pageInputs(flow: GraphSignUpFlow): SignUpPageInput[] {
  return (flow.onAttributeCollection?.attributeCollectionPage?.views ?? []).flatMap((view) => view.inputs ?? []);
}

/**
 * Whether the flow collects `attribute` and how: Entra writes only what the flow collects (an attribute of the flow
 * with an input on its page), and a value the extension supplies belongs in a hidden input, where the user neither
 * sees nor types it.
 *
 * @example
 *   attributePlacement(flow, 'extension_0a1b…_legacyId') // 'hidden'
 */
export function attributePlacement(flow: GraphSignUpFlow, attribute: string): AttributePlacement {
  const wanted = attribute.toLowerCase();
  const listed = (flow.onAttributeCollection?.attributes ?? []).some((entry) => entry.id.toLowerCase() === wanted);
  const input = pageInputs(flow).find((entry) => entry.attribute.toLowerCase() === wanted);
  if (!listed || !input) return 'absent';
  return input.hidden === true ? 'hidden' : 'shown';
}
