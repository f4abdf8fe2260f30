export { openLdapAuthority, DEFAULT_SERVICE_CONNECTIONS, type LdapAuthorityOptions } from './ldap-authority.js';
export { escapeDnValue, escapeFilterValue, fillDn, fillFilter } from './escape.js';
export { adBindVerdict, type AdBindVerdict } from './ad-data-code.js';
export { formatObjectGuid } from './object-guid.js';
export { MAX_SIGN_IN_NAME_LENGTH } from './sign-in-name.js';
export { countEntries, exportEntries, EXPORT_PAGE_SIZE } from './export-entries.js';
export { entryAttributes, readUserEntry } from './user-entry.js';
export { openLdapDirectory } from './ldap-directory.js';
