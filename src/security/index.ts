export { createCallerTokenVerifier, type CallerClaims, type CallerTokenVerifier, type CallerTokenVerifierOptions } from './caller-token.js';
export { SecurityError, SecurityErrorCode } from './errors.js';
export { generateDecryptionKey, type GenerateDecryptionKeyOptions, type GeneratedDecryptionKey } from './generate-key.js';
export { CUSTOM_EXTENSION_CALLER_APP_ID, isTenantIssuer, openIdConfigurationUrlsFor } from './issuers.js';
export { loadKeyRing, MIN_RSA_MODULUS_BITS, remoteDecryptionKey, type DecryptionKey, type KeyRing, type KeyUnwrapper } from './key-ring.js';
export { decryptPasswordContext, type DecryptPasswordContextOptions, type PasswordContext } from './password-context.js';
export { createSigningKeySource, type SigningKeySource, type SigningKeySourceOptions } from './signing-keys.js';
export { x5tOf } from './thumbprint.js';
export { encryptionKeyCredential, type EncryptionKeyCredential } from './key-credential.js';
