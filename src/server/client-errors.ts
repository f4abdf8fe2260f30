import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from '../handlers/index.js';

/** What a connection whose bytes never became a request is told: status, code and fixed message, by Node's error code. */
const CLIENT_ERROR_ANSWERS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time.' },
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large.' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'REQUEST_MALFORMED', message: 'The request is not valid HTTP.' };

/**
 * Answers a connection whose bytes Node could not make into a request (a request line that is not HTTP, headers over
 * Node's 16 KiB, a request that did not arrive within the request timeout), in place of Fastify's default: our
 * `{ error: { code, message } }` body like every other refusal, a fixed message that never quotes the bytes, and
 * `Connection: close`, since the connection cannot carry another request. The socket is destroyed once the answer is
 * written; a client that reset the connection, or one already being answered, is told nothing more.
 *
 * @example
 *   Fastify({ clientErrorHandler: answerClientError });
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = CLIENT_ERROR_ANSWERS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify(errorBody(answer.code, answer.message));
  // Once the request was answered (a 401 before its body ended, the deadline's 503 while it trickled), another answer
  // would be read as the answer to a request never sent: the connection is only closed. Node's own handler checks the
  // answer in progress only, Fastify's nothing.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent || answeredBeforeTheirBody.has(socket)) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** Connections whose request was answered before its body had all arrived (see trackAnswersBeforeTheBody). */
const answeredBeforeTheirBody = new WeakSet<Socket>();

/**
 * Notes each connection whose request is answered before its body has all arrived, so that answerClientError does
 * not send a second answer when that body then times out.
 *
 * @example
 *   trackAnswersBeforeTheBody(app.server);
 */
export function trackAnswersBeforeTheBody(server: Server): void {
  server.on('request', (request, response) => {
    response.once('finish', () => {
      if (!request.complete) answeredBeforeTheirBody.add(request.socket);
    });
  });
}
