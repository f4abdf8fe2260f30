export { legacyB2cRoutes } from './b2c-routes.js';
export { B2C_ERRORS } from './b2c-errors.js';
export { DEFAULT_B2C_LOCKOUT, LegacyB2cUsers, type LegacyB2cLockout, type LegacyB2cUser, type LegacyB2cUserSeed } from './b2c-users.js';
export { createLegacyB2cTenant, type LegacyB2cOptions, type LegacyB2cTenant } from './legacy-b2c-tenant.js';
export { runningLegacyB2c, type RunningLegacyB2c } from './running-legacy-b2c.js';
