/** One error code Entra writes to the sign-in log when a custom authentication extension fails (AADSTS1100001). */
export interface ExtensionErrorCode {
  code: number;
  name: string;
  /** What Entra saw, in one sentence. */
  cause: string;
  /** What to change, concretely, for this tool's deployment. */
  fix: string;
}

/**
 * The sign-in log codes of custom authentication extensions (learn.microsoft.com: "Troubleshoot your custom
 * authentication extension"), with the cause and fix as they apply to the events served by `entra-migrate serve`
 * and provisioned by `entra-migrate setup`. The user sees only AADSTS1100001.
 */
export const EXTENSION_ERROR_CODES: readonly ExtensionErrorCode[] = [
  {
    code: 1003001,
    name: 'UnexpectedError',
    cause: 'The call failed for a reason Entra does not classify: a TLS or DNS failure, a refused connection, or no usable encryption key on the app registration.',
    fix: 'Run `entra-migrate doctor`: it probes the target URL and checks keyCredentials and tokenEncryptionKeyId on the app registration.',
  },
  {
    code: 1003002,
    name: 'InvalidHttpStatus',
    cause: 'The extension answered with an HTTP status other than 200 — 401 for a token it refused, 400 for a body it could not read, 500 or 503 on failure.',
    fix: "Read serve's log for the correlation id: a 401 names the token check that failed (audience = ENTRA_EXTENSION_APP_ID, issuer = the tenant); a decryption failure means the certificate in keyCredentials is not a key in JIT_DECRYPTION_KEY_FILE.",
  },
  {
    code: 1003003,
    name: 'InvalidResponseBody',
    cause: 'The answer was not the documented JSON: wrong @odata.type, a missing nonce, or extra fields.',
    fix: 'Answer through `entra-migrate serve`, which builds the body from the documented schema; a proxy in front must not rewrite it.',
  },
  {
    code: 1003005,
    name: 'Timeout',
    cause: "No answer within the extension's timeoutInMilliseconds (after the retry, if any).",
    fix: "Keep RESPONSE_DEADLINE_MS below the extension's timeoutInMilliseconds minus the network round trip (doctor measures it); raise the timeout to at most 2000 ms with `setup --timeout-ms`; speed up the legacy lookup or the hash.",
  },
  {
    code: 1003006,
    name: 'InvalidContentType',
    cause: 'The answer did not carry Content-Type: application/json.',
    fix: 'A proxy or gateway in front of the extension changed the content type; let the answer through unchanged.',
  },
  {
    code: 1003007,
    name: 'MissingClaimsBag',
    cause: 'An OnTokenIssuanceStart answer carried a null or missing claims bag.',
    fix: 'With no claims to give, answer claims: {} — `serve` and the library\'s builder always do; check what sits between Entra and the extension.',
  },
  {
    code: 1003010,
    name: 'InvalidActionCount',
    cause: 'The answer held no action or more than one.',
    fix: 'Answer with exactly one action; `serve` always does — check what sits between Entra and it.',
  },
  {
    code: 1003012,
    name: 'InvalidActionType',
    cause: "The action is not one the event accepts (OnPasswordSubmit: MigratePassword, UpdatePassword, Retry, Block; each other event its own, e.g. microsoft.graph.tokenIssuanceStart.provideClaimsForToken).",
    fix: "Use the event's own action types; `serve` and the library's builders refuse any other.",
  },
  {
    code: 1003014,
    name: 'InvalidIdentifierUri',
    cause: "The extension's app registration has no identifier URI of the form api://{fully qualified domain of the target URL}/{appId}.",
    fix: 'Run `entra-migrate setup` (it sets identifierUris), or set identifierUris to api://{host}/{appId} on the app registration.',
  },
  {
    code: 1003015,
    name: 'ResourceIdHostMismatch',
    cause: "The host in the custom extension's authenticationConfiguration.resourceId differs from the host of its targetUrl.",
    fix: 'Run `entra-migrate setup --target-url …` again after moving the endpoint: the resource id must be api://{target host}/{appId}.',
  },
  {
    code: 1003021,
    name: 'ReceivePayloadPermissionMissing',
    cause: "The extension app's service principal is not granted CustomAuthenticationExtension.Receive.Payload (Microsoft Graph application permission 214e810f-fda8-4fd7-a475-29461495eb00).",
    fix: 'Run `entra-migrate setup` (it grants the permission), or grant admin consent for it on the app registration.',
  },
];

/** The code's entry, or undefined for a code not in the catalogue. */
export function explainExtensionErrorCode(code: number): ExtensionErrorCode | undefined {
  return EXTENSION_ERROR_CODES.find((entry) => entry.code === code);
}
