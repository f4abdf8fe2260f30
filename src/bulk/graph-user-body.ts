import type { LegacyRecord } from './legacy-record.js';
import { randomPassword } from './random-password.js';

export interface UserBodyOptions {
  /** `ENTRA_TENANT_DOMAIN`: the issuer of e-mail identities, e.g. contoso.onmicrosoft.com. */
  tenantDomain: string;
  /** `MIGRATION_FLAG_ATTRIBUTE`: extension_<appIdNoHyphens>_toBeMigrated. */
  flagAttribute: string;
  /** Where the legacy id goes, an extension attribute name; omitted when undefined. */
  legacyIdAttribute?: string;
  /** Extra source fields written to directory extension attributes: source field → extension attribute name. */
  attributeMap?: Readonly<Record<string, string>>;
}

/**
 * The Graph `POST /users` body for one legacy account: an e-mail identity, a random policy-compliant password and
 * the migration flag — or, when the password is known, that password and the flag false. An account the legacy
 * source holds as blocked is created disabled (`premigrate --sync` enables it when the source does).
 */
export function graphUserBody(record: LegacyRecord, options: UserBodyOptions): Record<string, unknown> {
  return {
    accountEnabled: record.enabled !== false,
    displayName: record.displayName,
    ...(record.givenName && { givenName: record.givenName }),
    ...(record.surname && { surname: record.surname }),
    mail: record.email,
    identities: [{ signInType: 'emailAddress', issuer: options.tenantDomain, issuerAssignedId: record.email }],
    passwordProfile: { forceChangePasswordNextSignIn: false, password: record.password ?? randomPassword() },
    passwordPolicies: 'DisablePasswordExpiration',
    [options.flagAttribute]: record.password === null,
    ...(options.legacyIdAttribute && { [options.legacyIdAttribute]: record.id }),
    ...Object.fromEntries(
      Object.entries(options.attributeMap ?? {}).flatMap(([field, attribute]) => (record.extra[field] !== undefined ? [[attribute, record.extra[field]]] : [])),
    ),
  };
}
