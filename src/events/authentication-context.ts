import { z } from 'zod';

// The parts of `data.authenticationContext` every event carries (client, protocol, the two service principals),
// and the signing-in user that OnPasswordSubmit and OnTokenIssuanceStart add. Fields Entra adds beside the
// documented ones are ignored and dropped: the payloads are contracts that grow; what we read is checked.

const optionalText = (max: number) => z.string().max(max).nullish();

/** An application in the context: the client the user signs in to, or the resource the token is for (may be null). */
export const servicePrincipalSchema = z
  .object({
    id: optionalText(128),
    appId: optionalText(128),
    appDisplayName: optionalText(512),
    displayName: optionalText(512),
  })
  .nullish();

/** Where the request came from, as Entra saw it; `locale` picks the language of what we show or send. */
export const clientContextSchema = z
  .object({ ip: optionalText(64), locale: optionalText(64), market: optionalText(64) })
  .nullish();

/**
 * The signing-in user as Entra describes it. Only `id` is required; the rest is whatever the directory holds
 * (the token issuance reference shows the on-premises fields for synchronised users and `preferredDataLocation`
 * for B2B guests).
 */
export const userContextSchema = z.object({
  id: z.string().max(128).min(1),
  userPrincipalName: optionalText(1024),
  mail: optionalText(1024),
  displayName: optionalText(1024),
  givenName: optionalText(1024),
  surname: optionalText(1024),
  companyName: optionalText(1024),
  preferredLanguage: optionalText(64),
  preferredDataLocation: optionalText(64),
  userType: optionalText(64),
  createdDateTime: optionalText(64),
  onPremisesSamAccountName: optionalText(256),
  onPremisesSecurityIdentifier: optionalText(256),
  onPremisesUserPrincipalName: optionalText(1024),
});

/** The context without a user: attribute collection (the account does not exist yet) and one-time passcode send. */
export const authenticationContextSchema = z.object({
  correlationId: z.string().max(128).min(1),
  client: clientContextSchema,
  protocol: optionalText(64),
  clientServicePrincipal: servicePrincipalSchema,
  resourceServicePrincipal: servicePrincipalSchema,
});

/** The context of an event about a user who exists: OnPasswordSubmit, OnTokenIssuanceStart. */
export const userAuthenticationContextSchema = authenticationContextSchema.extend({ user: userContextSchema });
