import type { FastifyPluginAsync } from 'fastify';
import { sameSecret } from '../../common/same-secret.js';
import { errorBody } from '../../handlers/index.js';
import { METRICS_CONTENT_TYPE, type ExtensionMetrics } from '../../metrics/extension-metrics.js';

export interface MetricsRoutesOptions {
  metrics: ExtensionMetrics;
  /** METRICS_TOKEN: when set, a scrape must send `Authorization: Bearer <token>`; without it, 401. */
  token: string | undefined;
}

/**
 * `GET /metrics` in the Prometheus text format. Registered on the callout port only with a token, or on the
 * metrics port of its own (METRICS_PORT), so that the figures are never public by accident.
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, options) => {
  app.get('/metrics', async (request, reply) => {
    if (options.token !== undefined) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
      if (!sameSecret(given, options.token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        return reply.code(401).send(errorBody('METRICS_TOKEN_REQUIRED', 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.'));
      }
    }
    reply.header('cache-control', 'no-store').type(METRICS_CONTENT_TYPE);
    return options.metrics.text();
  });
};
