import { X509Certificate } from 'node:crypto';
import { CalloutErrorCode } from './callout-client.js';
import type { PasswordSubmitExtension } from './extension-registration.js';
import { RECEIVE_PAYLOAD_ROLE_ID } from '../graph/index.js';
import type { AuthenticationEventListener, TenantObjects } from './tenant-objects.js';

/** What a sign-in finds when it looks for the OnPasswordSubmit extension the tenant's Graph objects describe. */
export type ExtensionResolution =
  | { kind: 'none' }
  | { kind: 'ready'; extension: PasswordSubmitExtension }
  /** Entra would fail the sign-in with `errorCode` (AADSTS1100001) before calling the extension. */
  | { kind: 'misconfigured'; migrationFlagAttribute: string; errorCode: number; detail: string };

const LISTENER_TYPE = '#microsoft.graph.onPasswordSubmitListener';
/** `api://{authority}/{appId}`; the authority may carry a port, which Entra's checks then refuse. */
const RESOURCE_ID = /^api:\/\/([^/]+)\/([0-9a-f-]{36})$/i;
/** A host name without a port (an IPv6 literal in brackets allowed). */
const HOST_NAME = /^(\[[0-9a-f:.]+\]|[^/:]+)$/i;
const EXTENSION_TYPE = '#microsoft.graph.onPasswordSubmitCustomExtension';

/**
 * Resolves the OnPasswordSubmit listener for the signing-in client application (lowest priority first; a listener
 * that does not include the client is not used, as in Entra) to the extension Entra would call, checking what
 * Entra checks before calling it: the custom extension exists; its resource id names an app registration with an
 * identifier URI `api://{fully qualified domain name}/{appId}` — a host name, no port (1003014) — and the resource
 * id's host is the target URL's host name (1003015: a port is not part of it); that app's service
 * principal holds `CustomAuthenticationExtension.Receive.Payload` (1003021); and it has the encryption certificate
 * `tokenEncryptionKeyId` points at.
 *
 * @example
 *   const resolution = resolveConfiguredExtension(objects, clientAppId);
 *   if (resolution.kind === 'ready') await callPasswordSubmitExtension({ extension: resolution.extension, … });
 */
export function resolveConfiguredExtension(objects: TenantObjects, clientAppId: string): ExtensionResolution {
  const applies = ({ conditions: { applications } }: AuthenticationEventListener) =>
    applications.includeAllApplications || applications.includeApplications.some((app) => app.appId.toLowerCase() === clientAppId.toLowerCase());
  const listener = [...objects.listeners.values()].filter((entry) => entry['@odata.type'] === LISTENER_TYPE && applies(entry)).sort((a, b) => a.priority - b.priority)[0];
  if (!listener) return { kind: 'none' };
  const migrationFlagAttribute = listener.handler.migrationPropertyId ?? '';
  const fail = (errorCode: number, detail: string): ExtensionResolution => ({ kind: 'misconfigured', migrationFlagAttribute, errorCode, detail });
  const custom = objects.customExtensions.get(listener.handler.customExtension.id);
  if (!custom || custom['@odata.type'] !== EXTENSION_TYPE) return fail(CalloutErrorCode.UNEXPECTED, `the listener's custom extension ${listener.handler.customExtension.id} does not exist`);
  const targetUrl = new URL(custom.endpointConfiguration.targetUrl);
  const resourceId = custom.authenticationConfiguration.resourceId;
  const resource = RESOURCE_ID.exec(resourceId);
  const application = [...objects.applications.values()].find((app) => app.identifierUris.includes(resourceId) || app.appId === resourceId || (resource && app.appId === resource[2]!.toLowerCase()));
  if (!application) return fail(CalloutErrorCode.UNEXPECTED, `no app registration has the resource id ${resourceId}`);
  const identifierUri = `api://${targetUrl.hostname}/${application.appId}`;
  const wellFormed = (uri: string) => {
    const parts = RESOURCE_ID.exec(uri);
    return parts !== null && HOST_NAME.test(parts[1]!) && parts[2]!.toLowerCase() === application.appId.toLowerCase();
  };
  if (!application.identifierUris.some(wellFormed)) {
    return fail(CalloutErrorCode.IDENTIFIER_URI_INVALID, `the app registration's identifier URI must be api://{host name}/{appId}, without a port, e.g. ${identifierUri}`);
  }
  if (!resource || resource[1]!.toLowerCase() !== targetUrl.hostname.toLowerCase()) {
    return fail(CalloutErrorCode.RESOURCE_HOST_MISMATCH, `the resource id ${resourceId} must name the target URL's host name ${targetUrl.hostname} (without a port)`);
  }
  const principal = objects.servicePrincipalByAppId(application.appId);
  if (!principal || !objects.hasRole(principal.id, objects.graphServicePrincipal.id, RECEIVE_PAYLOAD_ROLE_ID)) {
    return fail(CalloutErrorCode.PERMISSION_NOT_GRANTED, `the app registration ${application.appId} is not granted CustomAuthenticationExtension.Receive.Payload`);
  }
  const key = application.keyCredentials.find((credential) => credential.keyId === application.tokenEncryptionKeyId && credential.usage === 'Encrypt' && credential.key);
  if (!key) return fail(CalloutErrorCode.UNEXPECTED, `the app registration ${application.appId} has no encryption certificate (keyCredentials usage Encrypt, tokenEncryptionKeyId)`);
  const certificate = new X509Certificate(Buffer.from(key.key!, 'base64'));
  return {
    kind: 'ready',
    extension: {
      id: custom.id,
      listenerId: listener.id,
      targetUrl: targetUrl.href,
      appId: application.appId,
      resourceHost: resource[1]!,
      encryptionCertificatePem: certificate.toString(),
      timeoutInMs: custom.clientConfiguration.timeoutInMilliseconds,
      maximumRetries: custom.clientConfiguration.maximumRetries,
      migrationFlagAttribute,
    },
  };
}
