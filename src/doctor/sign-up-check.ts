import type { GraphClient } from '../graph/index.js';
import { attributePlacement, signUpFlowsOf, SIGN_UP_FLOW_TYPE, type GraphSignUpFlow } from '../setup/index.js';
import type { Finding } from './finding.js';

export interface SignUpCheckOptions {
  graph: GraphClient;
  /** The applications the listener covers; empty when it covers all (every sign-up flow is checked then). */
  clientAppIds: readonly string[];
  /** LEGACY_ID_ATTRIBUTE, when set. */
  legacyIdAttribute: string | undefined;
}

const FIX = 'run entra-migrate setup --signup-attributes (with your other setup options)';

/**
 * For SIGNUP_COLLISION=link: Entra writes only the attributes a sign-up flow collects, so the legacy id that
 * `modifyAttributeValues` carries is lost — and the account silently not linked — unless each sign-up flow of the
 * client applications has LEGACY_ID_ATTRIBUTE on its page, hidden (a shown input would let the user type a legacy
 * id of their choosing before the extension overwrites it, and shows an internal id). One finding per flow, all
 * warnings: sign-ins still work.
 *
 * @example
 *   findings.push(...(await signUpFindings({ graph, clientAppIds: ['…'], legacyIdAttribute: 'extension_…_legacyId' })));
 */
export async function signUpFindings(options: SignUpCheckOptions): Promise<Finding[]> {
  const attribute = options.legacyIdAttribute;
  if (!attribute) return [{ check: 'sign-up link', level: 'warning', message: `SIGNUP_COLLISION=link needs LEGACY_ID_ATTRIBUTE (serve refuses to start without it); ${FIX} --write-env FILE` }];
  const flows = options.clientAppIds.length > 0 ? await signUpFlowsOf(options.graph, options.clientAppIds) : await allSignUpFlows(options.graph);
  if (flows.length === 0) {
    const apps = options.clientAppIds.length > 0 ? options.clientAppIds.join(', ') : 'any application';
    return [{ check: 'sign-up link', level: 'warning', message: `SIGNUP_COLLISION=link, but no sign-up user flow is linked to ${apps}: users cannot sign up, so nothing is linked` }];
  }
  return flows.map((flow): Finding => {
    const name = `the sign-up flow "${flow.displayName}" (${flow.id})`;
    switch (attributePlacement(flow, attribute)) {
      case 'hidden':
        return { check: 'sign-up link', level: 'ok', message: `${name} collects ${attribute} as a hidden input` };
      case 'shown':
        return { check: 'sign-up link', level: 'warning', message: `${name} shows ${attribute} to the user: it must be a hidden input; ${FIX}` };
      case 'absent':
        return { check: 'sign-up link', level: 'warning', message: `${name} does not collect ${attribute}: Entra drops the legacy id SIGNUP_COLLISION=link sends, and new accounts are not linked; ${FIX}` };
    }
  });
}

async function allSignUpFlows(graph: GraphClient): Promise<GraphSignUpFlow[]> {
  const flows = (await graph.call<{ value: GraphSignUpFlow[] }>('GET', '/v1.0/identity/authenticationEventsFlows')).value;
  return flows.filter((flow) => flow['@odata.type'] === SIGN_UP_FLOW_TYPE);
}
