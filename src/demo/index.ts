export { DEMO_USERS, type DemoUser } from './demo-users.js';
export { DEMO_EXTENSION_APP_ID, DEMO_TENANT_ID, DEMO_B2C_CLIENT_ID, startDemo, type DemoLegacy, type DemoOptions, type RunningDemo } from './start-demo.js';
export { demoWelcome } from './welcome.js';
