import type { Directory, DirectoryUser, Identity, UserEdit } from '../directory.js';
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

/** The properties a user PATCH may carry in the emulator: the profile it models, the password, directory extensions. */
const PATCHABLE = new Set(['accountEnabled', 'displayName', 'givenName', 'surname', 'mail', 'identities', 'passwordProfile', 'passwordPolicies']);
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/**
 * Graph's checks of a `PATCH /users/{id}` body's profile properties, all before anything changes (Graph refuses the
 * whole request): the edit to apply, or Graph's 400 code and message.
 * - A property the user resource does not define is OData's "does not exist on type" error; the emulator answers so
 *   for every property it does not model, so a caller never believes a value was stored.
 * - `displayName` "cannot be cleared during updates"; `accountEnabled` is a Boolean; names and mail are strings or null.
 * - `identities`: the whole collection is replaced, so the userPrincipalName identity the user holds must be sent
 *   back (https://learn.microsoft.com/graph/api/resources/objectidentity?view=graph-rest-1.0: "Any update to
 *   identities replaces the entire collection and you must supply the userPrincipalName signInType identity");
 *   an identity another user holds is the conflict a create gets.
 *
 * @example
 *   const update = userUpdateOf(body, user, directory);
 *   if ('problem' in update) return reply.code(400).send(graphError(update.code, update.problem));
 */
export function userUpdateOf(body: Record<string, unknown>, user: DirectoryUser, directory: Directory): { edit: UserEdit } | { code: string; problem: string } {
  const invalid = (name: string) => ({ code: 'Request_BadRequest', problem: `Invalid value specified for property '${name}' of resource 'User'.` });
  const unknown = Object.keys(body).find((name) => !PATCHABLE.has(name) && !name.toLowerCase().startsWith('extension_'));
  if (unknown !== undefined) {
    return { code: 'BadRequest', problem: `Property '${unknown.slice(0, 100)}' does not exist on type 'microsoft.graph.user'. Make sure to only use property names that are defined by the type or mark the type as open type.` };
  }
  const edit: UserEdit = {};
  if ('accountEnabled' in body) {
    if (typeof body.accountEnabled !== 'boolean') return invalid('accountEnabled');
    edit.accountEnabled = body.accountEnabled;
  }
  if ('displayName' in body) {
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '' || body.displayName.length > 256) return invalid('displayName');
    edit.displayName = body.displayName;
  }
  for (const name of ['givenName', 'surname'] as const) {
    if (!(name in body)) continue;
    const value = body[name];
    if (value !== null && (typeof value !== 'string' || value.length > 64)) return invalid(name);
    edit[name] = value === '' ? null : (value as string | null);
  }
  if ('mail' in body) {
    if (body.mail !== null && (typeof body.mail !== 'string' || !EMAIL.test(body.mail))) return invalid('mail');
    edit.mail = body.mail as string | null;
  }
  if ('identities' in body) {
    const identities = identitiesOf(body.identities);
    if (!identities) return invalid('identities');
    const principal = user.identities.find((identity) => identity.signInType === 'userPrincipalName');
    if (principal && !identities.some((identity) => identity.signInType === 'userPrincipalName' && identity.issuer === principal.issuer && identity.issuerAssignedId === principal.issuerAssignedId)) {
      return { code: 'Request_BadRequest', problem: 'The userPrincipalName identity of the user must be supplied when updating identities.' };
    }
    for (const identity of identities) {
      const holder = directory.findUserByIdentity(identity.issuer, identity.issuerAssignedId);
      if (holder && holder.id !== user.id) return { code: 'Request_BadRequest', problem: 'Another object with the same value for property identities already exists.' };
    }
    edit.identities = identities;
  }
  return { edit };
}

/** An identities collection as Graph accepts it: objects with the three strings, an e-mail one an address, none twice. */
function identitiesOf(value: unknown): Identity[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) return null;
  const identities: Identity[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return null;
    const { signInType, issuer, issuerAssignedId } = item as Record<string, unknown>;
    if (typeof signInType !== 'string' || typeof issuer !== 'string' || typeof issuerAssignedId !== 'string' || issuer === '' || issuerAssignedId === '' || issuerAssignedId.length > 256) return null;
    if (signInType === 'emailAddress' && !EMAIL.test(issuerAssignedId)) return null;
    const key = (identity: Identity) => `${identity.signInType}\n${identity.issuer}\n${identity.issuerAssignedId.toLowerCase()}`;
    const identity = { signInType, issuer, issuerAssignedId };
    if (identities.some((kept) => key(kept) === key(identity))) return null;
    identities.push(identity);
  }
  return identities;
}
