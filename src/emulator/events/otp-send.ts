import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { OTP_SEND_DATA_TYPE, OTP_SEND_EVENT_TYPE, otpSendActionOf, otpSendResponseSchema } from '../../events/index.js';
import { CalloutErrorCode, EMULATOR_SIGN_IN_APP } from '../callout-client.js';
import type { TenantObjects } from '../tenant-objects.js';
import type { EmulatedTenant } from '../tenant.js';
import { AnswerRefusal, callEventExtension } from './event-callout.js';
import { EMAIL_OTP_SEND, resolveEventListener, servicePrincipalContext, type EventEndpoint } from './event-listener.js';

/** The handler configuration that lets Entra send the code itself when the extension fails. */
export const FALLBACK_TO_MICROSOFT = '#microsoft.graph.fallbackToMicrosoftProviderOnError';

/** Why a code is sent, as `authenticationContext.requestType` names it (`signUp` is the reference page's example). */
export type OtpRequestType = 'signUp' | 'passwordReset' | 'signIn';

/** Who delivered a one-time code, as the page tells it. */
export type OtpDelivery =
  /** No listener applies: Entra (here, the emulator's page) delivers the code. */
  | { sentBy: 'microsoft' }
  /** The extension took the code: the organisation's provider sends it; the emulator does not show it. */
  | { sentBy: 'custom-provider' }
  /** The extension failed and the handler falls back: Entra delivers the code; `errorCode` is the sign-in log's. */
  | { sentBy: 'microsoft-fallback'; errorCode: number; detail: string }
  /** The extension failed without fallback: no code was delivered and the flow stops (AADSTS1100001). */
  | { sentBy: 'nobody'; aadsts: 'AADSTS1100001'; errorCode: number; detail: string };

export interface OtpSendRequest {
  /** The address the code goes to (`otpContext.identifier`). */
  email: string;
  /** The code itself: sent to the extension, never logged. */
  code: string;
  requestType: OtpRequestType;
  clientAppId?: string;
  client: { ip: string; locale: string; market: string };
}

export interface OtpSender {
  send(request: OtpSendRequest): Promise<OtpDelivery>;
  /** OnOtpSend callouts made so far (a retry counts once). */
  calloutCount(): number;
}

export interface OtpSenderOptions {
  tenant: EmulatedTenant;
  objects: TenantObjects;
  now: () => number;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
}

/**
 * Delivers an e-mail one-time code as External ID does when the tenant has an `onEmailOtpSendListener` for the
 * client application (custom-extension-email-otp-get-started): the code goes to the extension
 * (`otpContext.identifier`, `otpContext.oneTimeCode`, `authenticationContext.requestType`) with Entra's timeout and
 * retry; HTTP 200 with `continueWithDefaultBehavior` means the organisation's provider sends it. Any failure —
 * a configuration Entra refuses (1003014, 1003015, 1003021), a call or an answer it refuses (1003002, 1003003,
 * 1003005, 1003006, 1003010, 1003012) — lets Entra send the code itself only when the handler's
 * `configuration.behaviorOnError` is `fallbackToMicrosoftProviderOnError`; otherwise the flow stops.
 *
 * @example
 *   const delivery = await sender.send({ email, code, requestType: 'signUp', client });
 *   if (delivery.sentBy === 'nobody') return { outcome: 'extension-error', … };
 */
export function createOtpSender(options: OtpSenderOptions): OtpSender {
  const { tenant, objects, now } = options;
  const log = options.logger.child({ name: 'emulator:otp-send' });
  let callouts = 0;

  return {
    calloutCount: () => callouts,

    async send(request) {
      const clientAppId = request.clientAppId ?? EMULATOR_SIGN_IN_APP.appId;
      const resolution = resolveEventListener(objects, EMAIL_OTP_SEND, clientAppId);
      if (resolution.kind === 'none') return { sentBy: 'microsoft' };
      const fallback = resolution.listener.handler.configuration?.behaviorOnError?.['@odata.type'] === FALLBACK_TO_MICROSOFT;
      const failed = (errorCode: number, detail: string): OtpDelivery =>
        fallback ? { sentBy: 'microsoft-fallback', errorCode, detail } : { sentBy: 'nobody', aadsts: 'AADSTS1100001', errorCode, detail };
      if (resolution.kind === 'misconfigured') {
        log.info({ clientAppId, errorCode: resolution.errorCode, fallback }, 'OnOtpSend not called: the tenant configuration is wrong');
        return failed(resolution.errorCode, resolution.detail);
      }
      callouts++;
      const result = await callEventExtension({
        tenant,
        endpoint: resolution.endpoint,
        body: otpSendRequest({ tenant, objects, endpoint: resolution.endpoint, clientAppId, request }),
        judge: judgeOtpSendAnswer,
        now,
        ...(options.fetch && { fetch: options.fetch }),
      });
      log.info({ clientAppId, requestType: request.requestType, ok: result.ok, errorCode: result.ok ? undefined : result.errorCode, fallback, attempts: result.attempts, latencyInMs: result.latencyInMs }, 'OnOtpSend callout');
      return result.ok ? { sentBy: 'custom-provider' } : failed(result.errorCode, result.detail);
    },
  };
}

/** The body Entra POSTs to an OnOtpSend extension (custom-extension-email-otp-send-data). */
export function otpSendRequest(input: { tenant: EmulatedTenant; objects: TenantObjects; endpoint: EventEndpoint; clientAppId: string; request: OtpSendRequest }) {
  const { tenant, endpoint, request } = input;
  const principal = servicePrincipalContext(input.objects, input.clientAppId);
  return {
    type: OTP_SEND_EVENT_TYPE,
    source: `/tenants/${tenant.tenantId}/applications/${input.clientAppId}`,
    data: {
      '@odata.type': OTP_SEND_DATA_TYPE,
      otpContext: { identifier: request.email, oneTimeCode: request.code },
      tenantId: tenant.tenantId,
      authenticationEventListenerId: endpoint.listenerId,
      customAuthenticationExtensionId: endpoint.id,
      authenticationContext: {
        correlationId: randomUUID(),
        client: request.client,
        protocol: 'OAUTH2.0',
        requestType: request.requestType,
        clientServicePrincipal: principal,
        resourceServicePrincipal: principal,
      },
    },
  };
}

/** Judges an answer as Entra does: the documented shape (1003003), one action (1003010), `continueWithDefaultBehavior` (1003012). */
export function judgeOtpSendAnswer(json: unknown): 'continueWithDefaultBehavior' {
  const parsed = otpSendResponseSchema.safeParse(json);
  if (!parsed.success) throw new AnswerRefusal(CalloutErrorCode.INVALID_RESPONSE_BODY, 'the answer does not match the OnOtpSendResponseData schema');
  const { actions } = parsed.data.data;
  if (actions.length !== 1) throw new AnswerRefusal(CalloutErrorCode.INVALID_ACTION_COUNT, `the answer holds ${actions.length} actions; exactly one is required`);
  const action = otpSendActionOf(actions[0]!['@odata.type']);
  if (!action) throw new AnswerRefusal(CalloutErrorCode.INVALID_ACTION_TYPE, `"${actions[0]!['@odata.type'].slice(0, 80)}" is not an OnOtpSend action`);
  return action;
}

/** What a page that sent a code answers, by how the code went out (sign-up and Forgot password alike). */
export type CodeSentOutcome =
  | { outcome: 'code-sent'; email: string; verificationId: string; code: string; expiresInSeconds: number; sentBy: 'microsoft' | 'microsoft-fallback'; fallbackErrorCode?: number }
  | { outcome: 'code-sent-by-provider'; email: string; verificationId: string; expiresInSeconds: number }
  | { outcome: 'extension-error'; event: 'otp-send'; errorCode: number; aadsts: 'AADSTS1100001'; detail: string };

/**
 * The outcome of a code's delivery: shown on the page when Microsoft sent it (or fell back to sending it), hidden
 * when the organisation's provider did, and the flow stopped when nobody could.
 *
 * @example
 *   return codeSentOutcome(await otp.send({ email, code, requestType: 'signUp', client }), { email, verificationId, code, expiresInSeconds });
 */
export function codeSentOutcome(delivery: OtpDelivery, sent: { email: string; verificationId: string; code: string; expiresInSeconds: number }): CodeSentOutcome {
  const { email, verificationId, code, expiresInSeconds } = sent;
  switch (delivery.sentBy) {
    case 'nobody':
      return { outcome: 'extension-error', event: 'otp-send', errorCode: delivery.errorCode, aadsts: delivery.aadsts, detail: delivery.detail };
    case 'custom-provider':
      return { outcome: 'code-sent-by-provider', email, verificationId, expiresInSeconds };
    case 'microsoft-fallback':
      return { outcome: 'code-sent', email, verificationId, code, expiresInSeconds, sentBy: 'microsoft-fallback', fallbackErrorCode: delivery.errorCode };
    case 'microsoft':
      return { outcome: 'code-sent', email, verificationId, code, expiresInSeconds, sentBy: 'microsoft' };
  }
}
