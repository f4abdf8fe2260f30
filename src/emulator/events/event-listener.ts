import { CalloutErrorCode, EMULATOR_SIGN_IN_APP } from '../callout-client.js';
import { RECEIVE_PAYLOAD_ROLE_ID } from '../../graph/index.js';
import type { AuthenticationEventListener, CustomAuthenticationExtension, TenantObjects } from '../tenant-objects.js';

/** Where and how the emulator calls one event's custom extension: what a callout needs, nothing more. */
export interface EventEndpoint {
  /** The custom extension's id (`customAuthenticationExtensionId` in the body). */
  id: string;
  listenerId: string;
  targetUrl: string;
  /** The extension's app registration: the callout token's audience. */
  appId: string;
  /** The host of the resource id, `api://{resourceHost}/{appId}` (the target URL's host name, as checked). */
  resourceHost: string;
  timeoutInMs: number;
  maximumRetries: number;
}

/** What a flow finds when it looks for an event's listener for its client application. */
export type EventListenerResolution =
  | { kind: 'none' }
  | { kind: 'ready'; endpoint: EventEndpoint; listener: AuthenticationEventListener; extension: CustomAuthenticationExtension }
  /** Entra fails the step with `errorCode` (AADSTS1100001) before calling the extension. */
  | { kind: 'misconfigured'; listener: AuthenticationEventListener; errorCode: number; detail: string };

/** The listener and custom extension types of one event. */
export interface EventKind {
  listenerType: string;
  extensionType: string;
}

export const TOKEN_ISSUANCE_START: EventKind = {
  listenerType: '#microsoft.graph.onTokenIssuanceStartListener',
  extensionType: '#microsoft.graph.onTokenIssuanceStartCustomExtension',
};

export const EMAIL_OTP_SEND: EventKind = {
  listenerType: '#microsoft.graph.onEmailOtpSendListener',
  extensionType: '#microsoft.graph.onOtpSendCustomExtension',
};

/** `api://{authority}/{appId}`; the authority may carry a port, which Entra's checks then refuse. */
const RESOURCE_ID = /^api:\/\/([^/]+)\/([0-9a-f-]{36})$/i;
/** A host name without a port (an IPv6 literal in brackets allowed). */
const HOST_NAME = /^(\[[0-9a-f:.]+\]|[^/:]+)$/i;

/**
 * Resolves the listener of an event for the client application (lowest priority first; a listener that does not
 * include the client is not used, as in Entra) to the endpoint Entra would call, with the checks Entra makes before
 * any callout (as configured-extension.ts does for OnPasswordSubmit, without its encryption certificate, which only
 * OnPasswordSubmit needs): the custom extension exists and is of the event's type; its resource id names an app
 * registration whose identifier URI is `api://{host name}/{appId}` without a port (1003014); the resource id's host
 * is the target URL's host name (1003015); that app's service principal holds
 * `CustomAuthenticationExtension.Receive.Payload` (1003021).
 *
 * @example
 *   const resolution = resolveEventListener(objects, TOKEN_ISSUANCE_START, clientAppId);
 *   if (resolution.kind === 'ready') await callEventExtension({ endpoint: resolution.endpoint, … });
 */
export function resolveEventListener(objects: TenantObjects, kind: EventKind, clientAppId: string = EMULATOR_SIGN_IN_APP.appId): EventListenerResolution {
  const applies = ({ conditions: { applications } }: AuthenticationEventListener) =>
    applications.includeAllApplications || applications.includeApplications.some((app) => app.appId.toLowerCase() === clientAppId.toLowerCase());
  const listener = [...objects.listeners.values()].filter((entry) => entry['@odata.type'] === kind.listenerType && applies(entry)).sort((a, b) => a.priority - b.priority)[0];
  if (!listener) return { kind: 'none' };
  const fail = (errorCode: number, detail: string): EventListenerResolution => ({ kind: 'misconfigured', listener, errorCode, detail });
  const custom = objects.customExtensions.get(listener.handler.customExtension.id);
  if (!custom || custom['@odata.type'] !== kind.extensionType) return fail(CalloutErrorCode.UNEXPECTED, `the listener's custom extension ${listener.handler.customExtension.id} does not exist or is not ${kind.extensionType}`);
  let targetUrl: URL;
  try {
    targetUrl = new URL(custom.endpointConfiguration.targetUrl);
  } catch {
    return fail(CalloutErrorCode.UNEXPECTED, "the custom extension's target URL is not a URL");
  }
  const resourceId = custom.authenticationConfiguration.resourceId;
  const resource = RESOURCE_ID.exec(resourceId);
  const application = [...objects.applications.values()].find((app) => app.identifierUris.includes(resourceId) || app.appId === resourceId || (resource && app.appId === resource[2]!.toLowerCase()));
  if (!application) return fail(CalloutErrorCode.UNEXPECTED, `no app registration has the resource id ${resourceId}`);
  const wellFormed = (uri: string) => {
    const parts = RESOURCE_ID.exec(uri);
    return parts !== null && HOST_NAME.test(parts[1]!) && parts[2]!.toLowerCase() === application.appId.toLowerCase();
  };
  if (!application.identifierUris.some(wellFormed)) {
    return fail(CalloutErrorCode.IDENTIFIER_URI_INVALID, `the app registration's identifier URI must be api://{host name}/{appId}, without a port, e.g. api://${targetUrl.hostname}/${application.appId}`);
  }
  if (!resource || resource[1]!.toLowerCase() !== targetUrl.hostname.toLowerCase()) {
    return fail(CalloutErrorCode.RESOURCE_HOST_MISMATCH, `the resource id ${resourceId} must name the target URL's host name ${targetUrl.hostname} (without a port)`);
  }
  const principal = objects.servicePrincipalByAppId(application.appId);
  if (!principal || !objects.hasRole(principal.id, objects.graphServicePrincipal.id, RECEIVE_PAYLOAD_ROLE_ID)) {
    return fail(CalloutErrorCode.PERMISSION_NOT_GRANTED, `the app registration ${application.appId} is not granted CustomAuthenticationExtension.Receive.Payload`);
  }
  return {
    kind: 'ready',
    listener,
    extension: custom,
    endpoint: {
      id: custom.id,
      listenerId: listener.id,
      targetUrl: targetUrl.href,
      appId: application.appId,
      resourceHost: resource[1]!,
      timeoutInMs: custom.clientConfiguration.timeoutInMilliseconds,
      maximumRetries: custom.clientConfiguration.maximumRetries,
    },
  };
}

/**
 * The client (and resource) service principal as a callout's authentication context names it: the tenant's own
 * service principal for the app when it has one, else the emulator's sign-in app or a stand-in named after the app id.
 */
export function servicePrincipalContext(objects: TenantObjects, clientAppId: string = EMULATOR_SIGN_IN_APP.appId) {
  const principal = objects.servicePrincipalByAppId(clientAppId);
  if (principal) return { id: principal.id, appId: principal.appId, appDisplayName: principal.displayName, displayName: principal.displayName };
  if (clientAppId.toLowerCase() === EMULATOR_SIGN_IN_APP.appId) {
    return { id: EMULATOR_SIGN_IN_APP.id, appId: EMULATOR_SIGN_IN_APP.appId, appDisplayName: EMULATOR_SIGN_IN_APP.displayName, displayName: EMULATOR_SIGN_IN_APP.displayName };
  }
  return { id: clientAppId, appId: clientAppId, appDisplayName: 'client application', displayName: 'client application' };
}
