import type { GraphClient, GraphCustomExtension as CustomExtension, GraphEventListener as Listener } from '../graph/index.js';
import { SetupError, SetupErrorCode } from './errors.js';
import { ATTRIBUTE_COLLECTION_HANDLERS, eventTargetUrl, FALLBACK_TO_MICROSOFT_PROVIDER, OTP_SEND_LISTENER, SETUP_EVENT_DESCRIPTORS, TOKEN_ISSUANCE_START_EXTENSION_TYPE, TOKEN_ISSUANCE_START_LISTENER, type EventExtension, type SetupEvent } from './events.js';
import { eventListenerStep, type SetupWrite } from './listener-step.js';
import type { SetupStep } from './setup-step.js';
import { signUpFlowsOf, SIGN_UP_FLOW_TYPE, type GraphSignUpFlow } from './sign-up-flows.js';

/** A sign-up flow with the attribute collection handlers setup sets. */
export type SignUpFlowWithHandlers = GraphSignUpFlow & {
  onAttributeCollectionStart?: { customExtension?: { id: string } } | null;
  onAttributeCollectionSubmit?: { customExtension?: { id: string } } | null;
};

/** What one event's extension is, as setup created or found it. */
export interface EventExtensionResult {
  route: string;
  customExtensionId: string;
  targetUrl: string;
}

export interface EventStepsOptions {
  graph: GraphClient;
  dryRun: boolean;
  write: SetupWrite;
  /** The events besides password-submit, in the order given. */
  events: readonly SetupEvent[];
  targetUrl: string;
  resourceId: string;
  extensionAppName: string;
  timeoutInMs: number;
  maximumRetries: 0 | 1;
  clientAppIds: readonly string[];
  /** token-issuance-start: the claims the API returns (claimsForTokenConfiguration). */
  claims: readonly string[];
  /** otp-send: the listener's behaviorOnError falls back to Microsoft's provider. */
  otpFallback: boolean;
  /** attribute-collection: the sign-up flows to attach the handlers to, chosen before any write ({@link chooseAttributeCollectionFlows}). */
  flows: readonly SignUpFlowWithHandlers[];
}

const WOULD_BE = (what: string) => `<${what} of the new object>`;
const sameClaims = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * The sign-up flows `--events attribute-collection` attaches its handlers to: every self-service sign-up flow linked
 * to the client applications, or the one `flowId` names. Read before setup writes anything.
 *
 * @example
 *   const flows = await chooseAttributeCollectionFlows(graph, [clientAppId], undefined);
 */
export async function chooseAttributeCollectionFlows(graph: GraphClient, clientAppIds: readonly string[], flowId: string | undefined): Promise<SignUpFlowWithHandlers[]> {
  const flows = (await signUpFlowsOf(graph, clientAppIds)) as SignUpFlowWithHandlers[];
  const chosen = flowId ? flows.filter((flow) => flow.id.toLowerCase() === flowId.toLowerCase()) : flows;
  if (chosen.length === 0) {
    throw new SetupError(
      SetupErrorCode.SIGN_UP_FLOW_NOT_FOUND,
      `No sign-up user flow${flowId ? ` ${flowId}` : ''} is linked to ${clientAppIds.join(', ')}: the attribute collection extensions would never be called. Create a sign-up flow for the application (Entra admin center, External Identities > User flows), or give --flow one that is linked, and run setup again.`,
    );
  }
  return chosen;
}

/**
 * The steps of every event but OnPasswordSubmit: for each, its custom extension(s) at `/events/<route>` on the target's
 * origin with the same resource id (one app registration for all); then the listener for the client applications
 * (token issuance; OTP send with `configuration.behaviorOnError`), or for attribute collection the sign-up flows'
 * onAttributeCollectionStart/Submit handlers. Each is skipped when already in place.
 *
 * @example
 *   const { steps, extensions } = await eventSteps({ graph, dryRun, write, events: ['otp-send'], targetUrl, resourceId, extensionAppName, timeoutInMs: 2000, maximumRetries: 1, clientAppIds, claims: [], otpFallback: true, flows: [] });
 */
export async function eventSteps(options: EventStepsOptions): Promise<{ steps: SetupStep[]; extensions: EventExtensionResult[] }> {
  const steps: SetupStep[] = [];
  const extensions: EventExtensionResult[] = [];
  const existing = (await options.graph.call<{ value: CustomExtension[] }>('GET', '/beta/identity/customAuthenticationExtensions')).value;
  for (const event of options.events) {
    const descriptor = SETUP_EVENT_DESCRIPTORS[event];
    const ids: Record<string, string> = {};
    for (const extension of descriptor.extensions) {
      const { step, customExtensionId, targetUrl } = await extensionStep(options, extension, existing);
      steps.push(step);
      ids[extension.route] = customExtensionId;
      extensions.push({ route: extension.route, customExtensionId, targetUrl });
    }
    if (event === 'token-issuance-start') {
      const { step } = await eventListenerStep({
        ...options,
        stepName: 'listener (OnTokenIssuanceStart)',
        listenerType: TOKEN_ISSUANCE_START_LISTENER.listenerType,
        handler: { '@odata.type': TOKEN_ISSUANCE_START_LISTENER.handlerType, customExtension: { id: ids['token-issuance-start']! } },
        detail: `claims ${options.claims.join(', ')}`,
      });
      steps.push(step);
    } else if (event === 'otp-send') {
      const fallback = { behaviorOnError: { '@odata.type': FALLBACK_TO_MICROSOFT_PROVIDER } };
      const hasFallback = (listener: Listener) => listener.handler.configuration?.behaviorOnError?.['@odata.type'] === FALLBACK_TO_MICROSOFT_PROVIDER;
      const { step } = await eventListenerStep({
        ...options,
        stepName: 'listener (OnOtpSend)',
        listenerType: OTP_SEND_LISTENER.listenerType,
        handler: { '@odata.type': OTP_SEND_LISTENER.handlerType, customExtension: { id: ids['otp-send']! }, ...(options.otpFallback && { configuration: fallback }) },
        detail: options.otpFallback ? 'falls back to Microsoft\'s e-mail provider on error' : 'no fallback: a failing extension means no code is sent',
        // custom-extension-email-otp-get-started.md, step 7: behaviorOnError is set by a PATCH of the handler.
        handlerPatch: (listener) =>
          hasFallback(listener) === options.otpFallback
            ? undefined
            : { '@odata.type': OTP_SEND_LISTENER.listenerType, handler: { '@odata.type': OTP_SEND_LISTENER.handlerType, configuration: { behaviorOnError: options.otpFallback ? fallback.behaviorOnError : null } } },
      });
      steps.push(step);
    } else if (event === 'attribute-collection') {
      steps.push(await flowHandlersStep(options, ids['attribute-collection-start']!, ids['attribute-collection-submit']!));
    }
  }
  return { steps, extensions };
}

/** One event's custom extension: found (by resource id and type, else by URL, else by name), updated where it differs, or created. */
async function extensionStep(options: EventStepsOptions, extension: EventExtension, existing: readonly CustomExtension[]): Promise<{ step: SetupStep; customExtensionId: string; targetUrl: string }> {
  const targetUrl = eventTargetUrl(options.targetUrl, extension.route);
  const step: SetupStep = { name: `custom extension (${extension.eventName})`, status: 'in place', detail: '', requests: [] };
  const withClaims = extension.extensionType === TOKEN_ISSUANCE_START_EXTENSION_TYPE;
  const desired = {
    '@odata.type': extension.extensionType,
    displayName: `${options.extensionAppName} (${extension.eventName})`,
    description: `${extension.eventName} (entra-migrate)`,
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: options.resourceId },
    clientConfiguration: { timeoutInMilliseconds: options.timeoutInMs, maximumRetries: options.maximumRetries },
    ...(withClaims && { claimsForTokenConfiguration: options.claims.map((claim) => ({ claimIdInApiResponse: claim })) }),
  };
  const ofType = existing.filter((entry) => entry['@odata.type'] === extension.extensionType);
  let found =
    ofType.find((entry) => entry.authenticationConfiguration.resourceId === options.resourceId) ??
    ofType.find((entry) => entry.endpointConfiguration.targetUrl === targetUrl) ??
    ofType.find((entry) => entry.displayName === desired.displayName);
  if (!found) {
    found = (await options.write<CustomExtension>(step, 'POST', '/beta/identity/customAuthenticationExtensions', desired)) ?? { ...desired, id: WOULD_BE('custom extension id') };
    step.status = options.dryRun ? 'would create' : 'created';
  } else if (
    found.endpointConfiguration.targetUrl !== targetUrl ||
    found.authenticationConfiguration.resourceId !== options.resourceId ||
    found.clientConfiguration.timeoutInMilliseconds !== options.timeoutInMs ||
    found.clientConfiguration.maximumRetries !== options.maximumRetries ||
    (withClaims && !sameClaims((found.claimsForTokenConfiguration ?? []).map((entry) => entry.claimIdInApiResponse), options.claims))
  ) {
    await options.write(step, 'PATCH', `/beta/identity/customAuthenticationExtensions/${found.id}`, desired);
    step.status = options.dryRun ? 'would update' : 'updated';
  }
  step.detail = `${targetUrl}${withClaims ? `, claims ${options.claims.join(', ')}` : ''}`;
  return { step, customExtensionId: found.id, targetUrl };
}

/** attribute-collection: each chosen sign-up flow's onAttributeCollectionStart/Submit handlers reference the two extensions. */
async function flowHandlersStep(options: EventStepsOptions, startId: string, submitId: string): Promise<SetupStep> {
  const step: SetupStep = { name: 'sign-up flow handlers', status: 'in place', detail: options.flows.map((flow) => `"${flow.displayName}" (${flow.id})`).join(', '), requests: [] };
  const wanted = { onAttributeCollectionStart: startId, onAttributeCollectionSubmit: submitId } as const;
  const replaced: string[] = [];
  for (const flow of options.flows) {
    const patch: Record<string, unknown> = {};
    for (const [property, id] of Object.entries(wanted) as Array<[keyof typeof wanted, string]>) {
      const current = flow[property]?.customExtension?.id;
      if (current === id) continue;
      // A flow has one handler per event: one calling another extension is replaced, and the step line says so.
      if (current) replaced.push(`${flow.displayName}'s ${property} (was ${current})`);
      patch[property] = { '@odata.type': ATTRIBUTE_COLLECTION_HANDLERS[property].handlerType, customExtension: { id } };
    }
    if (Object.keys(patch).length === 0) continue;
    await options.write(step, 'PATCH', `/v1.0/identity/authenticationEventsFlows/${flow.id}`, { '@odata.type': SIGN_UP_FLOW_TYPE, ...patch });
    step.status = options.dryRun ? 'would update' : 'updated';
  }
  if (replaced.length > 0) step.detail += `; replacing ${replaced.join(', ')}`;
  return step;
}
