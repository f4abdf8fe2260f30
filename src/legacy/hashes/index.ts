export { HashError, HashErrorCode } from './errors.js';
export type { HashFormat, HashIdentity, PreparedHash, StoredHash } from './format.js';
export { DEFAULT_FORMATS } from './formats/index.js';
export { DEFAULT_HASH_LIMITS, type HashLimits } from './limits.js';
export { createPasswordVerifier, type PasswordVerifier, type PasswordVerifierOptions } from './verifier.js';
export { DISABLED_FORMAT_ID, ENTRA_PEAK_CALLS_PER_SECOND, surveyHashes, type CostClass, type FormatFigures, type SurveyOptions, type SurveyReport } from './survey.js';
