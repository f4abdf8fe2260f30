import { randomUUID } from 'node:crypto';
import { TOKEN_CLAIMS_QUERY } from '../config/token-claims-settings.js';
import { EMULATOR_SIGN_IN_APP, type RunningEmulator } from '../emulator/index.js';
import { RECEIVE_PAYLOAD_ROLE_ID } from '../graph/index.js';
import { TOKEN_ISSUANCE_START_EXTENSION_TYPE, TOKEN_ISSUANCE_START_LISTENER } from '../setup/events.js';
import { claimsMappingDefinition, claimsPolicyName, eventTargetUrl } from '../setup/index.js';

type TenantObjects = RunningEmulator['objects'];

/**
 * TOKEN_CLAIMS_QUERY on the demo's SQLite legacy store: the legacy account of the user's mail, its id as
 * `customerNumber` (what the legacy applications knew the customer by) and its status as `accountStatus`.
 */
export const DEMO_TOKEN_CLAIMS_QUERY = 'SELECT id AS "customerNumber", status AS "accountStatus" FROM legacy_users WHERE email = lower(:email)';

/** The claims the demo's OnTokenIssuanceStart extension returns, as `setup --claims` would list them: `legacyId` (from the ledger) and the query's columns. */
export const DEMO_TOKEN_CLAIMS = ['legacyId', 'customerNumber', 'accountStatus'] as const;

/** The app registration name the demo's objects carry, as `setup --extension-app-name` would name them. */
export const DEMO_EXTENSION_APP_NAME = 'entra-migrate demo';

/**
 * The `serve` settings for token claims: the query on the SQLite legacy store. The other demo stores (a login API,
 * a B2C password grant) have no claims to give, so there it is empty and the demo configures no token issuance.
 *
 * @example
 *   tokenClaimsServeSettings('sqlite') // { TOKEN_CLAIMS_QUERY: 'SELECT id AS "customerNumber", … WHERE email = lower(:email)' }
 */
export function tokenClaimsServeSettings(legacy: string): Record<string, string> {
  return legacy === 'sqlite' ? { [TOKEN_CLAIMS_QUERY]: DEMO_TOKEN_CLAIMS_QUERY } : {};
}

export interface DemoTokenIssuanceOptions {
  /** `serve`'s address, e.g. `http://127.0.0.1:7071`: the extension is `<address>/events/token-issuance-start`. */
  extensionBaseUrl: string;
  /** ENTRA_EXTENSION_APP_ID: the app registration the callout token is issued for. */
  extensionAppId: string;
  timeoutInMs: number;
  maximumRetries: 0 | 1;
  /** Default the emulator's sign-in page's application. */
  clientAppId?: string;
}

/** What the demo wrote into the tenant for OnTokenIssuanceStart. */
export interface DemoTokenIssuance {
  targetUrl: string;
  customExtensionId: string;
  listenerId: string;
  claimsMappingPolicyId: string;
  claims: readonly string[];
}

/**
 * Leaves the emulated tenant as `setup --events token-issuance-start --claims legacyId,customerNumber,accountStatus
 * --client-app-id <sign-in app>` leaves a real one, written straight into the tenant's objects: the extension's app
 * registration with the identifier URI `api://{serve's host name}/{appId}`, its service principal granted
 * CustomAuthenticationExtension.Receive.Payload (Entra checks both before calling, 1003014 and 1003021); the
 * OnTokenIssuanceStart custom extension with `claimsForTokenConfiguration`; its listener for the client app; and
 * the claims mapping policy on the client app's service principal, with `api.acceptMappedClaims: true` on its
 * registration — a claim reaches the token only when the extension lists it and the policy maps it. Existing
 * objects are reused, so a second call changes nothing.
 *
 * @example
 *   configureDemoTokenIssuance(emulator.objects, { extensionBaseUrl: address, extensionAppId: DEMO_EXTENSION_APP_ID, timeoutInMs: 2000, maximumRetries: 1 });
 */
export function configureDemoTokenIssuance(objects: TenantObjects, options: DemoTokenIssuanceOptions): DemoTokenIssuance {
  const targetUrl = eventTargetUrl(options.extensionBaseUrl, 'token-issuance-start');
  // custom-extension-overview: the resource id is api://{host name of the target URL, no port}/{appId}.
  const resourceId = `api://${new URL(targetUrl).hostname}/${options.extensionAppId}`;
  const extensionApp = ensureApplication(objects, options.extensionAppId, DEMO_EXTENSION_APP_NAME);
  if (!extensionApp.identifierUris.includes(resourceId)) objects.applications.set(extensionApp.id, { ...extensionApp, identifierUris: [resourceId, ...extensionApp.identifierUris] });
  const extensionPrincipal = ensureServicePrincipal(objects, options.extensionAppId, DEMO_EXTENSION_APP_NAME);
  const graph = objects.graphServicePrincipal;
  if (!objects.hasRole(extensionPrincipal.id, graph.id, RECEIVE_PAYLOAD_ROLE_ID)) {
    const grant = { id: randomUUID(), principalId: extensionPrincipal.id, resourceId: graph.id, appRoleId: RECEIVE_PAYLOAD_ROLE_ID, createdDateTime: new Date().toISOString() };
    objects.appRoleAssignments.set(grant.id, grant);
  }

  const claims = [...DEMO_TOKEN_CLAIMS];
  const extension = {
    id: findId(objects.customExtensions.values(), (entry) => entry['@odata.type'] === TOKEN_ISSUANCE_START_EXTENSION_TYPE && entry.authenticationConfiguration.resourceId === resourceId),
    '@odata.type': TOKEN_ISSUANCE_START_EXTENSION_TYPE,
    displayName: `${DEMO_EXTENSION_APP_NAME} (OnTokenIssuanceStart)`,
    description: 'OnTokenIssuanceStart (entra-migrate)',
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId },
    clientConfiguration: { timeoutInMilliseconds: options.timeoutInMs, maximumRetries: options.maximumRetries },
    claimsForTokenConfiguration: claims.map((claim) => ({ claimIdInApiResponse: claim })),
  };
  objects.customExtensions.set(extension.id, extension);

  const clientAppId = (options.clientAppId ?? EMULATOR_SIGN_IN_APP.appId).toLowerCase();
  const listener = {
    id: findId(objects.listeners.values(), (entry) => entry['@odata.type'] === TOKEN_ISSUANCE_START_LISTENER.listenerType && entry.handler.customExtension.id === extension.id),
    '@odata.type': TOKEN_ISSUANCE_START_LISTENER.listenerType,
    priority: 500,
    conditions: { applications: { includeAllApplications: false, includeApplications: [{ appId: clientAppId }] } },
    handler: { '@odata.type': TOKEN_ISSUANCE_START_LISTENER.handlerType, customExtension: { id: extension.id } },
  };
  objects.listeners.set(listener.id, listener);

  const policyName = claimsPolicyName(DEMO_EXTENSION_APP_NAME);
  const policy = {
    id: findId(objects.claimsMappingPolicies.values(), (entry) => entry.displayName === policyName),
    displayName: policyName,
    definition: [claimsMappingDefinition(claims)],
    isOrganizationDefault: false,
  };
  objects.claimsMappingPolicies.set(policy.id, policy);
  // The sign-in page's application: registered with its own object ids, so a callout names the same service principal.
  const signInApp = clientAppId === EMULATOR_SIGN_IN_APP.appId ? EMULATOR_SIGN_IN_APP : undefined;
  const clientApp = ensureApplication(objects, clientAppId, signInApp?.displayName ?? 'client application');
  // Without acceptMappedClaims Entra refuses a token that carries mapped claims (AADSTS50146).
  objects.applications.set(clientApp.id, { ...clientApp, api: { ...clientApp.api, acceptMappedClaims: true } });
  const clientPrincipal = ensureServicePrincipal(objects, clientAppId, clientApp.displayName, signInApp?.id);
  // Graph allows one claims mapping policy per service principal: the demo's replaces any other.
  objects.servicePrincipals.set(clientPrincipal.id, { ...clientPrincipal, claimsMappingPolicyIds: [policy.id] });

  return { targetUrl, customExtensionId: extension.id, listenerId: listener.id, claimsMappingPolicyId: policy.id, claims };
}

/** The app registration with this app id, created (with that app id) when missing. */
function ensureApplication(objects: TenantObjects, appId: string, displayName: string) {
  const existing = objects.applicationByAppId(appId);
  if (existing) return existing;
  const created = objects.addApplication(displayName);
  const application = { ...created, appId };
  objects.applications.set(application.id, application);
  return application;
}

/** The service principal of this app id, created when missing (with `id` as its object id when given). */
function ensureServicePrincipal(objects: TenantObjects, appId: string, displayName: string, id?: string) {
  const existing = objects.servicePrincipalByAppId(appId);
  if (existing) return existing;
  const principal = { id: id ?? randomUUID(), appId, displayName, appRoles: [] };
  objects.servicePrincipals.set(principal.id, principal);
  return principal;
}

/** The id of the first entry `matches` finds, or a new one. */
function findId<T extends { id: string }>(entries: Iterable<T>, matches: (entry: T) => boolean): string {
  for (const entry of entries) if (matches(entry)) return entry.id;
  return randomUUID();
}
