import type { Directory, DirectoryUser } from '../directory.js';
import type { TenantObjects } from '../tenant-objects.js';

/**
 * The properties Graph v1.0 returns for a user when the request has no `$select`: "By default, only a limited set
 * of properties are returned (businessPhones, displayName, givenName, id, jobTitle, mail, mobilePhone,
 * officeLocation, preferredLanguage, surname, userPrincipalName)" — directory extensions, identities,
 * accountEnabled and lastPasswordChangeDateTime only with `$select`.
 * https://learn.microsoft.com/graph/api/user-get?view=graph-rest-1.0#optional-query-parameters
 */
export const DEFAULT_USER_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'] as const;

/**
 * The properties of Graph v1.0's user resource (https://learn.microsoft.com/graph/api/resources/user?view=graph-rest-1.0#properties),
 * each `$select`-able. The emulator holds a few of them; the others are selected as Graph returns an unset
 * property: null, or an empty collection.
 */
const USER_PROPERTIES = [
  'aboutMe', 'accountEnabled', 'ageGroup', 'assignedLicenses', 'assignedPlans', 'authorizationInfo', 'birthday', 'businessPhones', 'city',
  'companyName', 'consentProvidedForMinor', 'country', 'createdDateTime', 'creationType', 'customSecurityAttributes', 'deletedDateTime',
  'department', 'displayName', 'employeeHireDate', 'employeeId', 'employeeLeaveDateTime', 'employeeOrgData', 'employeeType',
  'externalUserState', 'externalUserStateChangeDateTime', 'faxNumber', 'givenName', 'hireDate', 'id', 'identities', 'imAddresses',
  'interests', 'isManagementRestricted', 'isResourceAccount', 'jobTitle', 'lastPasswordChangeDateTime', 'legalAgeGroupClassification',
  'licenseAssignmentStates', 'mail', 'mailboxSettings', 'mailNickname', 'mobilePhone', 'mySite', 'officeLocation',
  'onPremisesDistinguishedName', 'onPremisesDomainName', 'onPremisesExtensionAttributes', 'onPremisesImmutableId',
  'onPremisesLastSyncDateTime', 'onPremisesProvisioningErrors', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled', 'onPremisesUserPrincipalName', 'otherMails', 'passwordPolicies', 'passwordProfile', 'pastProjects',
  'postalCode', 'preferredDataLocation', 'preferredLanguage', 'preferredName', 'provisionedPlans', 'proxyAddresses', 'responsibilities',
  'schools', 'securityIdentifier', 'serviceProvisioningErrors', 'showInAddressList', 'signInActivity', 'signInSessionsValidFromDateTime',
  'skills', 'state', 'streetAddress', 'surname', 'usageLocation', 'userPrincipalName', 'userType',
];
const COLLECTIONS = new Set(['assignedLicenses', 'assignedPlans', 'businessPhones', 'imAddresses', 'interests', 'licenseAssignmentStates', 'onPremisesProvisioningErrors', 'otherMails', 'pastProjects', 'provisionedPlans', 'proxyAddresses', 'responsibilities', 'schools', 'serviceProvisioningErrors', 'skills']);
/** Graph matches property names in `$select` case-insensitively and answers with the defined spelling. */
const BY_LOWER_NAME = new Map(USER_PROPERTIES.map((name) => [name.toLowerCase(), name]));
/** An OData identifier: what a `$select` term must be. */
const TERM = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** A `$select` longer than this is refused whole (a hostile query string). */
const MAX_SELECT_LENGTH = 4096;

/** What a user answer holds: the default set, or the properties `$select` named (in its order). */
export type UserSelection = { kind: 'default' } | { kind: 'selected'; names: string[] };

/**
 * Graph's reading of a user `$select`: absent or empty → the default set; each comma-separated term must be a user
 * property or a directory extension (`extension_…`, matched when answering). Errors are Graph's OData parser's, code
 * `BadRequest`, as Graph answers them:
 * - a name that is not a property: "Parsing OData Select and Expand failed: Could not find a property named 'x' on
 *   type 'microsoft.graph.user'." (reported verbatim in microsoftgraph/msgraph-sdk-powershell#2103 and
 *   mguessan/davmail#488, there for other types);
 * - a term that is not an identifier: "Parsing OData Select and Expand failed: Term 'x' is not valid in a $select or
 *   $expand expression." (microsoftgraph/msgraph-sdk-dotnet#1181, #2376).
 * A directory extension name no extension property defines is not an error — Graph returns nothing for it
 * (microsoftgraph/msgraph-sdk-dotnet#1181: "it doesn't fail, but nothing comes").
 *
 * @example
 *   const selection = userSelection(request.query.$select);
 *   if ('problem' in selection) return reply.code(400).send(graphError('BadRequest', selection.problem));
 */
export function userSelection(select: unknown): UserSelection | { problem: string } {
  if (select === undefined || select === '') return { kind: 'default' };
  const text = Array.isArray(select) ? select.join(',') : String(select);
  const shown = (term: string) => term.slice(0, 128);
  if (text.length > MAX_SELECT_LENGTH) return { problem: `Parsing OData Select and Expand failed: Term '${shown(text)}' is not valid in a $select or $expand expression.` };
  const names: string[] = [];
  for (const raw of text.split(',')) {
    const term = raw.trim();
    if (!TERM.test(term)) return { problem: `Parsing OData Select and Expand failed: Term '${shown(text)}' is not valid in a $select or $expand expression.` };
    if (term.toLowerCase().startsWith('extension_')) {
      names.push(term);
      continue;
    }
    const name = BY_LOWER_NAME.get(term.toLowerCase());
    if (!name) return { problem: `Parsing OData Select and Expand failed: Could not find a property named '${term}' on type 'microsoft.graph.user'.` };
    if (!names.includes(name)) names.push(name);
  }
  return { kind: 'selected', names };
}

/** The `$select` as Graph echoes it in `@odata.context` (`users(id,identities)`), or `users` for the default set. */
export function usersContextPath(selection: UserSelection): string {
  return selection.kind === 'default' ? 'users' : `users(${selection.names.join(',')})`;
}

/** The value of one emulated property; properties the emulator does not hold are unset: null or []. */
function propertyValue(user: DirectoryUser, name: string): unknown {
  switch (name) {
    case 'id': return user.id;
    case 'displayName': return user.displayName;
    case 'givenName': return user.givenName;
    case 'surname': return user.surname;
    case 'mail': return user.mail;
    case 'userPrincipalName': return user.userPrincipalName;
    case 'accountEnabled': return user.accountEnabled;
    case 'createdDateTime': return user.createdDateTime;
    case 'lastPasswordChangeDateTime': return user.lastPasswordChangeDateTime;
    case 'identities': return user.identities;
    // Graph never returns a password: passwordProfile reads as null.
    default: return COLLECTIONS.has(name) ? [] : null;
  }
}

/**
 * A directory user as Graph answers for `selection`: the default properties, or exactly the selected ones. A
 * selected directory extension appears only when the user holds a value for it (Graph omits unset extensions),
 * under its defined spelling.
 *
 * @example
 *   selectUser(user, directory, objects, { kind: 'selected', names: ['id', flagAttribute] });
 *   // { id: '…', extension_…_toBeMigrated: true }
 */
export function selectUser(user: DirectoryUser, directory: Directory, objects: TenantObjects, selection: UserSelection): Record<string, unknown> {
  const names = selection.kind === 'default' ? DEFAULT_USER_PROPERTIES : selection.names;
  const shown: Record<string, unknown> = {};
  let extensions: Record<string, unknown> | undefined;
  let defined: ReturnType<TenantObjects['userExtensionProperties']> | undefined;
  for (const name of names) {
    if (!name.toLowerCase().startsWith('extension_')) {
      shown[name] = propertyValue(user, name);
      continue;
    }
    defined ??= objects.userExtensionProperties();
    extensions ??= directory.getExtensionAttributes(user.id);
    const attributeName = defined.get(name.toLowerCase())?.attributeName;
    if (attributeName !== undefined && extensions[attributeName] !== undefined && extensions[attributeName] !== null) shown[attributeName] = extensions[attributeName];
  }
  return shown;
}
