import type { GraphClient } from '../graph/index.js';
import { SetupError, SetupErrorCode } from './errors.js';
import type { SetupWrite } from './listener-step.js';
import type { SetupStep } from './setup-step.js';
import { ATTRIBUTE_COLLECTION_TYPE, LINKED_PROFILE_ATTRIBUTES, pageInputs, signUpFlowsOf, SIGN_UP_FLOW_TYPE, type GraphSignUpFlow, type SignUpPageInput, type SignUpPageView } from './sign-up-flows.js';

/** A user flow attribute as Graph lists it (identity/userFlowAttributes). */
interface UserFlowAttribute {
  id: string;
  dataType: string;
  userFlowAttributeType: string;
}

export interface SignUpAttributesStepOptions {
  graph: GraphClient;
  dryRun: boolean;
  write: SetupWrite;
  /** The b2c-extensions-app's app id: the migration flag's owner, and the legacy id's. */
  b2cExtensionsAppId: string;
  /** The names of the extension properties already on the b2c-extensions-app, with their types. */
  extensionProperties: ReadonlyArray<{ name: string; dataType: string }>;
  /** The legacy id's extension property short name (`legacyId`). */
  legacyIdName: string;
  /** The sign-up flow chosen by {@link chooseSignUpFlow}, as read before any write. */
  flow: GraphSignUpFlow;
}

/**
 * The sign-up user flow `setup --signup-attributes` changes: the one linked to the client applications, or with
 * several, the one `flowId` names. Read before setup writes anything, so a tenant without a fitting flow is left
 * untouched.
 *
 * @example
 *   const flow = await chooseSignUpFlow(graph, ['00000000-0000-4000-8000-000000000001'], undefined);
 */
export async function chooseSignUpFlow(graph: GraphClient, clientAppIds: readonly string[], flowId: string | undefined): Promise<GraphSignUpFlow> {
  const flows = await signUpFlowsOf(graph, clientAppIds);
  const apps = clientAppIds.join(', ');
  if (flowId) {
    const chosen = flows.find((flow) => flow.id.toLowerCase() === flowId.toLowerCase());
    if (!chosen) {
      throw new SetupError(
        SetupErrorCode.SIGN_UP_FLOW_NOT_FOUND,
        `No sign-up user flow ${flowId} is linked to ${apps}${flows.length > 0 ? `; linked: ${describe(flows)}` : ''}. Give --flow one of the flows the application uses.`,
      );
    }
    return chosen;
  }
  if (flows.length === 0) {
    throw new SetupError(
      SetupErrorCode.SIGN_UP_FLOW_NOT_FOUND,
      `No sign-up user flow is linked to ${apps}: users of that application cannot sign up, so there is nothing to add the legacy id to. Create a sign-up flow for it (Entra admin center, External Identities > User flows) and run setup again.`,
    );
  }
  if (flows.length > 1) {
    throw new SetupError(SetupErrorCode.SIGN_UP_FLOW_AMBIGUOUS, `Several sign-up user flows are linked to ${apps}: ${describe(flows)}. Choose one with --flow <id>.`);
  }
  return flows[0]!;
}

const describe = (flows: readonly GraphSignUpFlow[]) => flows.map((flow) => `"${flow.displayName}" (${flow.id})`).join(', ');
const attributesPath = (flowId: string) =>
  `/v1.0/identity/authenticationEventsFlows/${flowId}/microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp/attributes/$ref`;

/**
 * Steps 5 and 6 of setup, for SIGNUP_COLLISION=link: Entra writes only the attributes a sign-up flow collects, so
 * the `modifyAttributeValues` answer's legacy id (and legacy profile) reach the new account only when the flow has
 * them on its page. (5) the legacy id's user flow attribute, `extension_{b2cAppId}_{legacyIdName}` — a custom user
 * flow attribute is a string extension property on the b2c-extensions-app, the flag's owner, so it is created with
 * `POST identity/userFlowAttributes`. (6) on the chosen flow, the legacy id and each linked profile attribute the
 * flow lacks are added by reference (`POST …/attributes/$ref`, Graph's "Add attribute (to user flow)", which puts
 * them on the page with default settings), then the page is PATCHed with every input kept (Graph drops an input left
 * out) and these made hidden and not required. A profile attribute the page already shows stays as it is.
 *
 * @example
 *   const { steps, legacyIdAttribute } = await signUpAttributeSteps({ graph, dryRun, write, b2cExtensionsAppId, extensionProperties, legacyIdName: 'legacyId', flow });
 */
export async function signUpAttributeSteps(options: SignUpAttributesStepOptions): Promise<{ steps: SetupStep[]; legacyIdAttribute: string }> {
  const { graph, write, flow } = options;
  const changed = (step: SetupStep, created = false) => {
    if (step.status === 'in place') step.status = options.dryRun ? (created ? 'would create' : 'would update') : created ? 'created' : 'updated';
  };

  // 5. The legacy id's user flow attribute.
  const attributeStep: SetupStep = { name: 'legacy id attribute', status: 'in place', detail: '', requests: [] };
  let legacyIdAttribute = `extension_${options.b2cExtensionsAppId.replace(/-/g, '')}_${options.legacyIdName}`;
  const offered = (await graph.call<{ value: UserFlowAttribute[] }>('GET', '/v1.0/identity/userFlowAttributes')).value.find((entry) => entry.id.toLowerCase() === legacyIdAttribute.toLowerCase());
  const property = options.extensionProperties.find((entry) => entry.name.toLowerCase() === legacyIdAttribute.toLowerCase());
  if ((offered && offered.dataType !== 'string') || (property && property.dataType !== 'String')) {
    throw new SetupError(SetupErrorCode.OPTION_INVALID, `${legacyIdAttribute} exists as ${offered?.dataType ?? property?.dataType}; the legacy id is sent as a string. Choose another --legacy-id-name.`);
  }
  if (!offered && property) {
    throw new SetupError(SetupErrorCode.TENANT_UNSUITABLE, `${legacyIdAttribute} exists on the b2c-extensions-app but Graph does not list it among identity/userFlowAttributes, so no user flow can collect it. Choose another --legacy-id-name.`);
  }
  if (!offered) {
    const created = await write<UserFlowAttribute>(attributeStep, 'POST', '/v1.0/identity/userFlowAttributes', {
      displayName: options.legacyIdName,
      description: 'The account id in the legacy identity system (entra-migrate, SIGNUP_COLLISION=link)',
      dataType: 'string',
    });
    legacyIdAttribute = created?.id ?? legacyIdAttribute;
    changed(attributeStep, true);
  }
  attributeStep.detail = `${legacyIdAttribute} (string, on the b2c-extensions-app)`;

  // 6. The flow's page: the legacy id and the profile attributes it lacks, as hidden inputs.
  const flowStep: SetupStep = { name: 'sign-up flow', status: 'in place', detail: '', requests: [] };
  const listed = new Set((flow.onAttributeCollection?.attributes ?? []).map((entry) => entry.id.toLowerCase()));
  const onPage = new Set(pageInputs(flow).map((input) => input.attribute.toLowerCase()));
  const addedProfile = LINKED_PROFILE_ATTRIBUTES.filter((name) => !listed.has(name.toLowerCase()) || !onPage.has(name.toLowerCase()));
  const keptProfile = LINKED_PROFILE_ATTRIBUTES.filter((name) => !addedProfile.includes(name));
  const hide = [legacyIdAttribute, ...addedProfile];
  const referenced = hide.filter((name) => !listed.has(name.toLowerCase()));
  for (const name of referenced) {
    await write(flowStep, 'POST', attributesPath(flow.id), { '@odata.id': `https://graph.microsoft.com/v1.0/identity/userFlowAttributes/${name}` });
    changed(flowStep);
  }
  // Graph puts a referenced attribute on the page, shown, with default settings: read the page again (a dry run
  // predicts it) before hiding it.
  const current = referenced.length === 0 ? flow : options.dryRun ? withDefaultInputs(flow, referenced) : await graph.call<GraphSignUpFlow>('GET', `/v1.0/identity/authenticationEventsFlows/${flow.id}`);
  const { views, changes } = hiddenInputs(current, hide);
  if (changes > 0) {
    await write(flowStep, 'PATCH', `/v1.0/identity/authenticationEventsFlows/${flow.id}`, {
      '@odata.type': SIGN_UP_FLOW_TYPE,
      onAttributeCollection: { '@odata.type': ATTRIBUTE_COLLECTION_TYPE, attributeCollectionPage: { views } },
    });
    changed(flowStep);
  }
  flowStep.detail = [
    `"${flow.displayName}" (${flow.id}): ${legacyIdAttribute} hidden`,
    addedProfile.length > 0 && `${addedProfile.join(', ')} hidden (the flow lacked ${addedProfile.length === 1 ? 'it' : 'them'})`,
    keptProfile.length > 0 && `${keptProfile.join(', ')} already on the page, left as ${keptProfile.length === 1 ? 'it is' : 'they are'}`,
  ].filter(Boolean).join('; ');
  return { steps: [attributeStep, flowStep], legacyIdAttribute };
}

/** A dry run's picture of the flow after the `$ref` calls: each attribute appended to the last view, shown. */
function withDefaultInputs(flow: GraphSignUpFlow, names: readonly string[]): GraphSignUpFlow {
  const next = structuredClone(flow);
  next.onAttributeCollection ??= { '@odata.type': ATTRIBUTE_COLLECTION_TYPE, attributes: [], attributeCollectionPage: { views: [] } };
  const collection = next.onAttributeCollection;
  collection.attributes = [...(collection.attributes ?? []), ...names.map((id) => ({ id }))];
  collection.attributeCollectionPage ??= { views: [] };
  const views = (collection.attributeCollectionPage.views ??= []);
  if (views.length === 0) views.push({ title: null, description: null, inputs: [] });
  const last = views.at(-1)!;
  last.inputs = [...(last.inputs ?? []), ...names.map((attribute) => ({ attribute, label: attribute, inputType: 'text', hidden: false, editable: true, writeToDirectory: true, required: false }))];
  return next;
}

/**
 * The page's views with each input of `names` hidden and not required (a required input the user cannot see would
 * stop every sign-up that is not a link), and an input added to the last view for a listed attribute that has none.
 * Every other input is kept as read: Graph removes from the flow an attribute whose input a PATCH leaves out.
 */
function hiddenInputs(flow: GraphSignUpFlow, names: readonly string[]): { views: Array<SignUpPageView & { inputs: SignUpPageInput[] }>; changes: number } {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  let changes = 0;
  const views = structuredClone(flow.onAttributeCollection?.attributeCollectionPage?.views ?? []).map((view) => ({
    ...view,
    inputs: (view.inputs ?? []).map((input): SignUpPageInput => {
      if (!wanted.has(input.attribute.toLowerCase()) || (input.hidden === true && input.required !== true)) return input;
      changes++;
      return { ...input, hidden: true, required: false };
    }),
  }));
  const present = new Set(views.flatMap((view) => view.inputs.map((input) => input.attribute.toLowerCase())));
  const missing = names.filter((name) => !present.has(name.toLowerCase()));
  if (missing.length > 0) {
    if (views.length === 0) views.push({ title: null, description: null, inputs: [] });
    views.at(-1)!.inputs.push(...missing.map((attribute) => ({ attribute, label: attribute, inputType: 'text', hidden: true, editable: true, writeToDirectory: true, required: false })));
    changes += missing.length;
  }
  return { views, changes };
}
