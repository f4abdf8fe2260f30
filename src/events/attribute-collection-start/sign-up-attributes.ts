import { expectedValueType, type AttributeValue, type UserSignUpInfo } from './sign-up-info.js';

/**
 * `signInType` values that mean "an e-mail address Entra verified". Microsoft's callout examples send `email`;
 * Graph's objectIdentity names the same identity `emailAddress`. A `federated` identity is a social account whose
 * address our tenant never verified: it is not returned.
 */
const EMAIL_SIGN_IN_TYPES: ReadonlySet<string> = new Set(['email', 'emailAddress']);

/**
 * The e-mail address the sign-up has proven with Entra's one-time code, from `userSignUpInfo.identities`, or
 * undefined when there is none (a social sign-up) or when two e-mail identities disagree (never guess whose
 * account to match).
 *
 * @example
 *   signUpEmailOf(request.data.userSignUpInfo) // 'larissa.price@contoso.onmicrosoft.com'
 */
export function signUpEmailOf(info: Pick<UserSignUpInfo, 'identities'>): string | undefined {
  const addresses = new Set(
    info.identities
      .filter((identity) => EMAIL_SIGN_IN_TYPES.has(identity.signInType))
      .map((identity) => identity.issuerAssignedId.trim())
      .filter((address) => address.includes('@')),
  );
  if (addresses.size !== 1) return undefined;
  const [address] = addresses;
  return address;
}

/**
 * The names of the attributes the page collects, in the order Entra sent them. Entra ignores any other name in a
 * prefill or a modification, and the issue asks us to send only these.
 *
 * @example
 *   collectedAttributeNames(request.data.userSignUpInfo) // ['givenName', 'companyName', …]
 */
export function collectedAttributeNames(info: Pick<UserSignUpInfo, 'attributes'>): string[] {
  return Object.keys(info.attributes);
}

/**
 * The subset of `values` the page collects, keeping a value only when its JSON type is the one the request gives
 * that attribute (a string for `stringDirectoryAttributeValue`, an integer for `int64…`, a boolean for
 * `boolean…`): Entra expects the answer's types to match the request's.
 *
 * @example
 *   onlyCollectedAttributes(info, { givenName: 'Larissa', jobTitle: 'Dean' }) // { givenName: 'Larissa' }
 */
export function onlyCollectedAttributes(
  info: Pick<UserSignUpInfo, 'attributes'>,
  values: Readonly<Record<string, AttributeValue | undefined>>,
): Record<string, AttributeValue> {
  const picked: Record<string, AttributeValue> = {};
  for (const [name, attribute] of Object.entries(info.attributes)) {
    if (!Object.hasOwn(values, name)) continue;
    const value = values[name];
    if (value === undefined) continue;
    const expected = expectedValueType(attribute);
    if (expected !== undefined && typeof value !== expected) continue;
    picked[name] = value;
  }
  return picked;
}
