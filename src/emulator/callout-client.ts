import { randomUUID } from 'node:crypto';
import { actionOf, parsePasswordSubmitResponse, type PasswordSubmitAction } from '../events/index.js';
import { mintCalloutToken } from './callout-token.js';
import type { DirectoryUser } from './directory.js';
import type { PasswordSubmitExtension } from './extension-registration.js';
import { encryptPasswordContext } from './password-context.js';
import type { EmulatedTenant } from './tenant.js';

/** Error codes Entra writes to sign-in logs for a failed callout (learn.microsoft.com, custom-extension-troubleshoot). */
export const CalloutErrorCode = {
  UNEXPECTED: 1003001,
  INVALID_HTTP_STATUS: 1003002,
  INVALID_RESPONSE_BODY: 1003003,
  TIMEOUT: 1003005,
  INVALID_CONTENT_TYPE: 1003006,
  /** OnTokenIssuanceStart: the answer's action has a null (or no) claims bag. */
  NULL_CLAIMS_BAG: 1003007,
  INVALID_ACTION_COUNT: 1003010,
  INVALID_ACTION_TYPE: 1003012,
  /** The extension app's identifier URI is not `api://{fully qualified domain}/{appId}`. */
  IDENTIFIER_URI_INVALID: 1003014,
  /** The host of `authenticationConfiguration.resourceId` differs from the target URL's. */
  RESOURCE_HOST_MISMATCH: 1003015,
  /** The extension app's service principal lacks `CustomAuthenticationExtension.Receive.Payload`. */
  PERMISSION_NOT_GRANTED: 1003021,
} as const;

/** The emulator's own sign-in application: the client of a sign-in unless the caller names another. */
export const EMULATOR_SIGN_IN_APP = { id: '6f2b8e0c-1d3a-4c5b-9e7f-0a1b2c3d4e5f', appId: '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', displayName: 'entra-migrate emulator sign-in' } as const;

export type CalloutResult =
  | { ok: true; action: PasswordSubmitAction; title?: string; message?: string; attempts: number; latencyInMs: number }
  | { ok: false; errorCode: number; detail: string; attempts: number; latencyInMs: number };

export interface CalloutRequest {
  tenant: EmulatedTenant;
  extension: PasswordSubmitExtension;
  user: DirectoryUser;
  /** What the user typed. Encrypted into the context; never logged. */
  password: string;
  /** The client application signing the user in; default the emulator's own sign-in app. */
  clientAppId?: string;
  username: string;
  client: { ip: string; locale: string; market: string };
  fetch?: typeof globalThis.fetch;
  now: () => number;
}

/** Thrown inside an attempt to end it with an Entra error code. */
class CalloutFailure extends Error {
  constructor(readonly errorCode: number, detail: string, readonly retriable: boolean) {
    super(detail);
  }
}

/**
 * Calls an OnPasswordSubmit extension as Entra does: a fresh bearer token, the request body of the documented
 * shape with the password encrypted to the extension's certificate, `timeoutInMilliseconds` per attempt, one
 * retry at most (on timeout, network failure or 5xx), and the answer judged like Entra judges it.
 *
 * @example
 *   const result = await callPasswordSubmitExtension({ tenant, extension, user, password, username, client, now: Date.now });
 */
export async function callPasswordSubmitExtension(request: CalloutRequest): Promise<CalloutResult> {
  const started = request.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const answer = await attempt(request);
      return { ok: true, ...answer, attempts, latencyInMs: request.now() - started };
    } catch (error) {
      const failure = error instanceof CalloutFailure ? error : new CalloutFailure(CalloutErrorCode.UNEXPECTED, 'the call failed unexpectedly', false);
      if (failure.retriable && attempts <= request.extension.maximumRetries) continue;
      return { ok: false, errorCode: failure.errorCode, detail: failure.message, attempts, latencyInMs: request.now() - started };
    }
  }
}

async function attempt(request: CalloutRequest): Promise<{ action: PasswordSubmitAction; title?: string; message?: string }> {
  const { tenant, extension, user } = request;
  const nonce = randomUUID();
  const now = request.now();
  const body = {
    type: 'microsoft.graph.authenticationEvent.passwordSubmit',
    source: `/tenants/${tenant.tenantId}/applications/${extension.appId}`,
    data: {
      '@odata.type': 'microsoft.graph.onPasswordSubmitCalloutData',
      tenantId: tenant.tenantId,
      authenticationEventListenerId: extension.listenerId,
      customAuthenticationExtensionId: extension.id,
      encryptedPasswordContext: await encryptPasswordContext({
        certificatePem: extension.encryptionCertificatePem,
        appId: extension.appId,
        resourceHost: extension.resourceHost,
        password: request.password,
        username: request.username,
        nonce,
        now,
      }),
      authenticationContext: {
        correlationId: randomUUID(),
        client: request.client,
        protocol: 'OAUTH2.0',
        clientServicePrincipal: request.clientAppId && request.clientAppId !== EMULATOR_SIGN_IN_APP.appId
          ? { id: request.clientAppId, appId: request.clientAppId, appDisplayName: 'client application', displayName: 'client application' }
          : { id: EMULATOR_SIGN_IN_APP.id, appId: EMULATOR_SIGN_IN_APP.appId, appDisplayName: EMULATOR_SIGN_IN_APP.displayName, displayName: EMULATOR_SIGN_IN_APP.displayName },
        resourceServicePrincipal: null,
        user: {
          createdDateTime: user.createdDateTime,
          displayName: user.displayName,
          givenName: user.givenName,
          id: user.id,
          mail: user.mail,
          preferredLanguage: request.client.locale,
          surname: user.surname,
          userPrincipalName: user.userPrincipalName,
          userType: 'Member',
        },
      },
      userSignUpInfo: null,
      otpContext: null,
    },
  };

  let response: Response;
  try {
    response = await (request.fetch ?? globalThis.fetch)(extension.targetUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await mintCalloutToken(tenant, { audience: extension.appId, now })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(extension.timeoutInMs),
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') {
      throw new CalloutFailure(CalloutErrorCode.TIMEOUT, `no answer within ${extension.timeoutInMs} ms`, true);
    }
    throw new CalloutFailure(CalloutErrorCode.UNEXPECTED, 'the extension could not be reached', true);
  }

  let text: string;
  try {
    text = await response.text();
  } catch {
    throw new CalloutFailure(CalloutErrorCode.TIMEOUT, `the answer did not complete within ${extension.timeoutInMs} ms`, true);
  }
  if (response.status !== 200) {
    throw new CalloutFailure(CalloutErrorCode.INVALID_HTTP_STATUS, `the extension answered HTTP ${response.status}`, response.status >= 500);
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new CalloutFailure(CalloutErrorCode.INVALID_CONTENT_TYPE, `the answer's content type is "${contentType.slice(0, 60)}", not application/json`, false);
  }
  let answer;
  try {
    answer = parsePasswordSubmitResponse(JSON.parse(text));
  } catch {
    throw new CalloutFailure(CalloutErrorCode.INVALID_RESPONSE_BODY, 'the answer does not match the onPasswordSubmitResponseData schema', false);
  }
  if (answer.data.nonce !== nonce) {
    throw new CalloutFailure(CalloutErrorCode.INVALID_RESPONSE_BODY, 'the answer does not echo the nonce of the password context', false);
  }
  if (answer.data.actions.length !== 1) {
    throw new CalloutFailure(CalloutErrorCode.INVALID_ACTION_COUNT, `the answer holds ${answer.data.actions.length} actions; exactly one is required`, false);
  }
  const [only] = answer.data.actions;
  const action = actionOf(only!['@odata.type']);
  if (!action) throw new CalloutFailure(CalloutErrorCode.INVALID_ACTION_TYPE, `"${only!['@odata.type'].slice(0, 80)}" is not an OnPasswordSubmit action`, false);
  return { action, ...(only!.title !== undefined && { title: only!.title }), ...(only!.message !== undefined && { message: only!.message }) };
}
