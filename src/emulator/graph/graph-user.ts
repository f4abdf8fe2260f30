import type { Directory, DirectoryUser } from '../directory.js';
import type { TenantObjects } from '../tenant-objects.js';
import { selectUser } from './user-select.js';

/**
 * A user just created, as Graph's `201 Created` shows it: the default properties and what the request wrote
 * (identities, accountEnabled, the directory extensions set) — Graph's create example answers with the identities
 * it was sent (https://learn.microsoft.com/graph/api/user-post-users?view=graph-rest-1.0#example-2-create-a-user-with-social-and-local-account-identities).
 * A GET shows extensions and identities only with `$select` (see user-select.ts).
 */
export function createdUser(user: DirectoryUser, directory: Directory, objects: TenantObjects, written: Record<string, unknown>) {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
    ...selectUser(user, directory, objects, { kind: 'default' }),
    identities: user.identities,
    accountEnabled: user.accountEnabled,
    ...selectUser(user, directory, objects, { kind: 'selected', names: Object.keys(written) }),
  };
}

const IDENTITY_FILTER = /^identities\/any\((\w+):\1\/issuerAssignedId eq '((?:[^']|'')*)' and \1\/issuer eq '((?:[^']|'')*)'\)$/i;
const MAIL_FILTER = /^mail eq '((?:[^']|'')*)'$/i;

/** The users a supported `$filter` selects, or null when the filter is not one the emulator understands. */
export function filterUsers(filter: string, directory: Directory): DirectoryUser[] | null {
  const unquote = (text: string) => text.replace(/''/g, "'");
  const identity = IDENTITY_FILTER.exec(filter.trim());
  if (identity) {
    const user = directory.findUserByIdentity(unquote(identity[3]!), unquote(identity[2]!));
    return user ? [user] : [];
  }
  const mail = MAIL_FILTER.exec(filter.trim());
  if (mail) return directory.findUsersByMail(unquote(mail[1]!));
  return null;
}
