import { CLAIM_NAME_PATTERN } from '../../events/index.js';
import type { TenantObjects } from '../tenant-objects.js';
import { isRestrictedJwtClaim } from '../../graph/index.js';

/** A policy definition longer than this is not read (Graph's own limit on a policy is far smaller in practice). */
export const MAX_POLICY_DEFINITION_LENGTH = 64 * 1024;
/** Most ClaimsSchema entries read from one policy. */
export const MAX_CLAIMS_SCHEMA_ENTRIES = 200;

/** One `ClaimsSchema` entry of `Source` `CustomClaimsProvider`: the claim `ID` the API returns, emitted as `JwtClaimType`. */
export interface CustomClaimMapping {
  id: string;
  jwtClaimType: string;
}

export type PolicyReading = { ok: true; mappings: CustomClaimMapping[] } | { ok: false; problem: string };

const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Reads the `CustomClaimsProvider` entries of a claims mapping policy's definition (its JSON, `definition[0]`):
 * `{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"true","ClaimsSchema":[{"Source":"CustomClaimsProvider",
 * "ID":"DateOfBirth","JwtClaimType":"dob"}]}}`. `Source` is matched without regard to case, as Entra does; an entry
 * whose ID or JwtClaimType is not a claim name, or whose JwtClaimType is a restricted claim, is skipped. A definition
 * that is not JSON, too long, or not of that shape is `{ ok: false }` — never an exception.
 *
 * @example
 *   readCustomClaimMappings('{"ClaimsMappingPolicy":{"Version":1,"ClaimsSchema":[{"Source":"CustomClaimsProvider","ID":"loyalty","JwtClaimType":"tier"}]}}');
 *   // { ok: true, mappings: [{ id: 'loyalty', jwtClaimType: 'tier' }] }
 */
export function readCustomClaimMappings(definition: unknown): PolicyReading {
  if (typeof definition !== 'string') return { ok: false, problem: 'the definition is not a string' };
  if (definition.length > MAX_POLICY_DEFINITION_LENGTH) return { ok: false, problem: `the definition is longer than ${MAX_POLICY_DEFINITION_LENGTH} characters` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch {
    return { ok: false, problem: 'the definition is not JSON' };
  }
  const policy = (parsed as { ClaimsMappingPolicy?: unknown } | null)?.ClaimsMappingPolicy;
  const schema = (policy as { ClaimsSchema?: unknown } | null | undefined)?.ClaimsSchema;
  if (schema === undefined) return { ok: true, mappings: [] };
  if (!Array.isArray(schema)) return { ok: false, problem: 'ClaimsSchema is not an array' };
  if (schema.length > MAX_CLAIMS_SCHEMA_ENTRIES) return { ok: false, problem: `ClaimsSchema has more than ${MAX_CLAIMS_SCHEMA_ENTRIES} entries` };
  const mappings: CustomClaimMapping[] = [];
  for (const entry of schema as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { Source: source, ID: id, JwtClaimType: jwtClaimType } = entry as Record<string, unknown>;
    if (typeof source !== 'string' || source.toLowerCase() !== 'customclaimsprovider') continue;
    if (!isClaimName(id) || !isClaimName(jwtClaimType) || isRestrictedJwtClaim(jwtClaimType)) continue;
    mappings.push({ id, jwtClaimType });
  }
  return { ok: true, mappings };
}

const isClaimName = (value: unknown): value is string => typeof value === 'string' && !FORBIDDEN_NAMES.has(value) && CLAIM_NAME_PATTERN.test(value);

/** The claims mapping policy assigned to the client application's service principal (Graph allows one), if any. */
export function assignedClaimsMappingPolicy(objects: TenantObjects, clientAppId: string) {
  const principal = objects.servicePrincipalByAppId(clientAppId);
  const policyId = principal?.claimsMappingPolicyIds?.[0];
  return policyId === undefined ? undefined : objects.claimsMappingPolicies.get(policyId);
}
