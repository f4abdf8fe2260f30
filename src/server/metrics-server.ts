import Fastify from 'fastify';
import type { Logger } from '../common/logger.js';
import { errorBody } from '../handlers/index.js';
import type { ExtensionMetrics } from '../metrics/extension-metrics.js';
import { metricsRoutes } from './routes/metrics.js';

/**
 * The server of METRICS_PORT: `GET /metrics` only (behind METRICS_TOKEN when that is set too), apart from the
 * callouts' port so a scraper inside the network reaches it and the port Entra calls never exposes it.
 *
 * @example
 *   const server = await buildMetricsServer({ metrics, token: undefined, logger });
 *   await server.listen({ port: 9464, host: '0.0.0.0' });
 */
export async function buildMetricsServer(options: { metrics: ExtensionMetrics; token: string | undefined; logger: Logger }) {
  const app = Fastify({ loggerInstance: options.logger.child({ name: 'metrics' }), disableRequestLogging: true });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send(errorBody('NOT_FOUND', 'There is nothing at this path.')));
  await app.register(metricsRoutes, { metrics: options.metrics, token: options.token });
  return app;
}
