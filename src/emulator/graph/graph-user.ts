import type { Directory, DirectoryUser } from '../directory.js';

/** A directory user as Graph returns it, with its extension attributes. */
export function graphUser(user: DirectoryUser, directory: Directory) {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
    id: user.id,
    displayName: user.displayName,
    givenName: user.givenName,
    surname: user.surname,
    mail: user.mail,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled,
    createdDateTime: user.createdDateTime,
    identities: user.identities,
    ...directory.getExtensionAttributes(user.id),
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
