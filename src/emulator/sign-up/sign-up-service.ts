import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { policyViolationOf, type PasswordPolicyViolation } from '../../jit/index.js';
import type { Directory } from '../directory.js';
import { EmulatorError, EmulatorErrorCode } from '../errors.js';
import { createOneTimeCodes, type RedeemResult } from '../one-time-codes.js';
import type { EmulatedTenant } from '../tenant.js';
import { codeSentOutcome, type OtpSender } from '../events/otp-send.js';
import type { TokenIssuer } from '../events/token-issuance.js';
import { tokenOutcome, type SignedInToken, type TokenFailureOutcome } from '../sign-in.js';
import { callAttributeCollectionStart, callAttributeCollectionSubmit } from './attribute-collection-callout.js';
import type { SignUpContext } from './attribute-collection-requests.js';
import type { AttributeValue, FlowAttribute, SignUpFlow } from './user-flow.js';

/** An attribute as the attribute page shows it: its value (prefilled, or as last submitted) and its error, if any. */
export interface PageAttribute {
  name: string;
  label: string;
  dataType: FlowAttribute['dataType'];
  hidden: boolean;
  value: AttributeValue | null;
  error?: string;
}

export type SignUpOutcome =
  /**
   * Microsoft sends the code — directly, or as the fallback after the OnOtpSend extension failed (`fallbackErrorCode`,
   * the sign-in log's) — and the code the e-mail would carry is shown: the emulator sends no mail.
   */
  | { outcome: 'code-sent'; email: string; verificationId: string; code: string; expiresInSeconds: number; sentBy: 'microsoft' | 'microsoft-fallback'; fallbackErrorCode?: number }
  /** The OnOtpSend extension took the code: the organisation's provider sends it, and the emulator does not show it. */
  | { outcome: 'code-sent-by-provider'; email: string; verificationId: string; expiresInSeconds: number }
  | { outcome: 'email-invalid'; message: string }
  | { outcome: 'user-exists'; message: string }
  | { outcome: 'code-invalid'; reason: Exclude<RedeemResult<unknown>, { ok: true }>['reason']; message: string }
  /** The attribute page: shown first, and again with `message` and per-attribute errors after `showValidationError`. */
  | { outcome: 'attributes-required'; state: string; email: string; attributes: PageAttribute[]; message?: string; passwordError?: PasswordPolicyViolation }
  | { outcome: 'blocked'; message: string }
  | { outcome: 'state-invalid' }
  | { outcome: 'extension-error'; event: 'start' | 'submit' | 'otp-send'; errorCode: number; aadsts: 'AADSTS1100001'; detail: string }
  /** The account was created, but its first sign-in got no token (the user is in the directory and can sign in later). */
  | TokenFailureOutcome
  | ({ outcome: 'signed-up'; userId: string; email: string } & SignedInToken);

export interface SignUpService {
  /** Step 1: the e-mail address; a one-time code is "sent". */
  begin(input: { email: string; clientId?: string; locale?: string; ip?: string }): Promise<SignUpOutcome>;
  /** Step 2: the code; on success OnAttributeCollectionStart runs and the attribute page follows. */
  verify(input: { verificationId: string; code: string }): Promise<SignUpOutcome>;
  /** Step 3: the password and the attributes; OnAttributeCollectionSubmit runs and the user is created. */
  submit(input: { state: string; password: string; attributes: Record<string, string>; includeIdToken?: boolean }): Promise<SignUpOutcome>;
  /** Attribute collection callouts made so far (a retry counts once). */
  calloutCount(): number;
}

export interface SignUpServiceOptions {
  tenant: EmulatedTenant;
  directory: Directory;
  /** The sign-up user flow in force (attributes, and the extension endpoints of its two events). */
  flow: () => SignUpFlow;
  now: () => number;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  /** Sends the verification code through the OnOtpSend extension when a listener applies; without it Microsoft sends it. */
  otp?: OtpSender;
  /** Issues the new user's first token, with the OnTokenIssuanceStart event; without it the sign-up ends with no token. */
  tokens?: TokenIssuer;
}

/** Entra's sentences for what the extension does not word. */
export const SIGN_UP_TEXTS = {
  emailInvalid: 'Enter a valid email address.',
  userExists: 'An account with this email address already exists. Sign in instead, or reset your password.',
  codeInvalid: 'That code is wrong. Check the code and try again.',
  codeExpired: 'That code has expired or was already used. Request a new one.',
  tooManyTries: 'Too many wrong codes. Request a new one.',
  busy: 'Too many sign-ups are in progress. Try again in a few minutes.',
  notANumber: 'Enter a whole number.',
} as const;

const SESSION_LIFETIME_IN_MS = 10 * 60_000;
const MAX_SESSIONS = 10_000;
/** An address as the e-mail page accepts it (not RFC 5322 in full: what a person types). */
export const EMAIL = /^[^\s@<>()",;:\\]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$/;

interface Session {
  email: string;
  context: SignUpContext;
  /** Prefilled values, then the last submitted ones; hidden attributes only ever get theirs from the extension. */
  values: Record<string, AttributeValue>;
  expiresAt: number;
}

/**
 * Entra External ID's sign-up for an e-mail + password user flow: the address is verified by an 8-digit one-time
 * code (10 minutes, once), then OnAttributeCollectionStart (when configured) may prefill or block, the attribute
 * page collects the password and the flow's attributes, OnAttributeCollectionSubmit (when configured) may modify
 * the values, show a validation error or block, and the user is created with an `emailAddress` identity.
 * A callout Entra refuses ends the sign-up with AADSTS1100001 and its sign-in log code.
 *
 * @example
 *   const sent = service.begin({ email: 'ada@contoso.example' });
 *   const page = await service.verify({ verificationId: sent.verificationId, code: sent.code });
 *   await service.submit({ state: page.state, password, attributes: { displayName: 'Ada' } });
 */
export function createSignUpService(options: SignUpServiceOptions): SignUpService {
  const { directory, now, tenant } = options;
  const log = options.logger.child({ name: 'emulator:sign-up' });
  const codes = createOneTimeCodes<SignUpContext>(now);
  const sessions = new Map<string, Session>();
  let callouts = 0;

  const pageOf = (state: string, session: Session, flow: SignUpFlow, extra: { message?: string; attributeErrors?: Record<string, string>; passwordError?: PasswordPolicyViolation } = {}): SignUpOutcome => ({
    outcome: 'attributes-required',
    state,
    email: session.email,
    attributes: flow.attributes.map((attribute) => ({
      name: attribute.name,
      label: attribute.label,
      dataType: attribute.dataType,
      hidden: attribute.hidden,
      value: session.values[attribute.name] ?? null,
      ...(extra.attributeErrors?.[attribute.name] !== undefined && { error: extra.attributeErrors[attribute.name] }),
    })),
    ...(extra.message !== undefined && { message: extra.message }),
    ...(extra.passwordError !== undefined && { passwordError: extra.passwordError }),
  });
  const openSession = (session: Omit<Session, 'expiresAt'>): string | undefined => {
    for (const [state, entry] of sessions) if (entry.expiresAt <= now()) sessions.delete(state);
    if (sessions.size >= MAX_SESSIONS) return undefined;
    const state = randomBytes(24).toString('base64url');
    sessions.set(state, { ...session, expiresAt: now() + SESSION_LIFETIME_IN_MS });
    return state;
  };
  const exists = (email: string) => directory.findUserBySignInName(email) !== undefined;

  return {
    calloutCount: () => callouts,

    async begin(input) {
      const email = input.email.trim();
      if (!EMAIL.test(email)) return { outcome: 'email-invalid', message: SIGN_UP_TEXTS.emailInvalid };
      if (exists(email)) return { outcome: 'user-exists', message: SIGN_UP_TEXTS.userExists };
      const locale = input.locale ?? 'en-us';
      const issued = codes.issue({ email, client: { ip: input.ip ?? '127.0.0.1', locale, market: locale }, ...(input.clientId && { clientAppId: input.clientId }) });
      if (!issued) return { outcome: 'blocked', message: SIGN_UP_TEXTS.busy };
      const expiresInSeconds = Math.round((issued.expiresAt - now()) / 1000);
      const client = { ip: input.ip ?? '127.0.0.1', locale, market: locale };
      const delivery = options.otp ? await options.otp.send({ email, code: issued.code, requestType: 'signUp', client, ...(input.clientId && { clientAppId: input.clientId }) }) : { sentBy: 'microsoft' as const };
      return codeSentOutcome(delivery, { email, verificationId: issued.verificationId, code: issued.code, expiresInSeconds });
    },

    async verify(input) {
      const redeemed = codes.redeem(input.verificationId, input.code);
      if (!redeemed.ok) {
        const message = redeemed.reason === 'wrong-code' ? SIGN_UP_TEXTS.codeInvalid : redeemed.reason === 'too-many-tries' ? SIGN_UP_TEXTS.tooManyTries : SIGN_UP_TEXTS.codeExpired;
        return { outcome: 'code-invalid', reason: redeemed.reason, message };
      }
      const context = redeemed.subject;
      if (exists(context.email)) return { outcome: 'user-exists', message: SIGN_UP_TEXTS.userExists };
      const flow = options.flow();
      const values: Record<string, AttributeValue> = {};
      if (flow.start) {
        callouts++;
        const result = await callAttributeCollectionStart({ tenant, endpoint: flow.start, attributes: flow.attributes, values, context, now, ...(options.fetch && { fetch: options.fetch }) });
        log.info({ event: 'start', ok: result.ok, action: result.ok ? result.answer.action : undefined, errorCode: result.ok ? undefined : result.errorCode, attempts: result.attempts, latencyInMs: result.latencyInMs }, 'OnAttributeCollectionStart callout');
        if (!result.ok) return { outcome: 'extension-error', event: 'start', errorCode: result.errorCode, aadsts: 'AADSTS1100001', detail: result.detail };
        if (result.answer.action === 'showBlockPage') return { outcome: 'blocked', message: result.answer.message };
        if (result.answer.action === 'setPrefillValues') Object.assign(values, result.answer.inputs);
      }
      const state = openSession({ email: context.email, context, values });
      if (!state) return { outcome: 'blocked', message: SIGN_UP_TEXTS.busy };
      return pageOf(state, sessions.get(state)!, flow);
    },

    async submit(input) {
      const session = sessions.get(input.state);
      if (!session || session.expiresAt <= now()) {
        sessions.delete(input.state);
        return { outcome: 'state-invalid' };
      }
      session.expiresAt = now() + SESSION_LIFETIME_IN_MS;
      const flow = options.flow();
      const typeErrors: Record<string, string> = {};
      for (const attribute of flow.attributes) {
        if (attribute.hidden) continue; // not on the page: a posted value is ignored
        const typed = input.attributes[attribute.name];
        if (attribute.dataType === 'boolean') session.values[attribute.name] = typed === 'true' || typed === 'on';
        else if (typed === undefined || typed === '') delete session.values[attribute.name];
        else if (attribute.dataType === 'string') session.values[attribute.name] = typed;
        else if (/^-?\d{1,15}$/.test(typed)) session.values[attribute.name] = Number(typed);
        else typeErrors[attribute.name] = SIGN_UP_TEXTS.notANumber;
      }
      if (Object.keys(typeErrors).length > 0) return pageOf(input.state, session, flow, { attributeErrors: typeErrors });
      const violation = policyViolationOf(input.password);
      if (violation !== null) return pageOf(input.state, session, flow, { passwordError: violation });

      let values = { ...session.values };
      if (flow.submit) {
        callouts++;
        const result = await callAttributeCollectionSubmit({ tenant, endpoint: flow.submit, attributes: flow.attributes, values, context: session.context, now, ...(options.fetch && { fetch: options.fetch }) });
        log.info({ event: 'submit', ok: result.ok, action: result.ok ? result.answer.action : undefined, errorCode: result.ok ? undefined : result.errorCode, attempts: result.attempts, latencyInMs: result.latencyInMs }, 'OnAttributeCollectionSubmit callout');
        if (!result.ok) {
          sessions.delete(input.state);
          return { outcome: 'extension-error', event: 'submit', errorCode: result.errorCode, aadsts: 'AADSTS1100001', detail: result.detail };
        }
        const answer = result.answer;
        if (answer.action === 'showBlockPage') {
          sessions.delete(input.state);
          return { outcome: 'blocked', message: answer.message };
        }
        if (answer.action === 'showValidationError') return pageOf(input.state, session, flow, { message: answer.message, attributeErrors: answer.attributeErrors });
        if (answer.action === 'modifyAttributeValues') values = { ...values, ...answer.attributes };
      }

      sessions.delete(input.state);
      const text = (name: string) => (typeof values[name] === 'string' && values[name] !== '' ? (values[name] as string) : null);
      const custom = Object.fromEntries(flow.attributes.filter((attribute) => attribute.attributeType === 'directorySchemaExtension' && values[attribute.name] !== undefined).map((attribute) => [attribute.name, values[attribute.name]]));
      try {
        const user = await directory.createUser({
          // Entra names a user who gave no display name "unknown".
          displayName: text('displayName') ?? 'unknown',
          givenName: text('givenName'),
          surname: text('surname'),
          mail: session.email,
          identities: [{ signInType: 'emailAddress', issuer: tenant.domain, issuerAssignedId: session.email }],
          password: input.password,
          extensionAttributes: custom,
        });
        log.info({ userId: user.id }, 'user signed up');
        if (!options.tokens) return { outcome: 'signed-up', userId: user.id, email: session.email };
        // The sign-up ends signed in: the new user's first token, with the OnTokenIssuanceStart event.
        const context = session.context;
        const issued = await options.tokens.issue({ user, client: context.client, ...(context.clientAppId && { clientAppId: context.clientAppId }) });
        const token = tokenOutcome(false, issued, input.includeIdToken);
        if (token.outcome !== 'signed-in') return token;
        return { outcome: 'signed-up', userId: user.id, email: session.email, ...(token.idToken !== undefined && { idToken: token.idToken, claims: token.claims! }) };
      } catch (error) {
        if (error instanceof EmulatorError && error.code === EmulatorErrorCode.DIRECTORY_CONFLICT) return { outcome: 'user-exists', message: SIGN_UP_TEXTS.userExists };
        throw error;
      }
    },
  };
}
