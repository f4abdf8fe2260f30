export { openRopcAuthority, type RopcAuthorityOptions } from './ropc-authority.js';
export { recognizeProvider, type RopcProvider, type RopcProviderKind } from './provider.js';
export { DESCRIPTION_RULES, ERROR_RULES, PROVIDER_CODE_RULES, type RopcOutcome, type RopcRule } from './error-codes.js';
export { MAX_ANSWER_BYTES } from './bounded-json.js';
