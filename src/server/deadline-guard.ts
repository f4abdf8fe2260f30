import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../common/clock.js';
import { answerByOf, DEADLINE_EXCEEDED, errorBody, type PasswordSubmitDeps } from '../handlers/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** When the answer must be built by, fixed at arrival (see answerByOf), in ms since the epoch. */
    answerBy: number;
  }
}

/**
 * How long after `answerBy` the guard answers, in ms: the handler's own deadline answer (a Block with the nonce)
 * is due at `answerBy` and goes out first; the guard only speaks when the handler had nothing to say by then.
 */
const GUARD_AFTER_IN_MS = 2;

/**
 * An `onRequest` hook, first on the callout route. While the event loop is too far behind (SendMargin.overloaded)
 * it refuses the callout at once with 503 `OVERLOADED`. Otherwise it fixes when the answer is due
 * (`request.answerBy`) and promises that something leaves by then, whatever holds the request before the handler's
 * own deadline takes over — a caller-token check or a decryption queued behind an overloaded machine. Until the context is decrypted there is
 * no nonce, so no answer Entra would accept: it answers 503 `DEADLINE_EXCEEDED`, which Entra treats as the failure a
 * late answer would be (and may retry), but leaves in time and stops the work. Later steps see `reply.sent`.
 *
 * @example
 *   app.post('/events/password-submit', { onRequest: [answerByDeadline(deps), verifyCaller] }, handler);
 */
export function answerByDeadline(deps: Pick<PasswordSubmitDeps, 'responseDeadlineInMs' | 'sendMarginInMs'> & { clock: Clock; overloaded: () => boolean }) {
  return async function guardDeadline(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (deps.overloaded()) {
      // The event loop runs timers a quarter of a second late or worse: an answer could not be promised in time, and
      // each callout accepted now (token check, decryption, a hash) would only push the others later. Refused at once,
      // before any of that work, the load falls back to what the server can answer.
      request.log.warn({ code: 'OVERLOADED' }, 'request refused: the event loop is too far behind to answer in time');
      await reply.code(503).header('retry-after', '1').send(errorBody('OVERLOADED', 'The extension is overloaded; try again shortly.'));
      return;
    }
    request.answerBy = answerByOf(request.receivedAt, deps);
    const timer = setTimeout(() => {
      if (reply.sent) return;
      request.log.warn({ code: 'DEADLINE_EXCEEDED', detail: 'the request had not reached its answer by the deadline' }, 'request not answerable now');
      void reply.code(503).send(DEADLINE_EXCEEDED);
    }, Math.max(0, request.answerBy + GUARD_AFTER_IN_MS - deps.clock()));
    reply.raw.once('close', () => clearTimeout(timer));
  };
}
