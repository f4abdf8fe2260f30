import type { GraphApplication as Application, GraphClient, GraphCustomExtension as CustomExtension, GraphEventListener as Listener } from '../graph/index.js';
import type { GraphClaimsMappingPolicy as Policy } from '../graph/resources.js';
import { mappedProviderClaims } from '../setup/claims-mapping-step.js';
import { ATTRIBUTE_COLLECTION_HANDLERS, EVENT_EXTENSIONS, FALLBACK_TO_MICROSOFT_PROVIDER, OTP_SEND_LISTENER, OTP_SEND_EXTENSION_TYPE, TOKEN_ISSUANCE_START_EXTENSION_TYPE, TOKEN_ISSUANCE_START_LISTENER, type EventExtension } from '../setup/events.js';
import type { SignUpFlowWithHandlers } from '../setup/event-steps.js';
import { SIGN_UP_FLOW_TYPE } from '../setup/sign-up-flows.js';
import type { Finding, FindingLevel } from './finding.js';

export interface EventCheckOptions {
  graph: GraphClient;
  /** The client applications to check; empty: every listener and sign-up flow of these events. */
  clientAppIds: readonly string[];
  fetch?: typeof globalThis.fetch;
}

/** The listener types checked here, with the extension type their handler must reference. */
const LISTENERS = [
  { listenerType: TOKEN_ISSUANCE_START_LISTENER.listenerType, extensionType: TOKEN_ISSUANCE_START_EXTENSION_TYPE },
  { listenerType: OTP_SEND_LISTENER.listenerType, extensionType: OTP_SEND_EXTENSION_TYPE },
];
const FIX = 'run entra-migrate setup --events … with your other setup options';
const quote = (text: string) => text.replace(/'/g, "''");

/**
 * The events besides OnPasswordSubmit, for the client applications: each OnTokenIssuanceStart and OTP send listener
 * and each sign-up flow's attribute collection handler must call an existing extension of the matching type, whose
 * route answers `GET` with `{ status: 'ok', event }` for that event and whose resource id names the target's host
 * (1003015). For token issuance, each claim of `claimsForTokenConfiguration` must be mapped by the client app's
 * service principal's claims mapping policy (else the claims never reach the token) and the client app must have
 * `acceptMappedClaims`; for OTP send, no fallback to Microsoft's provider is a warning.
 *
 * @example
 *   findings.push(...(await eventFindings({ graph, clientAppIds: ['…'] })));
 */
export async function eventFindings(options: EventCheckOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (check: string, level: FindingLevel, message: string, entraErrorCode?: number) => findings.push({ check, level, message, ...(entraErrorCode !== undefined && { entraErrorCode }) });
  const { graph } = options;
  const wanted = new Set(options.clientAppIds.map((id) => id.toLowerCase()));
  const concerns = (appIds: readonly string[], includeAll: boolean) => wanted.size === 0 || includeAll || appIds.some((id) => wanted.has(id.toLowerCase()));
  const extensions = new Map((await graph.call<{ value: CustomExtension[] }>('GET', '/beta/identity/customAuthenticationExtensions')).value.map((entry) => [entry.id, entry]));
  const listeners = (await graph.call<{ value: Listener[] }>('GET', '/beta/identity/authenticationEventListeners')).value;
  const probed = new Map<string, Promise<void>>();

  /** One referenced extension: exists, has the right type, answers on its route, and its resource id names its host. */
  const checkExtension = async (check: string, extensionId: string | undefined, expected: EventExtension): Promise<CustomExtension | undefined> => {
    const extension = extensionId ? extensions.get(extensionId) : undefined;
    if (!extension) {
      add(check, 'problem', `calls the custom extension ${extensionId ?? '(none)'}, which does not exist; ${FIX}`);
      return undefined;
    }
    if (extension['@odata.type'] !== expected.extensionType) {
      add(check, 'problem', `calls the custom extension ${extension.id} of type ${extension['@odata.type']}; it must be a ${expected.extensionType}`);
      return undefined;
    }
    const target = new URL(extension.endpointConfiguration.targetUrl);
    const resource = /^api:\/\/([^/]+)\/([0-9a-f-]{36})$/i.exec(extension.authenticationConfiguration.resourceId);
    if (!resource) add(check, 'problem', `the resource id ${extension.authenticationConfiguration.resourceId} of ${extension.id} is not api://{host}/{appId}`, 1003014);
    else if (resource[1]!.toLowerCase() !== target.hostname.toLowerCase()) add(check, 'problem', `the resource id of ${extension.id} names ${resource[1]} but its target URL's host name is ${target.hostname}; ${FIX}`, 1003015);
    if (!probed.has(extension.id)) probed.set(extension.id, probe(check, target, expected.eventName));
    await probed.get(extension.id);
    return extension;
  };

  const probe = async (check: string, target: URL, eventName: string): Promise<void> => {
    try {
      const response = await (options.fetch ?? globalThis.fetch)(target, { method: 'GET', signal: AbortSignal.timeout(5000) });
      const text = (await response.text()).slice(0, 4096);
      let body: { status?: unknown; event?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // not JSON: reported below
      }
      if (response.ok && body.status === 'ok' && body.event === eventName) add(check, 'ok', `${target.href} answers for ${eventName}`);
      else if (response.ok && typeof body.event === 'string') add(check, 'problem', `${target.href} answers for ${String(body.event).slice(0, 60)}, not ${eventName}: the extension targets another event's route`);
      else add(check, 'problem', `${target.href} answers GET with ${response.status} but not {"status":"ok","event":"${eventName}"}: is serve running this event there?`, 1003001);
    } catch {
      add(check, 'problem', `${target.href} does not answer (connection failed or took over 5 s)`, 1003001);
    }
  };

  for (const kind of LISTENERS) {
    const expected = EVENT_EXTENSIONS.find((entry) => entry.extensionType === kind.extensionType)!;
    for (const listener of listeners.filter((entry) => entry['@odata.type'] === kind.listenerType)) {
      const apps = listener.conditions?.applications?.includeApplications?.map((entry) => entry.appId) ?? [];
      const includeAll = listener.conditions?.applications?.includeAllApplications === true;
      if (!concerns(apps, includeAll)) continue;
      const check = `${expected.eventName} listener`;
      const extension = await checkExtension(check, listener.handler?.customExtension?.id, expected);
      if (!extension) continue;
      add(check, 'ok', `${listener.id} calls ${extension.id} for ${includeAll ? 'all applications' : apps.join(', ')}`);
      if (kind.extensionType === TOKEN_ISSUANCE_START_EXTENSION_TYPE) {
        const clients = includeAll ? [...wanted] : apps.filter((id) => wanted.size === 0 || wanted.has(id.toLowerCase()));
        findings.push(...(await claimFindings(graph, extension, clients)));
      } else if (listener.handler?.configuration?.behaviorOnError?.['@odata.type'] !== FALLBACK_TO_MICROSOFT_PROVIDER) {
        add('OTP fallback', 'warning', `the listener ${listener.id} has no fallback: when the extension fails, Entra sends no code and the user cannot sign in; run entra-migrate setup --events otp-send (without --no-otp-fallback)`);
      } else add('OTP fallback', 'ok', "Entra falls back to Microsoft's e-mail provider when the extension fails");
    }
  }

  // Attribute collection: the sign-up flows' handlers.
  const flows = (await graph.call<{ value: SignUpFlowWithHandlers[] }>('GET', '/v1.0/identity/authenticationEventsFlows')).value.filter((flow) => flow['@odata.type'] === SIGN_UP_FLOW_TYPE);
  for (const flow of flows) {
    if (!concerns(flow.conditions?.applications?.includeApplications?.map((entry) => entry.appId) ?? [], false)) continue;
    for (const [property, handler] of Object.entries(ATTRIBUTE_COLLECTION_HANDLERS) as Array<[keyof typeof ATTRIBUTE_COLLECTION_HANDLERS, (typeof ATTRIBUTE_COLLECTION_HANDLERS)[keyof typeof ATTRIBUTE_COLLECTION_HANDLERS]]>) {
      const id = flow[property]?.customExtension?.id;
      if (!id) continue;
      const expected = EVENT_EXTENSIONS.find((entry) => entry.route === handler.route)!;
      const check = `${expected.eventName} handler`;
      const extension = await checkExtension(check, id, expected);
      if (extension) add(check, 'ok', `the sign-up flow "${flow.displayName}" (${flow.id}) calls ${extension.id}`);
    }
  }
  return findings;
}

/** Token issuance: each claim the extension returns must be mapped for each client app, which must accept mapped claims. */
async function claimFindings(graph: GraphClient, extension: CustomExtension, clientAppIds: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const claims = (extension.claimsForTokenConfiguration ?? []).map((entry) => entry.claimIdInApiResponse);
  if (claims.length === 0) findings.push({ check: 'token claims', level: 'warning', message: `the OnTokenIssuanceStart extension ${extension.id} lists no claimsForTokenConfiguration; run entra-migrate setup --events token-issuance-start --claims …` });
  for (const appId of clientAppIds) {
    const application = (await graph.call<{ value: Application[] }>('GET', `/v1.0/applications?$filter=${encodeURIComponent(`appId eq '${quote(appId)}'`)}`)).value[0];
    const principal = (await graph.call<{ value: Array<{ id: string }> }>('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${quote(appId)}'`)}`)).value[0];
    const policies = principal ? (await graph.call<{ value: Policy[] }>('GET', `/v1.0/servicePrincipals/${principal.id}/claimsMappingPolicies`)).value : [];
    const mapped = new Set(policies.flatMap((policy) => mappedProviderClaims(policy.definition)));
    const missing = claims.filter((claim) => !mapped.has(claim));
    if (claims.length > 0) {
      if (missing.length > 0) {
        findings.push({ check: 'token claims', level: 'warning', message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not mapped by a claims mapping policy of ${appId}'s service principal: the claims never reach the token; run entra-migrate setup --events token-issuance-start --claims ${claims.join(',')}` });
      } else findings.push({ check: 'token claims', level: 'ok', message: `${appId} maps ${claims.join(', ')} into its tokens` });
    }
    // Without acceptMappedClaims (or a custom signing key) Entra refuses to issue a token shaped by a claims mapping policy.
    if (!application) findings.push({ check: 'accept mapped claims', level: 'problem', message: `no app registration has the app id ${appId}, which the OnTokenIssuanceStart listener includes` });
    else if (application.api?.acceptMappedClaims !== true) findings.push({ check: 'accept mapped claims', level: 'problem', message: `the app registration of ${appId} does not set api.acceptMappedClaims: Entra refuses its tokens once the claims are mapped (AADSTS50146); run entra-migrate setup --events token-issuance-start --claims …` });
    else findings.push({ check: 'accept mapped claims', level: 'ok', message: `${appId} accepts mapped claims` });
  }
  return findings;
}
