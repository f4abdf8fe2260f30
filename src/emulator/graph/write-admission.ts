import type { FastifyReply, FastifyRequest } from 'fastify';
import { graphError } from './graph-error.js';
import type { WriteBudget } from './write-budget.js';

export interface GraphFaults {
  /** Share of write requests answered 503 before the write runs (nothing is written), 0–1. Default 0. */
  serviceUnavailableRate?: number;
  /**
   * Share of write requests that run and are then answered 503, 0–1: the object exists though the answer says the
   * write failed, as a Graph front end that timed out on a back end that did not. Default 0.
   */
  serviceUnavailableAfterWriteRate?: number;
  /**
   * Retry-After of the injected 503s, in seconds, or null for none. Graph sends 503s both ways: with Retry-After it
   * is throttling, without it a transient failure. Default 1.
   */
  serviceUnavailableRetryAfterInSeconds?: number | null;
  /** Added to every Graph request, in ms. Default 0. */
  latencyInMs?: number;
}

export interface WriteAdmissionOptions {
  budget: WriteBudget;
  faults: () => GraphFaults;
  now: () => number;
  random?: () => number;
}

/**
 * Decides, before a write runs, whether Graph would refuse it: an injected fault (503) or the write budget
 * (429 + Retry-After). Answers the refusal on `reply` and returns true; returns false when the write may go ahead.
 * Admitted writes past 80 % of the budget carry `x-ms-throttle-limit-percentage`, as Graph's identity service sends
 * it (throttling-limits.md, "Regular responses requests": 0.8 to 1.8, once over 0.8 of the limit).
 */
export interface WriteAdmission {
  (appId: string, reply: FastifyReply): boolean;
  /**
   * An `onSend` hook for the Graph routes: a successful write that drew the after-write fault is answered 503
   * instead, its object left in place (inner requests of a `$batch` too: they pass through the same routes).
   */
  afterWrite(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
}

/** Graph's header for the share of the limit in use, sent once it is above 0.8. */
const LIMIT_PERCENTAGE = 'x-ms-throttle-limit-percentage';

export function createWriteAdmission(options: WriteAdmissionOptions): WriteAdmission {
  const random = options.random ?? Math.random;
  /** Writes admitted that are to be answered 503 once they have run. */
  const failAfterWrite = new WeakSet<FastifyReply>();
  const unavailable = (reply: FastifyReply) => {
    const retryAfter = options.faults().serviceUnavailableRetryAfterInSeconds;
    if (retryAfter !== null) void reply.header('retry-after', String(retryAfter ?? 1));
    return reply.code(503);
  };
  const unavailableError = () => graphError('serviceNotAvailable', 'The service is temporarily unavailable.');

  const admit = (appId: string, reply: FastifyReply): boolean => {
    const faults = options.faults();
    if (random() < (faults.serviceUnavailableRate ?? 0)) {
      void unavailable(reply).send(unavailableError());
      return true;
    }
    const admitted = options.budget.admit(appId, options.now());
    if (admitted.usage > 0.8) void reply.header(LIMIT_PERCENTAGE, admitted.usage.toFixed(2));
    if (!admitted.ok) {
      void reply.code(429).header('retry-after', String(admitted.retryAfterInSeconds)).header('x-ms-throttle-information', 'WriteLimitExceeded').send(graphError('TooManyRequests', 'Too many requests.'));
      return true;
    }
    if (random() < (faults.serviceUnavailableAfterWriteRate ?? 0)) failAfterWrite.add(reply);
    return false;
  };

  return Object.assign(admit, {
    async afterWrite(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
      if (!failAfterWrite.has(reply) || reply.statusCode >= 300) return payload;
      failAfterWrite.delete(reply);
      // The body is serialised by now: the hook hands back text, with the content type the 2xx already had.
      unavailable(reply).type('application/json; charset=utf-8');
      return JSON.stringify(unavailableError());
    },
  });
}
