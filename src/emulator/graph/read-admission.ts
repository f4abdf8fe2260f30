import type { FastifyReply, FastifyRequest } from 'fastify';
import { graphError } from './graph-error.js';
import { resourceUnitCostOf, type ReadBudget } from './read-budget.js';

export interface ReadAdmissionOptions {
  budget: ReadBudget;
  tenantId: string;
  now: () => number;
  /** The tenant's users now: Graph sizes the limit by them (S/M/L). */
  userCount: () => number;
}

/** Graph's header for the share of the limit in use, sent once it is above 0.8. */
const LIMIT_PERCENTAGE = 'x-ms-throttle-limit-percentage';

/**
 * Charges every Graph request of an app its resource units (read-budget.ts) before it runs, as Graph's identity
 * and access service does: each answer carries `x-ms-resource-unit`, answers past 80 % of the limit carry
 * `x-ms-throttle-limit-percentage`, and a request over the limit is answered 429 with Retry-After,
 * `x-ms-throttle-information: ResourceUnitLimitExceeded` and the scope. A `$batch` itself costs nothing: its inner
 * requests pass through the routes one by one and are charged there. Returns true when it answered the request.
 */
export function createReadAdmission(options: ReadAdmissionOptions): (appId: string, request: FastifyRequest, reply: FastifyReply) => boolean {
  return (appId, request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    if (path.endsWith('/$batch')) return false;
    const cost = resourceUnitCostOf(request.method, request.url);
    const admitted = options.budget.admit(appId, cost, options.now(), options.userCount());
    void reply.header('x-ms-resource-unit', String(cost));
    if (admitted.usage > 0.8) void reply.header(LIMIT_PERCENTAGE, admitted.usage.toFixed(2));
    if (admitted.ok) return false;
    void reply
      .code(429)
      .header('retry-after', String(admitted.retryAfterInSeconds))
      .header('x-ms-throttle-information', 'ResourceUnitLimitExceeded')
      .header('x-ms-throttle-scope', `Tenant_Application/ReadWrite/${appId}/${options.tenantId}`)
      .send(graphError('TooManyRequests', 'Too many requests.'));
    return true;
  };
}
