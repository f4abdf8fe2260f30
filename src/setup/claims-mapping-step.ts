import { isRestrictedJwtClaim, tokenClaimTypeFor, type GraphApplication as Application, type GraphClient } from '../graph/index.js';
import type { GraphClaimsMappingPolicy as Policy } from '../graph/resources.js';
import { SetupError, SetupErrorCode } from './errors.js';
import type { SetupWrite } from './listener-step.js';
import type { SetupStep } from './setup-step.js';

/** The claim source of a custom claims provider's claims in a claims mapping policy (custom-claims-provider-reference.md). */
const CUSTOM_CLAIMS_PROVIDER = 'CustomClaimsProvider';
const quote = (text: string) => text.replace(/'/g, "''");

/**
 * The definition of the claims mapping policy setup creates: the basic claim set, plus each claim from the custom
 * claims provider (`Source: CustomClaimsProvider`, `ID` = the claim name) under its own name, or `legacy_<name>`
 * when its own is in the JWT restricted claim set (`roles`, `email`, `groups` …), which no policy can emit.
 *
 * @example
 *   claimsMappingDefinition(['legacyId', 'roles'])
 *   // '{"ClaimsMappingPolicy":{"Version":1,"IncludeBasicClaimSet":"true","ClaimsSchema":[{"Source":"CustomClaimsProvider","ID":"legacyId","JwtClaimType":"legacyId"},
 *   //   {"Source":"CustomClaimsProvider","ID":"roles","JwtClaimType":"legacy_roles"}]}}'
 */
export function claimsMappingDefinition(claims: readonly string[]): string {
  return JSON.stringify({ ClaimsMappingPolicy: { Version: 1, IncludeBasicClaimSet: 'true', ClaimsSchema: claims.map((claim) => ({ Source: CUSTOM_CLAIMS_PROVIDER, ID: claim, JwtClaimType: tokenClaimTypeFor(claim) })) } });
}

/**
 * The custom claims provider claims a policy maps into tokens (each `ClaimsSchema` entry with `Source:
 * CustomClaimsProvider`, by its `ID`, whose `JwtClaimType` is a claim a policy may emit — Entra leaves a mapping onto
 * a restricted claim out); empty for a definition that is not policy JSON.
 *
 * @example
 *   mappedProviderClaims(policy.definition) // ['legacyId', 'roles']
 */
export function mappedProviderClaims(definition: readonly string[] | undefined): string[] {
  try {
    const schema = (JSON.parse(definition?.[0] ?? '') as { ClaimsMappingPolicy?: { ClaimsSchema?: Array<{ Source?: unknown; ID?: unknown; JwtClaimType?: unknown }> } }).ClaimsMappingPolicy?.ClaimsSchema;
    const emitted = (entry: { Source?: unknown; ID?: unknown; JwtClaimType?: unknown }) =>
      typeof entry?.Source === 'string' && entry.Source.toLowerCase() === CUSTOM_CLAIMS_PROVIDER.toLowerCase() && typeof entry.ID === 'string' && typeof entry.JwtClaimType === 'string' && !isRestrictedJwtClaim(entry.JwtClaimType);
    return (Array.isArray(schema) ? schema : []).flatMap((entry) => (emitted(entry) ? [entry.ID as string] : []));
  } catch {
    return [];
  }
}

/** One client application as the claims step found it. */
interface ClientApp {
  appId: string;
  application: Application;
  principalId: string | undefined;
  assigned: Policy | undefined;
}

/** What the claims step will do, decided by reads alone so a refusal leaves the tenant untouched. */
export interface ClaimsMappingPlan {
  policyName: string;
  claims: readonly string[];
  existing: Policy | undefined;
  clients: ClientApp[];
}

/**
 * Reads what the claims mapping step needs and refuses, before any write, a client application that is not
 * registered in the tenant or whose service principal holds another claims mapping policy that lacks the claims
 * (Graph allows one per service principal: the administrator must merge the claims into it).
 *
 * @example
 *   const plan = await planClaimsMapping(graph, [clientAppId], ['legacyId', 'roles'], 'entra-migrate JIT migration claims');
 */
export async function planClaimsMapping(graph: GraphClient, clientAppIds: readonly string[], claims: readonly string[], policyName: string): Promise<ClaimsMappingPlan> {
  const policies = (await graph.call<{ value: Policy[] }>('GET', '/v1.0/policies/claimsMappingPolicies')).value;
  const existing = policies.find((policy) => policy.displayName === policyName);
  const clients: ClientApp[] = [];
  for (const appId of [...new Set(clientAppIds.map((id) => id.toLowerCase()))]) {
    const application = (await graph.call<{ value: Application[] }>('GET', `/v1.0/applications?$filter=${encodeURIComponent(`appId eq '${quote(appId)}'`)}`)).value[0];
    if (!application) throw new SetupError(SetupErrorCode.OPTION_INVALID, `No app registration in this tenant has the app id ${appId} (--client-app-id): token issuance needs the client application's registration (acceptMappedClaims) and its service principal (the claims mapping policy).`);
    const principal = (await graph.call<{ value: Array<{ id: string }> }>('GET', `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${quote(appId)}'`)}`)).value[0];
    const assigned = principal ? (await graph.call<{ value: Policy[] }>('GET', `/v1.0/servicePrincipals/${principal.id}/claimsMappingPolicies`)).value[0] : undefined;
    if (assigned && assigned.id !== existing?.id) {
      const missing = claims.filter((claim) => !mappedProviderClaims(assigned.definition).includes(claim));
      if (missing.length > 0) {
        throw new SetupError(
          SetupErrorCode.OPTION_INVALID,
          `The service principal of ${appId} already has the claims mapping policy "${assigned.displayName}" (${assigned.id}), and Graph allows one per service principal. Add to its ClaimsSchema ${missing.map((claim) => `{"Source":"CustomClaimsProvider","ID":"${claim}","JwtClaimType":"${claim}"}`).join(', ')} and run setup again.`,
        );
      }
    }
    clients.push({ appId, application, principalId: principal?.id, assigned });
  }
  return { policyName, claims, existing, clients };
}

/**
 * token-issuance-start: the claims mapping policy that lets the claims reach the tokens, assigned to each client
 * application's service principal (its service principal created if missing), and `api.acceptMappedClaims: true` on
 * each client app registration (custom-extension-tokenissuancestart-configuration.md, steps 2.3 and 3). A service
 * principal whose own policy already maps the claims is left as it is.
 *
 * @example
 *   const step = await claimsMappingStep({ plan, dryRun, write });
 */
export async function claimsMappingStep(options: { plan: ClaimsMappingPlan; dryRun: boolean; write: SetupWrite }): Promise<SetupStep> {
  const { plan, write } = options;
  const step: SetupStep = { name: 'claims mapping', status: 'in place', detail: `"${plan.policyName}" maps ${plan.claims.join(', ')} for ${plan.clients.map((client) => client.appId).join(', ')}`, requests: [] };
  const changed = (created = false) => {
    if (step.status === 'in place') step.status = options.dryRun ? (created ? 'would create' : 'would update') : created ? 'created' : 'updated';
  };
  const definition = claimsMappingDefinition(plan.claims);
  const needsOurs = plan.clients.filter((client) => !client.assigned || client.assigned.id === plan.existing?.id);
  let policyId = plan.existing?.id;
  if (plan.existing && plan.existing.definition[0] !== definition) {
    await write(step, 'PATCH', `/v1.0/policies/claimsMappingPolicies/${plan.existing.id}`, { definition: [definition] });
    changed();
  }
  if (!policyId && needsOurs.length > 0) {
    const created = await write<Policy>(step, 'POST', '/v1.0/policies/claimsMappingPolicies', { definition: [definition], displayName: plan.policyName, isOrganizationDefault: false });
    policyId = created?.id ?? '<claims mapping policy id of the new object>';
    changed(true);
  }
  for (const client of plan.clients) {
    if (client.application.api?.acceptMappedClaims !== true) {
      await write(step, 'PATCH', `/v1.0/applications/${client.application.id}`, { api: { acceptMappedClaims: true } });
      changed();
    }
    if (client.assigned) continue;
    const principalId = client.principalId ?? (await write<{ id: string }>(step, 'POST', '/v1.0/servicePrincipals', { appId: client.appId }))?.id ?? '<service principal id of the new object>';
    await write(step, 'POST', `/v1.0/servicePrincipals/${principalId}/claimsMappingPolicies/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/policies/claimsMappingPolicies/${policyId}` });
    changed();
  }
  return step;
}

/**
 * `--remove` for token-issuance-start: the policy named `policyName` comes off every service principal it is
 * assigned to (its `appliesTo`), then is deleted. `acceptMappedClaims` stays as it is on the client apps (setup
 * cannot know whether it was set before).
 *
 * @example
 *   steps.push(...(await removeClaimsMapping(graph, dryRun, 'entra-migrate JIT migration claims')));
 */
export async function removeClaimsMapping(graph: GraphClient, dryRun: boolean, policyName: string): Promise<SetupStep[]> {
  const policy = (await graph.call<{ value: Policy[] }>('GET', '/v1.0/policies/claimsMappingPolicies')).value.find((entry) => entry.displayName === policyName);
  if (!policy) return [{ name: 'claims mapping', status: 'absent', detail: `no claims mapping policy "${policyName}"`, requests: [] }];
  const step: SetupStep = { name: 'claims mapping', status: dryRun ? 'would remove' : 'removed', detail: `"${policyName}" (${policy.id})`, requests: [] };
  const holders = (await graph.call<{ value: Array<{ id: string }> }>('GET', `/v1.0/policies/claimsMappingPolicies/${policy.id}/appliesTo`)).value;
  const paths = [...holders.map((holder) => `/v1.0/servicePrincipals/${holder.id}/claimsMappingPolicies/${policy.id}/$ref`), `/v1.0/policies/claimsMappingPolicies/${policy.id}`];
  for (const path of paths) {
    step.requests.push({ method: 'DELETE', path });
    if (!dryRun) await graph.call('DELETE', path);
  }
  return [step];
}
