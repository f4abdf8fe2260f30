export { BODY_LIMIT_IN_BYTES, SERVER_TIMEOUTS, buildServer, type ExtensionServer, type ServerDeps } from './build-server.js';
export type { CallerTokenVerifier } from './caller-auth.js';
export { runReadinessChecks, type ReadinessCheck, type ReadinessReport } from './readiness.js';
export { BASE_SEND_MARGIN_IN_MS, MAX_SEND_MARGIN_IN_MS, createSendMargin, type SendMargin } from './send-margin.js';
