export { DEMO_LATE_USERS, DEMO_USERS, type DemoUser } from './demo-users.js';
export { DEMO_SIGN_UP_COLLISIONS, type DemoSignUp, type DemoSignUpCollision } from './demo-sign-up.js';
export { DEMO_EXTENSION_APP_ID, DEMO_GRAPH_CLIENT_ID, DEMO_TENANT_ID, DEMO_B2C_CLIENT_ID, startDemo, type DemoLegacy, type DemoOptions, type RunningDemo } from './start-demo.js';
export { demoWelcome } from './welcome.js';
export { configureDemoTokenIssuance, DEMO_TOKEN_CLAIMS, DEMO_TOKEN_CLAIMS_QUERY, tokenClaimsServeSettings, type DemoTokenIssuance, type DemoTokenIssuanceOptions } from './demo-token-claims.js';
