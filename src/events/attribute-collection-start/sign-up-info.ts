import { z } from 'zod';
import { authenticationContextSchema } from '../authentication-context.js';

// The parts both attribute collection events carry: the sign-up's authentication context, `userSignUpInfo`
// (the attributes the page collects and the identities already proven), and the attribute maps the answers send.
// learn.microsoft.com/entra/identity-platform/custom-extension-onattributecollectionstart-retrieve-return-data
// (MicrosoftDocs/entra-docs b96d6f90161bfa17728f2c237004c2c8c0fab4a0; fixtures/entra/attribute-collection-*.json).

/** Most attributes a callout or an answer may name; a user flow collects a handful, Entra's page a few dozen at most. */
export const MAX_SIGN_UP_ATTRIBUTES = 100;
/** Longest attribute value; multi-valued attributes arrive as one comma-delimited string. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 4096;
/** Most identities a sign-up may carry (an e-mail, or a federated identity, and little else). */
export const MAX_SIGN_UP_IDENTITIES = 10;

/**
 * An attribute name: a built-in (`givenName`) or a directory extension (`extension_{appId}_{name}`). `<` and `>`
 * are allowed only because Microsoft's reference example names its extensions `extension_<appid>_…`; real names
 * are letters, digits and underscores. The pattern keeps names safe to show in an issue path.
 */
export const ATTRIBUTE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_<>]{0,255}$/;

/** Keys that would reach an object's prototype if a consumer copied the map naively; refused, never dropped. */
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The `@odata.type` of each attribute value type Microsoft documents, with the JSON type of its `value`. */
export const DIRECTORY_ATTRIBUTE_VALUE_TYPES = {
  'microsoft.graph.stringDirectoryAttributeValue': 'string',
  'microsoft.graph.int64DirectoryAttributeValue': 'number',
  'microsoft.graph.booleanDirectoryAttributeValue': 'boolean',
} as const;

/**
 * A map keyed by attribute name. The raw object is checked before any value is parsed: the number of names
 * (10,000 attributes cost one `Object.keys`, not 10,000 parses), each name's shape, and prototype keys — zod drops
 * a `__proto__` key silently, and a hostile payload is refused rather than half-read. Issues never quote a name
 * that failed the check.
 */
export function attributeMap<T extends z.ZodType>(value: T, what: string) {
  return z
    .unknown()
    .check((ctx) => {
      const raw = ctx.value;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return; // the record reports the type
      const names = Object.keys(raw);
      if (names.length > MAX_SIGN_UP_ATTRIBUTES) {
        ctx.issues.push({ code: 'too_big', origin: 'object', maximum: MAX_SIGN_UP_ATTRIBUTES, inclusive: true, input: raw, message: `more than ${MAX_SIGN_UP_ATTRIBUTES} ${what}` });
        return;
      }
      if (names.some((name) => FORBIDDEN_NAMES.has(name) || !ATTRIBUTE_NAME_PATTERN.test(name))) {
        ctx.issues.push({ code: 'invalid_format', format: 'attribute name', input: undefined, message: `a ${what} name is not an attribute name` });
      }
    })
    .pipe(z.record(z.string(), value));
}

/** A value an answer may set: Entra expects the type the request used (string, integer or boolean). */
export const attributeValueSchema = z.union([z.string().max(MAX_ATTRIBUTE_VALUE_LENGTH), z.number().int(), z.boolean()]);
export type AttributeValue = z.infer<typeof attributeValueSchema>;

const text = (max: number) => z.string().max(max);
const optionalText = (max: number) => z.string().max(max).nullish();

/**
 * One collected attribute as Entra sends it. `@odata.type` may be missing or spelled `@odata.Type` (Microsoft's
 * own example does both), so either is read; when it names a documented type, `value` must have that type.
 * `value` is null or absent while the user has not typed anything (most attributes at start).
 */
export const signUpAttributeSchema = z
  .object({
    '@odata.type': optionalText(256),
    '@odata.Type': optionalText(256),
    value: z.union([z.string().max(MAX_ATTRIBUTE_VALUE_LENGTH), z.number().int(), z.boolean()]).nullish(),
    attributeType: z.enum(['builtIn', 'directorySchemaExtension']),
  })
  .check((ctx) => {
    const expected = expectedValueType(ctx.value);
    const { value } = ctx.value;
    if (expected && value !== null && value !== undefined && typeof value !== expected) {
      ctx.issues.push({ code: 'invalid_type', expected, input: value, path: ['value'], message: `expected ${expected}` });
    }
  });

export type SignUpAttribute = z.infer<typeof signUpAttributeSchema>;

/** The JSON type a collected attribute's value has, or undefined for an `@odata.type` Microsoft does not document. */
export function expectedValueType(attribute: Pick<SignUpAttribute, '@odata.type' | '@odata.Type'>): 'string' | 'number' | 'boolean' | undefined {
  const odataType = attribute['@odata.type'] ?? attribute['@odata.Type'];
  return odataType ? DIRECTORY_ATTRIBUTE_VALUE_TYPES[odataType as keyof typeof DIRECTORY_ATTRIBUTE_VALUE_TYPES] : undefined;
}

/** An identity the sign-up has already proven: `email` after the one-time code, or `federated` for a social account. */
const identity = z.object({
  signInType: text(64).min(1),
  issuer: text(256).min(1),
  issuerAssignedId: text(512).min(1),
});

export const userSignUpInfoSchema = z.object({
  attributes: attributeMap(signUpAttributeSchema, 'attribute'),
  identities: z.array(identity).min(1).max(MAX_SIGN_UP_IDENTITIES),
});

export type UserSignUpInfo = z.infer<typeof userSignUpInfoSchema>;

/** The sign-up's context. There is no `user`: the account does not exist yet when attributes are collected. */
export const signUpAuthenticationContextSchema = authenticationContextSchema;
