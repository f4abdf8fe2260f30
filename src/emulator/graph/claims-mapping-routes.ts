import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ClaimsMappingPolicy, TenantObjects } from '../tenant-objects.js';
import { badRequest, bodyOf, graphList, notFound, type Body } from './replies.js';

const VERSIONS = ['v1.0', 'beta'] as const;
/** The longest policy definition accepted: a guard against hostile bodies (Graph documents no limit; real ones are a few KB). */
const MAX_DEFINITION_CHARS = 32_000;
/** Claims schema entries accepted in one policy (a guard; a real policy holds a handful). */
const MAX_SCHEMA_ENTRIES = 100;
/** The claim sources of a claims mapping policy (claims-mapping-policy-type.md, "Claim schema entry elements"), lower case. */
const SOURCES = new Set(['user', 'application', 'resource', 'audience', 'company', 'transformation', 'customclaimsprovider']);
/** `@odata.id` of a policy: `https://graph.microsoft.com/{version}/policies/claimsMappingPolicies/{id}`. */
const POLICY_REFERENCE = /\/policies\/claimsMappingPolicies\/([0-9a-f-]{36})$/i;

/**
 * Graph's complaint about a claims mapping policy `definition`, or null: an array of ONE string holding the policy's
 * JSON, `{"ClaimsMappingPolicy": {"Version": 1, "IncludeBasicClaimSet": "true", "ClaimsSchema": [...]}}`, each schema
 * entry with a `JwtClaimType` (or `SamlClaimType`) and either a `Value` or a `Source` with an `ID`
 * (https://learn.microsoft.com/graph/api/resources/claimsmappingpolicy?view=graph-rest-1.0; custom-claims-provider-reference.md
 * for `Source: CustomClaimsProvider`). Graph's exact wording is not documented; these messages give the gist.
 *
 * @example
 *   claimsMappingDefinitionProblem(['{"ClaimsMappingPolicy":{"Version":1,"ClaimsSchema":[]}}']); // null
 */
export function claimsMappingDefinitionProblem(definition: unknown): string | null {
  if (!Array.isArray(definition) || definition.length !== 1 || typeof definition[0] !== 'string') return 'definition must be an array holding one string: the policy as JSON.';
  if (definition[0].length > MAX_DEFINITION_CHARS) return `definition is longer than ${MAX_DEFINITION_CHARS} characters.`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition[0]);
  } catch {
    return 'definition[0] is not valid JSON.';
  }
  const policy = bodyOf(bodyOf(parsed).ClaimsMappingPolicy);
  if (Object.keys(policy).length === 0) return 'definition[0] must hold a ClaimsMappingPolicy object.';
  if (policy.Version !== 1) return 'ClaimsMappingPolicy.Version must be 1.';
  const basic = policy.IncludeBasicClaimSet;
  if (basic !== undefined && ![true, false, 'true', 'false'].includes(basic as string | boolean)) return 'ClaimsMappingPolicy.IncludeBasicClaimSet must be "true" or "false".';
  const schema = policy.ClaimsSchema;
  if (schema === undefined) return null;
  if (!Array.isArray(schema) || schema.length > MAX_SCHEMA_ENTRIES) return `ClaimsMappingPolicy.ClaimsSchema must be an array of at most ${MAX_SCHEMA_ENTRIES} entries.`;
  for (const [index, raw] of schema.entries()) {
    const entry = bodyOf(raw);
    const name = entry.JwtClaimType ?? entry.SamlClaimType;
    if (typeof name !== 'string' || name.trim() === '') return `ClaimsSchema[${index}] needs a JwtClaimType or SamlClaimType.`;
    if ('Value' in entry) {
      if (typeof entry.Value !== 'string') return `ClaimsSchema[${index}].Value must be a string.`;
      continue;
    }
    if (typeof entry.Source !== 'string' || !SOURCES.has(entry.Source.toLowerCase())) return `ClaimsSchema[${index}].Source must be one of user, application, resource, audience, company, transformation, CustomClaimsProvider.`;
    if (typeof entry.ID !== 'string' || entry.ID.trim() === '') return `ClaimsSchema[${index}] needs an ID (the claim of its Source).`;
  }
  return null;
}

/** A new or updated policy from a body; Graph's complaint, or the policy. */
function policyFrom(body: Body, existing: ClaimsMappingPolicy | undefined, id: string): ClaimsMappingPolicy | string {
  const next = { ...(existing ?? { id, displayName: '', definition: [], isOrganizationDefault: false }) };
  if (!existing || 'displayName' in body) {
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '' || body.displayName.length > 256) return 'displayName is required (at most 256 characters).';
    next.displayName = body.displayName;
  }
  if (!existing || 'definition' in body) {
    const problem = claimsMappingDefinitionProblem(body.definition);
    if (problem) return problem;
    next.definition = [...(body.definition as string[])];
  }
  if ('isOrganizationDefault' in body) {
    if (typeof body.isOrganizationDefault !== 'boolean') return 'isOrganizationDefault must be true or false.';
    next.isOrganizationDefault = body.isOrganizationDefault;
  }
  const unknown = Object.keys(body).filter((key) => !['displayName', 'definition', 'isOrganizationDefault', 'description', '@odata.type'].includes(key));
  if (unknown.length > 0) return `Property ${unknown.join(', ')} does not exist on claimsMappingPolicy.`;
  return next;
}

const shown = (policy: ClaimsMappingPolicy) => ({ '@odata.type': '#microsoft.graph.claimsMappingPolicy', ...policy });

/**
 * `policies/claimsMappingPolicies` (list, get, create, update, delete; `appliesTo`) and a service principal's
 * `claimsMappingPolicies` (list, assign with `POST …/$ref`, remove with `DELETE …/{policyId}/$ref`). A service
 * principal holds at most one claims mapping policy; a policy still assigned cannot be deleted.
 * https://learn.microsoft.com/graph/api/serviceprincipal-post-claimsmappingpolicies?view=graph-rest-1.0
 */
export const claimsMappingRoutes: FastifyPluginAsync<{ objects: TenantObjects }> = async (graph, { objects }) => {
  const store = objects.claimsMappingPolicies;
  const holders = (policyId: string) => [...objects.servicePrincipals.values()].filter((principal) => principal.claimsMappingPolicyIds?.includes(policyId));
  for (const version of VERSIONS) {
    const path = `/${version}/policies/claimsMappingPolicies`;
    graph.get(path, async () => graphList('policies/claimsMappingPolicies', [...store.values()].map(shown), version));
    graph.get(`${path}/:id`, async (request, reply) => {
      const { id } = request.params as { id: string };
      const policy = store.get(id);
      return policy ? shown(policy) : notFound(reply, id);
    });
    graph.get(`${path}/:id/appliesTo`, async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!store.has(id)) return notFound(reply, id);
      return graphList('directoryObjects', holders(id).map((principal) => ({ '@odata.type': '#microsoft.graph.servicePrincipal', id: principal.id, appId: principal.appId, displayName: principal.displayName })), version);
    });
    graph.post(path, async (request, reply) => {
      const result = policyFrom(bodyOf(request.body), undefined, randomUUID());
      if (typeof result === 'string') return badRequest(reply, result);
      store.set(result.id, result);
      return reply.code(201).send(shown(result));
    });
    graph.patch(`${path}/:id`, async (request, reply) => {
      const { id } = request.params as { id: string };
      const existing = store.get(id);
      if (!existing) return notFound(reply, id);
      const result = policyFrom(bodyOf(request.body), existing, id);
      if (typeof result === 'string') return badRequest(reply, result);
      store.set(id, result);
      return reply.code(204).send();
    });
    graph.delete(`${path}/:id`, async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!store.has(id)) return notFound(reply, id);
      if (holders(id).length > 0) return badRequest(reply, 'The policy is assigned to a service principal; remove it from each (DELETE /servicePrincipals/{id}/claimsMappingPolicies/{policyId}/$ref) first.');
      store.delete(id);
      return reply.code(204).send();
    });

    const assigned = `/${version}/servicePrincipals/:id/claimsMappingPolicies`;
    graph.get(assigned, async (request, reply) => {
      const { id } = request.params as { id: string };
      const principal = objects.servicePrincipals.get(id);
      if (!principal) return notFound(reply, id);
      const policies = (principal.claimsMappingPolicyIds ?? []).flatMap((policyId) => (store.has(policyId) ? [shown(store.get(policyId)!)] : []));
      return graphList(`servicePrincipals('${id}')/claimsMappingPolicies`, policies, version);
    });
    graph.post(`${assigned}/$ref`, async (request, reply) => {
      const { id } = request.params as { id: string };
      const principal = objects.servicePrincipals.get(id);
      if (!principal) return notFound(reply, id);
      const reference = bodyOf(request.body)['@odata.id'];
      const policyId = typeof reference === 'string' ? POLICY_REFERENCE.exec(reference)?.[1] : undefined;
      if (!policyId) return badRequest(reply, '@odata.id must be the URL of a claims mapping policy: https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/{id}.');
      if (!store.has(policyId)) return notFound(reply, policyId);
      const current = principal.claimsMappingPolicyIds ?? [];
      if (current.includes(policyId)) return badRequest(reply, 'The claims mapping policy is already assigned to this service principal.');
      // One claims mapping policy per service principal (Graph's wording for this refusal is not documented).
      if (current.length > 0) return badRequest(reply, `The service principal already has a claims mapping policy (${current[0]}); only one can be assigned. Remove it first.`);
      objects.servicePrincipals.set(id, { ...principal, claimsMappingPolicyIds: [policyId] });
      return reply.code(204).send();
    });
    graph.delete(`${assigned}/:policyId/$ref`, async (request, reply) => {
      const { id, policyId } = request.params as { id: string; policyId: string };
      const principal = objects.servicePrincipals.get(id);
      if (!principal) return notFound(reply, id);
      if (!(principal.claimsMappingPolicyIds ?? []).includes(policyId)) return notFound(reply, policyId);
      objects.servicePrincipals.set(id, { ...principal, claimsMappingPolicyIds: principal.claimsMappingPolicyIds!.filter((entry) => entry !== policyId) });
      return reply.code(204).send();
    });
  }
};
