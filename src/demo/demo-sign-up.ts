import { ConfigError } from '../config/index.js';
import type { SignUpSettings } from '../emulator/index.js';

/** SIGNUP_COLLISION as the demo's `--signup-collision` chooses it. */
export const DEMO_SIGN_UP_COLLISIONS = ['block', 'link', 'off'] as const;
export type DemoSignUpCollision = (typeof DEMO_SIGN_UP_COLLISIONS)[number];

/** The policy `serve` applies to a sign-up, and whether it prefills the attribute page. */
export interface DemoSignUpPolicy {
  readonly collision: DemoSignUpCollision;
  /** SIGNUP_PREFILL: on wherever the legacy store can be asked by e-mail. */
  readonly prefill: boolean;
}

/** How the demo's sign-up runs. */
export interface DemoSignUp extends DemoSignUpPolicy {
  /** LEGACY_ID_ATTRIBUTE: `extension_<b2c-extensions-app>_legacyId`, a hidden input of the sign-up flow. */
  readonly legacyIdAttribute: string;
}

/**
 * The demo's sign-up policy. A store asked by e-mail (the SQLite table) gets `block` unless another is asked for, and
 * the prefill; a login API or a password grant cannot say who owns an address, so there the policy is `off` and
 * anything else is refused before the demo starts, naming the option — as `serve` refuses SIGNUP_COLLISION.
 *
 * @example
 *   demoSignUpPolicy({ legacy: 'sqlite', canLookUpByEmail: true }) // { collision: 'block', prefill: true }
 */
export function demoSignUpPolicy(options: { legacy: string; canLookUpByEmail: boolean; requested?: DemoSignUpCollision | undefined }): DemoSignUpPolicy {
  const { canLookUpByEmail, requested } = options;
  if (!canLookUpByEmail && requested !== undefined && requested !== 'off') {
    throw new ConfigError([{
      setting: '--signup-collision',
      problem: `${requested} needs a legacy store that can look an e-mail address up, and --legacy ${options.legacy} cannot; use --legacy sqlite, or --signup-collision off`,
    }]);
  }
  return Object.freeze({ collision: requested ?? (canLookUpByEmail ? 'block' : 'off'), prefill: canLookUpByEmail });
}

/** The `serve` settings for the sign-up events: SIGNUP_COLLISION, SIGNUP_PREFILL and LEGACY_ID_ATTRIBUTE. */
export function signUpServeSettings(signUp: DemoSignUp): Record<string, string> {
  return {
    SIGNUP_COLLISION: signUp.collision,
    SIGNUP_PREFILL: String(signUp.prefill),
    LEGACY_ID_ATTRIBUTE: signUp.legacyIdAttribute,
  };
}

/**
 * The emulator's sign-up user flow: both attribute collection events sent to `serve` at `extensionBaseUrl`, and the
 * legacy id collected as a hidden input — Entra writes only attributes the flow collects, so without it a `link`
 * answer's legacy id would be dropped (what `setup --signup-attributes` does for a real tenant).
 *
 * @example
 *   emulator.configureExtension({ ...extension, signUp: demoSignUpFlow('http://127.0.0.1:7071', signUp) });
 */
export function demoSignUpFlow(extensionBaseUrl: string, signUp: DemoSignUp): SignUpSettings {
  return {
    attributeCollectionStartUrl: `${extensionBaseUrl}/events/attribute-collection-start`,
    attributeCollectionSubmitUrl: `${extensionBaseUrl}/events/attribute-collection-submit`,
    customAttributes: [{ name: signUp.legacyIdAttribute, dataType: 'string', label: 'Legacy id', hidden: true }],
  };
}
