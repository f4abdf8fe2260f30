// The endpoint's tests use the library's public entry only (its source, so they run without a build; library.test.ts
// imports the built package by its name), plus the key generator tests need to encrypt a password context.
export { callerTokenRefusal, createEventEndpoint, EventCallFailure, loadKeyRing, SecurityError, SecurityErrorCode, type EventOutcome, type EventRefusal } from '../../src/library/events.js';
export { generateDecryptionKey as generateDecryptionKeyForTests } from '../../src/security/index.js';
