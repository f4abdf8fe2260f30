export { openWebServiceAuthority } from './authority.js';
export { DEFAULT_MAX_CONNECTIONS, DEFAULT_PING_TIMEOUT_IN_MS, MAX_ANSWER_BYTES, type WebServiceAuthorityOptions } from './options.js';
