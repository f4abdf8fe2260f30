import {
  ATTRIBUTE_COLLECTION_START_ACTIONS,
  ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS,
  OTP_SEND_ACTIONS,
  PASSWORD_SUBMIT_ACTIONS,
  TOKEN_ISSUANCE_START_ACTIONS,
  buildAttributeCollectionStartResponse,
  buildAttributeCollectionSubmitResponse,
  buildOtpSendResponse,
  buildPasswordSubmitResponse,
  buildTokenIssuanceStartResponse,
  parseAttributeCollectionStartRequest,
  parseAttributeCollectionSubmitRequest,
  parseOtpSendRequest,
  parsePasswordSubmitRequest,
  parseTokenIssuanceStartRequest,
  type AttributeCollectionStartAnswer,
  type AttributeCollectionStartRequest,
  type AttributeCollectionStartResponse,
  type AttributeCollectionSubmitAnswer,
  type AttributeCollectionSubmitRequest,
  type AttributeCollectionSubmitResponse,
  type OtpSendAnswer,
  type OtpSendRequest,
  type OtpSendResponse,
  type PasswordSubmitAnswer,
  type PasswordSubmitRequest,
  type PasswordSubmitResponse,
  type TokenIssuanceStartAnswer,
  type TokenIssuanceStartRequest,
  type TokenIssuanceStartResponse,
} from '../events/index.js';
import type { EventName } from '../handlers/index.js';
import type { PasswordContext } from '../security/index.js';

/** For each event: the request its parser returns, the answer its builder takes and the response it builds. */
export interface EventTypes {
  OnPasswordSubmit: { request: PasswordSubmitRequest; answer: PasswordSubmitAnswer; response: PasswordSubmitResponse };
  OnAttributeCollectionStart: { request: AttributeCollectionStartRequest; answer: AttributeCollectionStartAnswer; response: AttributeCollectionStartResponse };
  OnAttributeCollectionSubmit: { request: AttributeCollectionSubmitRequest; answer: AttributeCollectionSubmitAnswer; response: AttributeCollectionSubmitResponse };
  OnTokenIssuanceStart: { request: TokenIssuanceStartRequest; answer: TokenIssuanceStartAnswer; response: TokenIssuanceStartResponse };
  OnOtpSend: { request: OtpSendRequest; answer: OtpSendAnswer; response: OtpSendResponse };
}

export type EventRequestOf<E extends EventName> = EventTypes[E]['request'];
export type EventAnswerOf<E extends EventName> = EventTypes[E]['answer'];
export type EventResponseOf<E extends EventName> = EventTypes[E]['response'];

/** How the endpoint reads and answers one event: its parser and its builder, from `events/`, and who the call is about. */
interface EventKind<E extends EventName> {
  /** The actions Entra understands for the event: a handler's answer must carry one (Entra's 1003012 otherwise). */
  actions: readonly string[];
  parse(body: unknown, expected: { tenantId: string }): EventRequestOf<E>;
  /** `password` is the decrypted context (OnPasswordSubmit only): its nonce is echoed. */
  build(answer: EventAnswerOf<E>, password: PasswordContext | undefined): EventResponseOf<E>;
  /** The Entra user's object id when the event names an existing user, else null (sign-up and OTP name none yet). */
  objectIdOf(request: EventRequestOf<E>): string | null;
}

/** The five events as data: the endpoint looks its event up here, so adding an event is one entry. */
export const EVENT_KINDS: { readonly [E in EventName]: EventKind<E> } = {
  OnPasswordSubmit: {
    actions: PASSWORD_SUBMIT_ACTIONS,
    parse: parsePasswordSubmitRequest,
    build: (answer, password) => buildPasswordSubmitResponse(answer, password!.nonce),
    objectIdOf: (request) => request.data.authenticationContext.user.id,
  },
  OnAttributeCollectionStart: { actions: ATTRIBUTE_COLLECTION_START_ACTIONS, parse: parseAttributeCollectionStartRequest, build: buildAttributeCollectionStartResponse, objectIdOf: () => null },
  OnAttributeCollectionSubmit: { actions: ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS, parse: parseAttributeCollectionSubmitRequest, build: buildAttributeCollectionSubmitResponse, objectIdOf: () => null },
  OnTokenIssuanceStart: {
    actions: TOKEN_ISSUANCE_START_ACTIONS,
    parse: parseTokenIssuanceStartRequest,
    build: buildTokenIssuanceStartResponse,
    objectIdOf: (request) => request.data.authenticationContext.user.id,
  },
  OnOtpSend: { actions: OTP_SEND_ACTIONS, parse: parseOtpSendRequest, build: buildOtpSendResponse, objectIdOf: () => null },
};
