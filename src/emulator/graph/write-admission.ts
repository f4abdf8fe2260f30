import type { FastifyReply } from 'fastify';
import { graphError } from './graph-error.js';
import type { WriteBudget } from './write-budget.js';

export interface GraphFaults {
  /** Share of write requests answered 503 with Retry-After 1, 0–1. Default 0. */
  serviceUnavailableRate?: number;
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
 */
export type WriteAdmission = (appId: string, reply: FastifyReply) => boolean;

export function createWriteAdmission(options: WriteAdmissionOptions): WriteAdmission {
  const random = options.random ?? Math.random;
  return (appId, reply) => {
    if (random() < (options.faults().serviceUnavailableRate ?? 0)) {
      void reply.code(503).header('retry-after', '1').send(graphError('serviceNotAvailable', 'The service is temporarily unavailable.'));
      return true;
    }
    const admitted = options.budget.admit(appId, options.now());
    if (!admitted.ok) {
      void reply.code(429).header('retry-after', String(admitted.retryAfterInSeconds)).send(graphError('TooManyRequests', 'Too many requests.'));
      return true;
    }
    return false;
  };
}
