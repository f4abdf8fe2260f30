/** The fields of Graph resources that `setup` and `doctor` read, as Graph returns them (keys never included). */

/** `application` (v1.0): an app registration. */
export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  identifierUris: string[];
  /** `acceptMappedClaims`: a claims mapping policy may add claims to this application's tokens (setup sets it on client apps for token issuance). */
  api?: { requestedAccessTokenVersion?: number | null; acceptMappedClaims?: boolean | null };
  keyCredentials: Array<{ keyId: string; usage: string; type: string; key?: string | null; customKeyIdentifier: string | null; startDateTime: string; endDateTime: string; displayName?: string | null }>;
  tokenEncryptionKeyId: string | null;
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: string }> }>;
}

/** `customAuthenticationExtension` (beta): an `onPasswordSubmitCustomExtension`, or one of the other event types. */
export interface GraphCustomExtension {
  id: string;
  '@odata.type': string;
  displayName: string;
  endpointConfiguration: { targetUrl: string };
  authenticationConfiguration: { resourceId: string };
  clientConfiguration: { timeoutInMilliseconds: number; maximumRetries: number };
  /** `onTokenIssuanceStartCustomExtension` only: the claims the API returns. */
  claimsForTokenConfiguration?: Array<{ claimIdInApiResponse: string }> | null;
}

/**
 * `authenticationEventListener` (beta): an `onPasswordSubmitListener` (its handler reads `migrationPropertyId`), an
 * `onTokenIssuanceStartListener` or an `onEmailOtpSendListener` (its handler may carry `configuration.behaviorOnError`).
 */
export interface GraphEventListener {
  id: string;
  '@odata.type': string;
  conditions: { applications: { includeAllApplications: boolean; includeApplications: Array<{ appId: string }> } };
  handler: { '@odata.type'?: string; migrationPropertyId: string; customExtension: { id: string }; configuration?: { behaviorOnError?: { '@odata.type': string } | null } | null };
}

/** `claimsMappingPolicy` (v1.0): `definition` holds one string, the policy's JSON. */
export interface GraphClaimsMappingPolicy {
  id: string;
  displayName: string;
  definition: string[];
  isOrganizationDefault?: boolean;
}
