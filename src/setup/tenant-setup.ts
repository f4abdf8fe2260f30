import { createHash } from 'node:crypto';
import {
  MICROSOFT_GRAPH_APP_ID,
  RECEIVE_PAYLOAD_ROLE_ID,
  type GraphApplication as Application,
  type GraphClient,
  type GraphCustomExtension as CustomExtension,
  type GraphEventListener as Listener,
} from '../graph/index.js';
import { encryptionKeyCredential } from '../security/index.js';
import { CLAIM_NAME_PATTERN } from '../events/index.js';
import { claimsMappingStep, planClaimsMapping, removeClaimsMapping } from './claims-mapping-step.js';
import { SetupError, SetupErrorCode } from './errors.js';
import { chooseAttributeCollectionFlows, eventSteps, type EventExtensionResult, type SignUpFlowWithHandlers } from './event-steps.js';
import { ATTRIBUTE_COLLECTION_HANDLERS, eventTargetUrl, SETUP_EVENT_DESCRIPTORS, type SetupEvent } from './events.js';
import { LISTENER_TYPE, listenerStep, type SetupWrite } from './listener-step.js';
import type { SetupStep } from './setup-step.js';
import { chooseSignUpFlow, signUpAttributeSteps } from './sign-up-attributes-step.js';
export type { SetupStep, StepStatus } from './setup-step.js';

const EXTENSION_TYPE = '#microsoft.graph.onPasswordSubmitCustomExtension';

export interface SetupOptions {
  graph: GraphClient;
  /** Print each request instead of sending writes (reads still run: they decide what would change). */
  dryRun: boolean;
  /** The extension's public HTTPS endpoint, e.g. https://auth.contoso.com/events/password-submit. */
  targetUrl: string;
  /** The encryption certificate (DER) whose private key `serve` holds. */
  certificateDer: Uint8Array;
  /** An existing app registration for the extension; without it one named `extensionAppName` is found or created. */
  extensionAppId?: string;
  extensionAppName: string;
  /** The client applications whose sign-ins call the extension (the listener's `includeApplications`). */
  clientAppIds: readonly string[];
  /** The Boolean extension property's short name. Default `toBeMigrated`. */
  flagName: string;
  /** `clientConfiguration.timeoutInMilliseconds` (200–2000). */
  timeoutInMs: number;
  maximumRetries: 0 | 1;
  /** Remove the app registration's other encryption certificates: the last step of a key rotation. */
  retireOldKeys?: boolean;
  /**
   * `--signup-attributes`: also put the legacy id (and the linked profile attributes the flow lacks) on the client
   * applications' sign-up flow as hidden inputs, for SIGNUP_COLLISION=link. `flowId` chooses among several flows;
   * `legacyIdName` is the extension property's short name (default `legacyId`).
   */
  signUpAttributes?: { flowId?: string; legacyIdName?: string };
  /**
   * The events to provision (`--events`). Default `['password-submit']`, setup's behaviour before the option. Each
   * event's extension targets `/events/<route>` on the target URL's origin ({@link eventTargetUrl}), with the one app
   * registration's resource id.
   */
  events?: readonly SetupEvent[];
  /** token-issuance-start (required with it): the claims the API returns, each mapped into the client apps' tokens. */
  claims?: readonly string[];
  /** otp-send: the listener falls back to Microsoft's e-mail provider when the extension fails. Default true. */
  otpFallback?: boolean;
  /** attribute-collection: the one sign-up flow to attach the handlers to (default: every flow linked to the client apps). */
  flowId?: string;
  /** Waits between attempts while a new object replicates. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SetupResult {
  steps: SetupStep[];
  /** The flag attribute, `extension_<b2cExtensionsAppIdNoHyphens>_<flagName>`. */
  flagAttribute: string;
  extensionAppId: string;
  resourceId: string;
  /** The OnPasswordSubmit extension and listener; empty strings when password-submit is not among the events. */
  customExtensionId: string;
  listenerId: string;
  /** The other events' custom extensions, by route (`token-issuance-start`, `otp-send`, `attribute-collection-start`, …). */
  extensions: EventExtensionResult[];
  /** With `signUpAttributes`: the legacy id's attribute, `extension_<b2cExtensionsAppIdNoHyphens>_legacyId` (LEGACY_ID_ATTRIBUTE). */
  legacyIdAttribute?: string;
}

/** A placeholder for an id a dry run cannot know yet. */
const WOULD_BE = (what: string) => `<${what} of the new object>`;
/** Graph's answers for an object that exists but has not replicated to the replica answering yet. */
const NOT_YET_REPLICATED = /HTTP 404|Request_ResourceNotFound|does not reference a valid application object|does not exist/i;
const REPLICATION_RETRIES = 5;
/** True for a real id, false for a dry run's placeholder. */
const known = (id: string) => !id.startsWith('<');
const quote = (text: string) => text.replace(/'/g, "''");

/**
 * Provisions JIT migration in an External ID tenant through Graph, in four idempotent steps, each skipped when it is
 * already in place: (1) the Boolean extension property on the `b2c-extensions-app`; (2) the extension's app
 * registration — identifier URI `api://{host name of the target URL, no port}/{appId}` (else 1003014), access tokens v2, the
 * encryption certificate in `keyCredentials` (usage `Encrypt`) named by `tokenEncryptionKeyId`, its service
 * principal and the `CustomAuthenticationExtension.Receive.Payload` grant (else 1003021); (3) the
 * `onPasswordSubmitCustomExtension` with the target URL and a resource id of the same host (else 1003015); (4) the
 * `onPasswordSubmitListener` for the client applications with the flag as `migrationPropertyId` (listener-step.ts).
 * With `signUpAttributes`, (5) the legacy id's user flow attribute and (6) the client applications' sign-up flow
 * collecting it as a hidden input (sign-up-attributes-step.ts); the flow is chosen before the first write.
 *
 * @example
 *   const result = await runSetup({ graph, dryRun: false, targetUrl, certificateDer, extensionAppName: 'JIT migration', clientAppIds: [appId], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1 });
 */
export async function runSetup(options: SetupOptions): Promise<SetupResult> {
  const { graph } = options;
  const steps: SetupStep[] = [];
  const events = options.events && options.events.length > 0 ? [...new Set(options.events)] : (['password-submit'] as SetupEvent[]);
  const claims = [...new Set(options.claims ?? [])];
  checkEventOptions(events, claims);
  // Microsoft's reference: api://{hostname}/{appId} — the host name without the port (1003014, 1003015).
  const host = new URL(options.targetUrl).hostname;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const write: SetupWrite = async <T>(step: SetupStep, method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T | undefined> => {
    step.requests.push({ method, path, ...(body !== undefined && { body }) });
    if (options.dryRun) return undefined;
    // Entra's directory replicates: an object created a moment ago may be "not found" by the next call for a few
    // seconds. Such answers are retried (1, 2, 3, 4, 5 s); anything else fails at once.
    for (let attempt = 0; ; attempt++) {
      try {
        return await graph.call<T>(method, path, body);
      } catch (error) {
        if (attempt >= REPLICATION_RETRIES || !NOT_YET_REPLICATED.test(error instanceof Error ? error.message : '')) throw error;
        await sleep((attempt + 1) * 1000);
      }
    }
  };

  // 1. The flag: a Boolean extension property on the b2c-extensions-app.
  const flagStep: SetupStep = { name: 'extension property', status: 'in place', detail: '', requests: [] };
  const b2c = (await graph.call<{ value: Application[] }>('GET', `/v1.0/applications?$filter=${encodeURIComponent("startswith(displayName,'b2c-extensions-app')")}`)).value[0];
  if (!b2c) throw new SetupError(SetupErrorCode.TENANT_UNSUITABLE, 'This tenant has no b2c-extensions-app: it is not an External ID tenant, or the app was deleted. Extension properties live on it.');
  const flagAttribute = `extension_${b2c.appId.replace(/-/g, '')}_${options.flagName}`;
  // The sign-up flow is chosen before the first write: a tenant without a fitting flow is left as it was.
  const signUpFlow = options.signUpAttributes ? await chooseSignUpFlow(graph, options.clientAppIds, options.signUpAttributes.flowId) : undefined;
  // So are the flows attribute collection attaches to, and the claims mapping (an app or policy it cannot use stops it here).
  const collectionFlows: SignUpFlowWithHandlers[] = events.includes('attribute-collection') ? await chooseAttributeCollectionFlows(graph, options.clientAppIds, options.flowId) : [];
  const claimsPlan = events.includes('token-issuance-start') ? await planClaimsMapping(graph, options.clientAppIds, claims, claimsPolicyName(options.extensionAppName)) : undefined;
  const properties = (await graph.call<{ value: Array<{ name: string; dataType: string }> }>('GET', `/v1.0/applications/${b2c.id}/extensionProperties`)).value;
  const existingFlag = properties.find((property) => property.name === flagAttribute);
  if (existingFlag && existingFlag.dataType !== 'Boolean') throw new SetupError(SetupErrorCode.OPTION_INVALID, `${flagAttribute} exists as ${existingFlag.dataType}; the migration flag must be Boolean. Choose another --flag-name.`);
  if (!existingFlag) {
    await write(flagStep, 'POST', `/v1.0/applications/${b2c.id}/extensionProperties`, { name: options.flagName, dataType: 'Boolean', targetObjects: ['User'] });
    flagStep.status = options.dryRun ? 'would create' : 'created';
  }
  flagStep.detail = flagAttribute;
  steps.push(flagStep);

  // 2. The extension's app registration, its service principal and the Receive.Payload grant.
  const appStep: SetupStep = { name: 'app registration', status: 'in place', detail: '', requests: [] };
  const filter = options.extensionAppId ? `appId eq '${quote(options.extensionAppId)}'` : `displayName eq '${quote(options.extensionAppName)}'`;
  let application = (await graph.call<{ value: Application[] }>('GET', `/v1.0/applications?$filter=${encodeURIComponent(filter)}`)).value[0];
  if (!application && options.extensionAppId) throw new SetupError(SetupErrorCode.OPTION_INVALID, `No app registration has the app id ${options.extensionAppId}.`);
  if (!application) {
    const created = await write<Application>(appStep, 'POST', '/v1.0/applications', { displayName: options.extensionAppName });
    application = created ?? { id: WOULD_BE('object id'), appId: WOULD_BE('app id'), displayName: options.extensionAppName, identifierUris: [], keyCredentials: [], tokenEncryptionKeyId: null, requiredResourceAccess: [] };
    appStep.status = options.dryRun ? 'would create' : 'created';
  }
  const resourceId = `api://${host}/${application.appId}`;
  const thumbprint = createHash('sha1').update(options.certificateDer).digest('base64');
  const existingKey = application.keyCredentials.find((credential) => credential.customKeyIdentifier === thumbprint && credential.usage === 'Encrypt');
  const newKey = existingKey ? undefined : encryptionKeyCredential(options.certificateDer);
  const keyId = existingKey?.keyId ?? newKey!.keyId;
  const patch: Record<string, unknown> = {};
  // A moved endpoint replaces the old api://{old host}/{appId}; identifier URIs of other forms are kept.
  const ours = (uri: string) => uri.toLowerCase().startsWith('api://') && uri.toLowerCase().endsWith(`/${application.appId.toLowerCase()}`);
  if (!application.identifierUris.includes(resourceId)) patch.identifierUris = [resourceId, ...application.identifierUris.filter((uri) => !ours(uri))];
  if (application.api?.requestedAccessTokenVersion !== 2) patch.api = { requestedAccessTokenVersion: 2 };
  const retired = options.retireOldKeys ? application.keyCredentials.filter((credential) => credential.usage === 'Encrypt' && credential.keyId !== keyId) : [];
  if (newKey || retired.length > 0) {
    // PATCH replaces the whole collection, so the certificates kept are sent back with their keys — which Graph
    // returns only for one application read with $select=keyCredentials. A rotation adds beside them; retiring
    // (after `doctor` confirms the switch) drops the other encryption certificates.
    const existing = known(application.id) ? (await graph.call<{ keyCredentials: Application['keyCredentials'] }>('GET', `/v1.0/applications/${application.id}?$select=keyCredentials`)).keyCredentials : [];
    const kept = existing.filter((credential) => !retired.some((old) => old.keyId === credential.keyId));
    patch.keyCredentials = [...kept.map(({ keyId: id, type, usage, key, customKeyIdentifier, startDateTime, endDateTime, displayName }) => ({ keyId: id, type, usage, key, customKeyIdentifier, startDateTime, endDateTime, displayName })), ...(newKey ? [newKey] : [])];
  }
  if (application.tokenEncryptionKeyId !== keyId) patch.tokenEncryptionKeyId = keyId;
  const graphAccess = application.requiredResourceAccess.find((entry) => entry.resourceAppId === MICROSOFT_GRAPH_APP_ID);
  if (!graphAccess?.resourceAccess.some((access) => access.id === RECEIVE_PAYLOAD_ROLE_ID && access.type === 'Role')) {
    patch.requiredResourceAccess = [
      ...application.requiredResourceAccess.filter((entry) => entry.resourceAppId !== MICROSOFT_GRAPH_APP_ID),
      { resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: [...(graphAccess?.resourceAccess ?? []), { id: RECEIVE_PAYLOAD_ROLE_ID, type: 'Role' }] },
    ];
  }
  if (Object.keys(patch).length > 0) {
    await write(appStep, 'PATCH', `/v1.0/applications/${application.id}`, patch);
    if (appStep.status === 'in place') appStep.status = options.dryRun ? 'would update' : 'updated';
  }
  const graphPrincipal = (await graph.call<{ value: Array<{ id: string }> }>('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${MICROSOFT_GRAPH_APP_ID}'`)}`)).value[0];
  if (!graphPrincipal) throw new SetupError(SetupErrorCode.TENANT_UNSUITABLE, "This tenant has no service principal for Microsoft Graph; the permission cannot be granted.");
  let principal = known(application.appId) ? (await graph.call<{ value: Array<{ id: string }> }>('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${application.appId}'`)}`)).value[0] : undefined;
  if (!principal) {
    principal = (await write<{ id: string }>(appStep, 'POST', '/v1.0/servicePrincipals', { appId: application.appId })) ?? { id: WOULD_BE('service principal id') };
    if (appStep.status === 'in place') appStep.status = options.dryRun ? 'would update' : 'updated';
  }
  const grants = !known(principal.id) ? [] : (await graph.call<{ value: Array<{ resourceId: string; appRoleId: string }> }>('GET', `/v1.0/servicePrincipals/${principal.id}/appRoleAssignments`)).value;
  if (!grants.some((grant) => grant.resourceId === graphPrincipal.id && grant.appRoleId === RECEIVE_PAYLOAD_ROLE_ID)) {
    await write(appStep, 'POST', `/v1.0/servicePrincipals/${principal.id}/appRoleAssignments`, { principalId: principal.id, resourceId: graphPrincipal.id, appRoleId: RECEIVE_PAYLOAD_ROLE_ID });
    if (appStep.status === 'in place') appStep.status = options.dryRun ? 'would update' : 'updated';
  }
  appStep.detail = `${application.displayName} (${application.appId}), ${resourceId}, encryption key ${keyId}${retired.length > 0 ? `; retiring ${retired.map((old) => old.keyId).join(', ')}` : ''}`;
  steps.push(appStep);

  // 3 and 4, for password-submit: the OnPasswordSubmit extension and its listener.
  let customExtensionId = '';
  let listenerId = '';
  if (events.includes('password-submit')) {
    const password = await passwordSubmitSteps(options, graph, write, resourceId, flagAttribute);
    steps.push(...password.steps);
    customExtensionId = password.customExtensionId;
    listenerId = password.listenerId;
  }

  // The other events: their extensions at /events/<route>, listeners or sign-up flow handlers, and the claims mapping.
  const others = await eventSteps({
    graph,
    dryRun: options.dryRun,
    write,
    events: events.filter((event) => event !== 'password-submit'),
    targetUrl: options.targetUrl,
    resourceId,
    extensionAppName: options.extensionAppName,
    timeoutInMs: options.timeoutInMs,
    maximumRetries: options.maximumRetries,
    clientAppIds: options.clientAppIds,
    claims,
    otpFallback: options.otpFallback !== false,
    flows: collectionFlows,
  });
  steps.push(...others.steps);
  if (claimsPlan) steps.push(await claimsMappingStep({ plan: claimsPlan, dryRun: options.dryRun, write }));

  // 5 and 6, with --signup-attributes: the legacy id on the sign-up flow's page (sign-up-attributes-step.ts).
  let legacyIdAttribute: string | undefined;
  if (signUpFlow) {
    const signUp = await signUpAttributeSteps({ graph, dryRun: options.dryRun, write, b2cExtensionsAppId: b2c.appId, extensionProperties: properties, legacyIdName: options.signUpAttributes?.legacyIdName ?? 'legacyId', flow: signUpFlow });
    steps.push(...signUp.steps);
    legacyIdAttribute = signUp.legacyIdAttribute;
  }

  return { steps, flagAttribute, extensionAppId: application.appId, resourceId, customExtensionId, listenerId, extensions: others.extensions, ...(legacyIdAttribute && { legacyIdAttribute }) };
}

/** The name of the claims mapping policy setup creates for token issuance. */
export const claimsPolicyName = (extensionAppName: string) => `${extensionAppName} claims`;

/** Refuses, before anything is read, claims without token-issuance-start, token-issuance-start without claims, and claim names serve could not return. */
function checkEventOptions(events: readonly SetupEvent[], claims: readonly string[]): void {
  const tokenIssuance = events.includes('token-issuance-start');
  if (tokenIssuance && claims.length === 0) throw new SetupError(SetupErrorCode.OPTION_INVALID, 'token-issuance-start needs --claims: the claims the extension returns (e.g. --claims legacyId,roles).');
  if (!tokenIssuance && claims.length > 0) throw new SetupError(SetupErrorCode.OPTION_INVALID, '--claims names the claims of token-issuance-start; add it to --events.');
  const bad = claims.filter((claim) => !CLAIM_NAME_PATTERN.test(claim));
  if (bad.length > 0) throw new SetupError(SetupErrorCode.OPTION_INVALID, `--claims: ${bad.map((claim) => JSON.stringify(claim.slice(0, 40))).join(', ')} is not a claim name (a letter, then letters, digits, _ . or -; at most 128).`);
}

/** Steps 3 and 4: the OnPasswordSubmit extension for the target URL, and its listener. */
async function passwordSubmitSteps(options: SetupOptions, graph: GraphClient, write: SetupWrite, resourceId: string, flagAttribute: string): Promise<{ steps: SetupStep[]; customExtensionId: string; listenerId: string }> {
  const steps: SetupStep[] = [];
  // 3. The custom authentication extension.
  const extensionStep: SetupStep = { name: 'custom extension', status: 'in place', detail: '', requests: [] };
  const desired = {
    '@odata.type': EXTENSION_TYPE,
    displayName: `${options.extensionAppName} (OnPasswordSubmit)`,
    description: 'Just-in-time password migration (entra-migrate)',
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: options.targetUrl },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId },
    clientConfiguration: { timeoutInMilliseconds: options.timeoutInMs, maximumRetries: options.maximumRetries },
  };
  const extensions = (await graph.call<{ value: CustomExtension[] }>('GET', '/beta/identity/customAuthenticationExtensions')).value.filter((entry) => entry['@odata.type'] === EXTENSION_TYPE);
  // Ours is the one for this resource, else the one calling this URL (another app registration, renamed), else by name:
  // updating it in place keeps its listener, where a second extension would leave two listeners for the same apps.
  let extension =
    extensions.find((entry) => entry.authenticationConfiguration.resourceId === resourceId) ??
    extensions.find((entry) => entry.endpointConfiguration.targetUrl === options.targetUrl) ??
    extensions.find((entry) => entry.displayName === desired.displayName);
  if (!extension) {
    extension = (await write<CustomExtension>(extensionStep, 'POST', '/beta/identity/customAuthenticationExtensions', desired)) ?? { ...desired, id: WOULD_BE('custom extension id') };
    extensionStep.status = options.dryRun ? 'would create' : 'created';
  } else if (
    extension.endpointConfiguration.targetUrl !== options.targetUrl ||
    extension.authenticationConfiguration.resourceId !== resourceId ||
    extension.clientConfiguration.timeoutInMilliseconds !== options.timeoutInMs ||
    extension.clientConfiguration.maximumRetries !== options.maximumRetries
  ) {
    await write(extensionStep, 'PATCH', `/beta/identity/customAuthenticationExtensions/${extension.id}`, desired);
    extensionStep.status = options.dryRun ? 'would update' : 'updated';
  }
  extensionStep.detail = `${options.targetUrl}, timeout ${options.timeoutInMs} ms, ${options.maximumRetries} retr${options.maximumRetries === 1 ? 'y' : 'ies'}`;
  steps.push(extensionStep);

  // 4. The listener: the client applications' sign-ins call the extension for flagged users.
  const { step: listenerStepResult, listenerId } = await listenerStep({ graph, dryRun: options.dryRun, write, customExtensionId: extension.id, flagAttribute, clientAppIds: options.clientAppIds });
  steps.push(listenerStepResult);
  return { steps, customExtensionId: extension.id, listenerId };
}

export interface RemoveSetupOptions {
  graph: GraphClient;
  dryRun: boolean;
  targetUrl: string;
  removeExtension: boolean;
  /** The events to take away. Default `['password-submit']`. */
  events?: readonly SetupEvent[];
  /** token-issuance-start: the app registration name setup was given (the claims mapping policy is named after it). */
  extensionAppName?: string;
}

/**
 * Takes away what setup added for the events named, at the end of the migration: each event's listener (for
 * attribute collection, the sign-up flows' handlers that reference its extensions), with `removeExtension` the custom
 * extensions too, and for token issuance the claims mapping policy (unassigned, then deleted). The app registration,
 * its key and the flag property stay (users may still carry the flag).
 *
 * @example
 *   const steps = await removeSetup({ graph, dryRun: false, targetUrl, removeExtension: true, events: ['otp-send'] });
 */
export async function removeSetup(options: RemoveSetupOptions): Promise<SetupStep[]> {
  const { graph } = options;
  const events = options.events && options.events.length > 0 ? [...new Set(options.events)] : (['password-submit'] as SetupEvent[]);
  const allExtensions = (await graph.call<{ value: CustomExtension[] }>('GET', '/beta/identity/customAuthenticationExtensions')).value;
  const allListeners = (await graph.call<{ value: Listener[] }>('GET', '/beta/identity/authenticationEventListeners')).value;
  const steps: SetupStep[] = [];
  const remove = async (name: string, path: string) => {
    const step: SetupStep = { name, status: options.dryRun ? 'would remove' : 'removed', detail: path, requests: [{ method: 'DELETE', path }] };
    if (!options.dryRun) await graph.call('DELETE', path);
    steps.push(step);
  };
  for (const event of events) {
    const descriptor = SETUP_EVENT_DESCRIPTORS[event];
    const extensions = descriptor.extensions.flatMap((wanted) => allExtensions.filter((entry) => entry['@odata.type'] === wanted.extensionType && entry.endpointConfiguration.targetUrl === eventTargetUrl(options.targetUrl, wanted.route)));
    const ids = new Set(extensions.map((entry) => entry.id));
    const label = event === 'password-submit' ? '' : ` (${descriptor.extensions.map((entry) => entry.eventName).join(', ')})`;
    const where = event === 'password-submit' ? options.targetUrl : descriptor.extensions.map((entry) => eventTargetUrl(options.targetUrl, entry.route)).join(', ');
    if (event === 'attribute-collection') {
      steps.push(...(await removeFlowHandlers(graph, options.dryRun, ids)));
    } else {
      const listenerType = event === 'password-submit' ? LISTENER_TYPE : descriptor.listener!.listenerType;
      const listeners = allListeners.filter((entry) => entry['@odata.type'] === listenerType && ids.has(entry.handler.customExtension?.id));
      for (const listener of listeners) await remove(`listener${label}`, `/beta/identity/authenticationEventListeners/${listener.id}`);
      if (listeners.length === 0) steps.push({ name: `listener${label}`, status: 'absent', detail: `no ${event === 'password-submit' ? 'OnPasswordSubmit ' : ''}listener calls ${where}`, requests: [] });
    }
    if (event === 'token-issuance-start' && options.extensionAppName) steps.push(...(await removeClaimsMapping(graph, options.dryRun, claimsPolicyName(options.extensionAppName))));
    if (options.removeExtension) {
      for (const extension of extensions) await remove(`custom extension${label}`, `/beta/identity/customAuthenticationExtensions/${extension.id}`);
      if (extensions.length === 0) steps.push({ name: `custom extension${label}`, status: 'absent', detail: `no ${event === 'password-submit' ? 'OnPasswordSubmit ' : ''}extension targets ${where}`, requests: [] });
    }
  }
  return steps;
}

/** attribute-collection: the sign-up flows whose handlers reference these extensions lose those handlers (set to null). */
async function removeFlowHandlers(graph: GraphClient, dryRun: boolean, extensionIds: ReadonlySet<string>): Promise<SetupStep[]> {
  const flows = (await graph.call<{ value: SignUpFlowWithHandlers[] }>('GET', '/v1.0/identity/authenticationEventsFlows')).value;
  const step: SetupStep = { name: 'sign-up flow handlers', status: 'absent', detail: 'no sign-up flow calls these extensions', requests: [] };
  for (const flow of flows) {
    const patch: Record<string, null> = {};
    for (const property of Object.keys(ATTRIBUTE_COLLECTION_HANDLERS) as Array<keyof typeof ATTRIBUTE_COLLECTION_HANDLERS>) {
      const id = flow[property]?.customExtension?.id;
      if (id && extensionIds.has(id)) patch[property] = null;
    }
    if (Object.keys(patch).length === 0) continue;
    const path = `/v1.0/identity/authenticationEventsFlows/${flow.id}`;
    const body = { '@odata.type': flow['@odata.type'], ...patch };
    step.requests.push({ method: 'PATCH', path, body });
    if (!dryRun) await graph.call('PATCH', path, body);
    step.status = dryRun ? 'would remove' : 'removed';
    step.detail = `handlers of ${step.requests.length} sign-up flow${step.requests.length === 1 ? '' : 's'}`;
  }
  return [step];
}
