export { isAuthorised, sessionValue, tokenMatches } from './auth.js';
export { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, loadDashboardConfig, type DashboardConfig } from './dashboard-config.js';
export { recentBulkRuns, type BulkRunView } from './bulk-runs.js';
export { dashboardFigures, type AnswerHour, type Anomaly, type DashboardFigures, type DashboardFiguresOptions, type ProgressHistoryReader, type ProgressPoint } from './data.js';
export { escapeHtml } from './html.js';
export { ProgressHistoryCache, progressOverTime } from './progress-history.js';
export { buildDashboardServer, POLL_INTERVAL_IN_MS, type DashboardServerOptions } from './server.js';
export { searchStragglers, stragglerIdCsvLines, type StragglerSearch } from './stragglers.js';
