import { USERNAME_PLACEHOLDER } from '../../../config/legacy-ldap-settings.js';

/**
 * Escapes a value for an RFC 4515 filter string (https://www.rfc-editor.org/rfc/rfc4515#section-3): `*`, `(`, `)`,
 * `\` and NUL become `\2a`, `\28`, `\29`, `\5c` and `\00`, so a sign-in name can only ever be compared as one
 * literal value, never become a wildcard or a second condition. Other ASCII control characters are hex-escaped too
 * (sign-in names holding them never get this far). Non-ASCII characters stay as they are: they travel as UTF-8, and
 * ldapts decodes a `\xx` escape as one Latin-1 character, which would corrupt a multi-byte character written as hex.
 *
 * @example
 *   escapeFilterValue('*)(uid=*') // '\\2a\\29\\28uid=\\2a'
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\x00-\x1f\x7f]/g, (char) => `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Escapes a value for one attribute value of an RFC 4514 DN string (https://www.rfc-editor.org/rfc/rfc4514#section-2.4):
 * `"`, `+`, `,`, `;`, `<`, `>`, `\` and `=` get a backslash, as do a leading space or `#` and a trailing space;
 * ASCII control characters become `\xx`. Quoting (`"…"`, RFC 1779) is not used: RFC 4514 has none.
 *
 * @example
 *   escapeDnValue('a,ou=admins') // 'a\\,ou\\=admins'
 */
export function escapeDnValue(value: string): string {
  const last = value.length - 1;
  let escaped = '';
  for (let index = 0; index <= last; index += 1) {
    const char = value[index]!;
    if (char < ' ' || char === '\x7f') escaped += `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else if ('"+,;<>\\='.includes(char)) escaped += `\\${char}`;
    else if ((index === 0 && (char === ' ' || char === '#')) || (index === last && char === ' ')) escaped += `\\${char}`;
    else escaped += char;
  }
  return escaped;
}

/**
 * LEGACY_LDAP_SEARCH_FILTER with each `{username}` replaced by the escaped sign-in name.
 *
 * @example
 *   fillFilter('(|(mail={username})(uid={username}))', 'ada') // '(|(mail=ada)(uid=ada))'
 */
export function fillFilter(template: string, username: string): string {
  const value = escapeFilterValue(username);
  // A function, so `$&` or `$'` in a name is never read as a replacement pattern.
  return template.replaceAll(USERNAME_PLACEHOLDER, () => value);
}

/**
 * LEGACY_LDAP_USER_DN_TEMPLATE with each `{username}` replaced by the escaped sign-in name.
 *
 * @example
 *   fillDn('uid={username},ou=people,dc=example,dc=org', 'ada') // 'uid=ada,ou=people,dc=example,dc=org'
 */
export function fillDn(template: string, username: string): string {
  const value = escapeDnValue(username);
  return template.replaceAll(USERNAME_PLACEHOLDER, () => value);
}
