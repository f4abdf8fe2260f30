/** The fields of Graph resources that `setup` and `doctor` read, as Graph returns them (keys never included). */

/** `application` (v1.0): an app registration. */
export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  identifierUris: string[];
  api?: { requestedAccessTokenVersion?: number | null };
  keyCredentials: Array<{ keyId: string; usage: string; type: string; key?: string | null; customKeyIdentifier: string | null; startDateTime: string; endDateTime: string; displayName?: string | null }>;
  tokenEncryptionKeyId: string | null;
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: string }> }>;
}

/** `customAuthenticationExtension` (beta), as an `onPasswordSubmitCustomExtension`. */
export interface GraphCustomExtension {
  id: string;
  '@odata.type': string;
  displayName: string;
  endpointConfiguration: { targetUrl: string };
  authenticationConfiguration: { resourceId: string };
  clientConfiguration: { timeoutInMilliseconds: number; maximumRetries: number };
}

/** `authenticationEventListener` (beta), as an `onPasswordSubmitListener`. */
export interface GraphEventListener {
  id: string;
  '@odata.type': string;
  conditions: { applications: { includeAllApplications: boolean; includeApplications: Array<{ appId: string }> } };
  handler: { migrationPropertyId: string; customExtension: { id: string } };
}
