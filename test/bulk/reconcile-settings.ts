/** The settings reconcile needs besides a mark, valid and never used to reach anything: for tests of the mark's settings. */
export const RECONCILE_SETTINGS = Object.freeze({
  AZURE_TENANT_ID: '6d1f4f3a-9b1e-4c55-8a9e-2f0a3c1b7d21',
  AZURE_CLIENT_ID: '0f5a8e2c-4b7d-4e61-9c3a-7d2b1e8f6a90',
  AZURE_CLIENT_SECRET: 'not-a-real-secret',
  MIGRATION_FLAG_ATTRIBUTE: 'extension_0f5a8e2c4b7d4e619c3a7d2b1e8f6a90_toBeMigrated',
});
