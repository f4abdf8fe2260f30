export { BODY_LIMIT_IN_BYTES, SERVER_TIMEOUTS, buildServer, type ExtensionServer, type ServerDeps } from './build-server.js';
export type { CallerTokenVerifier } from './caller-auth.js';
export { runReadinessChecks, type ReadinessCheck, type ReadinessReport } from './readiness.js';
