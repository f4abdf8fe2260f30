import type { FieldChange } from './sync-summary.js';
import type { SyncItem } from './sync-item.js';
import { syncedProfileOf } from './sync-profile.js';

/** A Graph `objectIdentity`. */
export interface GraphIdentity {
  signInType: string;
  issuer: string;
  issuerAssignedId: string;
}

/** What a sync reads of a user: `GET /users/{id}?$select=` {@link SYNC_SELECT}. */
export interface SyncedUser {
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  identities: GraphIdentity[];
  accountEnabled: boolean | null;
}

/** The properties a sync reads; identities and accountEnabled only come with `$select`. */
export const SYNC_SELECT = 'id,displayName,givenName,surname,mail,identities,accountEnabled';

/** Reads a user body as Graph answered it; a property of the wrong type reads as missing. */
export function syncedUserOf(body: unknown): SyncedUser {
  const user = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const identities = Array.isArray(user.identities)
    ? user.identities.filter((identity): identity is GraphIdentity => typeof identity === 'object' && identity !== null && ['signInType', 'issuer', 'issuerAssignedId'].every((key) => typeof (identity as Record<string, unknown>)[key] === 'string'))
    : [];
  return {
    displayName: text(user.displayName),
    givenName: text(user.givenName),
    surname: text(user.surname),
    mail: text(user.mail),
    identities,
    accountEnabled: typeof user.accountEnabled === 'boolean' ? user.accountEnabled : null,
  };
}

/**
 * The PATCH that brings one user to what the source holds, and the changes it makes (old → new), or an empty body
 * when the user already holds it. Only the properties that differ are sent (Graph: "for best performance you
 * shouldn't include existing values that haven't changed"). The e-mail identity is the tenant's `emailAddress`
 * identity: Graph replaces the whole `identities` collection on update, so every other identity (the
 * userPrincipalName one Graph keeps for each user, a federated one) is sent back unchanged, in its place
 * (https://learn.microsoft.com/graph/api/user-update?view=graph-rest-1.0#request-body).
 *
 * @example
 *   const { body, changes } = userPatchOf(user, item, 'contoso.onmicrosoft.com');
 *   // body { displayName: 'Ada King' }, changes [{ name: 'displayName', old: 'Ada Lovelace', new: 'Ada King' }]
 */
export function userPatchOf(user: SyncedUser, item: Pick<SyncItem, 'record' | 'enabled' | 'compareProfile'>, tenantDomain: string): { body: Record<string, unknown>; changes: FieldChange[] } {
  const body: Record<string, unknown> = {};
  const changes: FieldChange[] = [];
  const set = (name: string, old: string | boolean | null, value: string | boolean | null, sent: unknown = value) => {
    body[name] = sent;
    changes.push({ name, old, new: value });
  };
  if (item.record && item.compareProfile) {
    const want = syncedProfileOf(item.record);
    if (user.displayName !== want.displayName) set('displayName', user.displayName, want.displayName);
    // Graph reads an unset name as null; the source's empty name is null too (recordOf), so the two compare.
    if (user.givenName !== want.givenName) set('givenName', user.givenName, want.givenName);
    if (user.surname !== want.surname) set('surname', user.surname, want.surname);
    if (user.mail !== want.email) set('mail', user.mail, want.email);
    const issuer = tenantDomain.toLowerCase();
    const at = user.identities.findIndex((identity) => identity.signInType === 'emailAddress' && identity.issuer.toLowerCase() === issuer);
    const current = at === -1 ? null : user.identities[at]!.issuerAssignedId;
    if (current === null || current.toLowerCase() !== want.email) {
      const identity: GraphIdentity = { signInType: 'emailAddress', issuer: tenantDomain, issuerAssignedId: want.email };
      const identities = at === -1 ? [...user.identities, identity] : user.identities.map((kept, i) => (i === at ? identity : kept));
      set('identities', current, want.email, identities);
    }
  }
  if (item.enabled !== undefined && user.accountEnabled !== item.enabled) set('accountEnabled', user.accountEnabled, item.enabled);
  return { body, changes };
}
