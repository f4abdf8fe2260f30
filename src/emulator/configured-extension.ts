import { X509Certificate } from 'node:crypto';
import { CalloutErrorCode } from './callout-client.js';
import type { PasswordSubmitExtension } from './extension-registration.js';
import type { TenantObjects } from './tenant-objects.js';
import { resolveEventListener, type EventKind } from './events/event-listener.js';

/** What a sign-in finds when it looks for the OnPasswordSubmit extension the tenant's Graph objects describe. */
export type ExtensionResolution =
  | { kind: 'none' }
  | { kind: 'ready'; extension: PasswordSubmitExtension }
  /** Entra would fail the sign-in with `errorCode` (AADSTS1100001) before calling the extension. */
  | { kind: 'misconfigured'; migrationFlagAttribute: string; errorCode: number; detail: string };

const PASSWORD_SUBMIT: EventKind = { listenerType: '#microsoft.graph.onPasswordSubmitListener', extensionType: '#microsoft.graph.onPasswordSubmitCustomExtension' };

/**
 * Resolves the OnPasswordSubmit listener for the signing-in client application (lowest priority first; a listener
 * that does not include the client is not used, as in Entra) to the extension Entra would call, checking what
 * Entra checks before calling it: the custom extension exists; its resource id names an app registration with an
 * identifier URI `api://{fully qualified domain name}/{appId}` — a host name, no port (1003014) — and the resource
 * id's host is the target URL's host name (1003015: a port is not part of it); that app's service
 * principal holds `CustomAuthenticationExtension.Receive.Payload` (1003021); and it has the encryption certificate
 * `tokenEncryptionKeyId` points at. The checks every event shares are resolveEventListener's (events/event-listener.ts).
 *
 * @example
 *   const resolution = resolveConfiguredExtension(objects, clientAppId);
 *   if (resolution.kind === 'ready') await callPasswordSubmitExtension({ extension: resolution.extension, … });
 */
export function resolveConfiguredExtension(objects: TenantObjects, clientAppId: string): ExtensionResolution {
  const resolution = resolveEventListener(objects, PASSWORD_SUBMIT, clientAppId);
  if (resolution.kind === 'none') return { kind: 'none' };
  const migrationFlagAttribute = resolution.listener.handler.migrationPropertyId ?? '';
  if (resolution.kind === 'misconfigured') return { kind: 'misconfigured', migrationFlagAttribute, errorCode: resolution.errorCode, detail: resolution.detail };
  const { endpoint } = resolution;
  const application = objects.applicationByAppId(endpoint.appId)!;
  const key = application.keyCredentials.find((credential) => credential.keyId === application.tokenEncryptionKeyId && credential.usage === 'Encrypt' && credential.key);
  if (!key) {
    return { kind: 'misconfigured', migrationFlagAttribute, errorCode: CalloutErrorCode.UNEXPECTED, detail: `the app registration ${application.appId} has no encryption certificate (keyCredentials usage Encrypt, tokenEncryptionKeyId)` };
  }
  const certificate = new X509Certificate(Buffer.from(key.key!, 'base64'));
  return {
    kind: 'ready',
    extension: {
      id: endpoint.id,
      listenerId: endpoint.listenerId,
      targetUrl: endpoint.targetUrl,
      appId: endpoint.appId,
      resourceHost: endpoint.resourceHost,
      encryptionCertificatePem: certificate.toString(),
      timeoutInMs: endpoint.timeoutInMs,
      maximumRetries: endpoint.maximumRetries,
      migrationFlagAttribute,
    },
  };
}
