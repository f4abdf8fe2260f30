import { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential as AzureTokenCredential } from '@azure/identity';
import { isLoopbackUrl } from '../common/loopback.js';
import { createClientSecretCredential, entraErrorCodesIn, likelyRefusalCause, type TokenCredential } from './client-credentials.js';
import { GraphError, GraphErrorCode } from './errors.js';

/** How one app registration signs in to Graph: a client secret, a certificate, or a managed identity. */
export interface AppCredentialSettings {
  /** `AZURE_AUTHORITY_HOST`: https://login.microsoftonline.com, or the emulator's loopback URL. */
  authorityHost: string;
  tenantId: string;
  /** The app registration's client id; for a managed identity, a user-assigned identity's client id (optional). */
  clientId?: string;
  clientSecret?: string;
  /** A PEM file holding the certificate and its private key (`AZURE_CLIENT_CERTIFICATE_PATH`). */
  certificatePath?: string;
}

/** What kind of credential `appCredential` chose; shown in progress output, never with the secret. */
export type AppCredentialKind = 'client-secret (loopback)' | 'client-secret' | 'client-certificate' | 'managed-identity';

/**
 * The credential for one app registration. A loopback authority (the emulator) gets our plain client-credentials
 * credential: MSAL, under @azure/identity, cannot address an authority with a port (DESIGN.md, known traps). Every
 * other authority gets @azure/identity — a client secret, else a certificate, else a managed identity — with
 * instance discovery left on, as a real tenant needs.
 *
 * @example
 *   const { credential } = appCredential({ authorityHost: 'https://login.microsoftonline.com', tenantId, clientId, clientSecret });
 */
export function appCredential(settings: AppCredentialSettings): { kind: AppCredentialKind; credential: TokenCredential } {
  const { authorityHost, tenantId, clientId, clientSecret, certificatePath } = settings;
  if (isLoopbackUrl(authorityHost)) {
    if (!clientId || !clientSecret) {
      throw new GraphError(GraphErrorCode.AUTH_FAILED, `The authority ${authorityHost} is a local emulator: give a client id and a client secret.`);
    }
    return { kind: 'client-secret (loopback)', credential: createClientSecretCredential({ authorityHost, tenantId, clientId, clientSecret }) };
  }
  const who = { authorityHost, tenantId, ...(clientId && { clientId }) };
  if (clientSecret) {
    if (!clientId) throw new GraphError(GraphErrorCode.AUTH_FAILED, 'A client secret needs the client id of its app registration.');
    return { kind: 'client-secret', credential: adapt(new ClientSecretCredential(tenantId, clientId, clientSecret, { authorityHost }), who) };
  }
  if (certificatePath) {
    if (!clientId) throw new GraphError(GraphErrorCode.AUTH_FAILED, 'A client certificate needs the client id of its app registration.');
    return { kind: 'client-certificate', credential: adapt(new ClientCertificateCredential(tenantId, clientId, { certificatePath }, { authorityHost }), who) };
  }
  return { kind: 'managed-identity', credential: adapt(clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential(), who) };
}

/**
 * @azure/identity may answer null ("no token"); Graph calls need one, so that is an authentication failure. A
 * refusal Entra explains with a known code (AADSTS90002: no such tenant …) also names the setting to check.
 */
function adapt(azure: AzureTokenCredential, who: Parameters<typeof likelyRefusalCause>[1]): TokenCredential {
  return {
    async getToken(scope) {
      let token;
      try {
        token = await azure.getToken(scope);
      } catch (error) {
        // @azure/identity's messages name the tenant and client, never the secret.
        const message = error instanceof Error ? error.message : '';
        const cause = likelyRefusalCause({ codes: entraErrorCodesIn(message) }, who);
        throw new GraphError(GraphErrorCode.AUTH_FAILED, `Could not get a Graph token: ${message.split('\n')[0]!.slice(0, 300) || 'unknown error'}${cause ? ` (${cause})` : ''}`, { cause: error });
      }
      if (!token) throw new GraphError(GraphErrorCode.AUTH_FAILED, 'Could not get a Graph token: the credential returned none.');
      return { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
    },
  };
}
