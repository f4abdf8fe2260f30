import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { RECEIVE_PAYLOAD_ROLE_ID } from '../../src/graph/index.js';
import type { TenantObjects } from '../../src/emulator/tenant-objects.js';

/** How the stub answers one request. */
export type EventStubAnswer =
  | { kind: 'json'; body: unknown; status?: number; contentType?: string }
  | { kind: 'slow'; delayInMs: number; body: unknown };

export interface EventStub {
  /** The stub's base URL, e.g. `http://127.0.0.1:40123`; events are served at `/{anything}`. */
  readonly url: string;
  /** What each path answers; default 404. */
  answers: Map<string, EventStubAnswer>;
  received: Array<{ path: string; authorization: string | undefined; body: Record<string, any> }>;
  close(): Promise<void>;
}

/** A custom extension for any event: records every request and answers what `answers` says for its path. */
export async function startEventStub(): Promise<EventStub> {
  const app = Fastify();
  const stub: EventStub = { url: '', answers: new Map(), received: [], close: () => app.close() };
  app.post('/*', async (request, reply) => {
    const path = request.url;
    stub.received.push({ path, authorization: request.headers.authorization, body: request.body as Record<string, any> });
    const answer = stub.answers.get(path);
    if (!answer) return reply.code(404).send({ error: 'no answer configured' });
    if (answer.kind === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, answer.delayInMs));
      return answer.body;
    }
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return reply.code(answer.status ?? 200).header('content-type', answer.contentType ?? 'application/json').send(text);
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  (stub as { url: string }).url = address;
  return stub;
}

export const claimsAnswer = (claims: unknown, actionType = 'microsoft.graph.tokenIssuanceStart.provideClaimsForToken', count = 1) => ({
  data: { '@odata.type': 'microsoft.graph.onTokenIssuanceStartResponseData', actions: Array.from({ length: count }, () => ({ '@odata.type': actionType, claims })) },
});

export const otpAnswer = (actionType = 'microsoft.graph.OtpSend.continueWithDefaultBehavior', count = 1) => ({
  data: { '@odata.type': 'microsoft.graph.OnOtpSendResponseData', actions: Array.from({ length: count }, () => ({ '@odata.type': actionType })) },
});

export interface EventListenerSetup {
  event: 'token-issuance-start' | 'otp-send';
  targetUrl: string;
  /** The client apps the listener includes; default all applications. */
  clientAppIds?: string[];
  /** OnTokenIssuanceStart: `claimsForTokenConfiguration`. */
  claimIds?: string[];
  /** OnOtpSend: `behaviorOnError: fallbackToMicrosoftProviderOnError`. */
  fallback?: boolean;
  /** Grant CustomAuthenticationExtension.Receive.Payload; default true. */
  grant?: boolean;
  timeoutInMs?: number;
  maximumRetries?: number;
}

/**
 * Creates, directly in the tenant's objects, what `setup` (or an admin) would create through Graph for an event:
 * the extension's app registration (`api://{host}/{appId}`) and service principal, the Receive.Payload grant, the
 * custom extension and its listener. Returns the listener's id and the extension app's id.
 */
export function addEventListener(objects: TenantObjects, setup: EventListenerSetup): { listenerId: string; extensionId: string; appId: string } {
  const application = objects.addApplication(`${setup.event} extension`);
  const host = new URL(setup.targetUrl).hostname;
  objects.applications.set(application.id, { ...application, identifierUris: [`api://${host}/${application.appId}`] });
  const principal = objects.addServicePrincipal(application.appId, application.displayName);
  if (setup.grant ?? true) {
    const id = randomUUID();
    objects.appRoleAssignments.set(id, { id, principalId: principal.id, resourceId: objects.graphServicePrincipal.id, appRoleId: RECEIVE_PAYLOAD_ROLE_ID, createdDateTime: new Date().toISOString() });
  }
  const token = setup.event === 'token-issuance-start';
  const extensionId = randomUUID();
  objects.customExtensions.set(extensionId, {
    id: extensionId,
    '@odata.type': token ? '#microsoft.graph.onTokenIssuanceStartCustomExtension' : '#microsoft.graph.onOtpSendCustomExtension',
    displayName: setup.event,
    description: null,
    endpointConfiguration: { '@odata.type': '#microsoft.graph.httpRequestEndpoint', targetUrl: setup.targetUrl },
    authenticationConfiguration: { '@odata.type': '#microsoft.graph.azureAdTokenAuthentication', resourceId: `api://${host}/${application.appId}` },
    clientConfiguration: { timeoutInMilliseconds: setup.timeoutInMs ?? 1000, maximumRetries: setup.maximumRetries ?? 1 },
    ...(token && { claimsForTokenConfiguration: (setup.claimIds ?? []).map((claimIdInApiResponse) => ({ claimIdInApiResponse })) }),
  });
  const listenerId = randomUUID();
  objects.listeners.set(listenerId, {
    id: listenerId,
    '@odata.type': token ? '#microsoft.graph.onTokenIssuanceStartListener' : '#microsoft.graph.onEmailOtpSendListener',
    priority: 500,
    conditions: { applications: { includeAllApplications: setup.clientAppIds === undefined, includeApplications: (setup.clientAppIds ?? []).map((appId) => ({ appId })) } },
    handler: {
      '@odata.type': token ? '#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler' : '#microsoft.graph.onOtpSendCustomExtensionHandler',
      customExtension: { id: extensionId },
      ...(setup.fallback && { configuration: { behaviorOnError: { '@odata.type': '#microsoft.graph.fallbackToMicrosoftProviderOnError' } } }),
    },
  });
  return { listenerId, extensionId, appId: application.appId };
}

/**
 * A client application (app registration + service principal) with a claims mapping policy of `CustomClaimsProvider`
 * entries assigned to its service principal, and `acceptMappedClaims` as given.
 */
export function addClientWithPolicy(objects: TenantObjects, input: { mappings: Array<{ id: string; jwtClaimType: string }>; acceptMappedClaims: boolean; definition?: string }): { appId: string; policyId: string } {
  const application = objects.addApplication('client application');
  objects.applications.set(application.id, { ...application, api: { ...application.api, acceptMappedClaims: input.acceptMappedClaims } });
  const principal = objects.addServicePrincipal(application.appId, application.displayName);
  const policyId = randomUUID();
  const definition = input.definition ?? JSON.stringify({
    ClaimsMappingPolicy: { Version: 1, IncludeBasicClaimSet: 'true', ClaimsSchema: input.mappings.map((mapping) => ({ Source: 'CustomClaimsProvider', ID: mapping.id, JwtClaimType: mapping.jwtClaimType })) },
  });
  objects.claimsMappingPolicies.set(policyId, { id: policyId, displayName: 'custom claims', definition: [definition], isOrganizationDefault: false });
  objects.servicePrincipals.set(principal.id, { ...principal, claimsMappingPolicyIds: [policyId] });
  return { appId: application.appId, policyId };
}
