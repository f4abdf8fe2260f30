import type { FastifyPluginAsync } from 'fastify';
import { runReadinessChecks, type ReadinessCheck } from '../readiness.js';

export interface HealthRoutesOptions {
  readiness: readonly ReadinessCheck[];
  /** Per check, in ms: a probe must answer quickly even when a dependency hangs. */
  checkTimeoutInMs?: number;
}

const statusSchema = {
  type: 'object',
  properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } },
  required: ['status'],
} as const;

/** `GET /healthz` (the process is alive) and `GET /readyz` (it can answer Entra correctly right now). */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  app.get('/healthz', { schema: { response: { 200: statusSchema } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { response: { 200: statusSchema, 503: statusSchema } } }, async (_request, reply) => {
    const report = await runReadinessChecks(options.readiness, options.checkTimeoutInMs ?? 1000);
    reply.code(report.ready ? 200 : 503);
    return { status: report.ready ? 'ready' : 'not-ready', checks: report.checks };
  });
};
