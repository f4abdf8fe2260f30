import {
  buildAttributeCollectionStartResponse,
  onlyCollectedAttributes,
  parseAttributeCollectionStartRequest,
  signUpEmailOf,
  type AttributeCollectionStartAnswer,
  type AttributeCollectionStartRequest,
  type AttributeCollectionStartResponse,
} from '../events/index.js';
import {
  collisionBlock,
  lookUpCollision,
  profileAttributes,
  tryLaterBlock,
  type AttributeCollectionDeps,
  type SignUpReason,
} from './attribute-collection-policy.js';
import { answerAttributeCollection, type AttributeCollectionResult, type SignUpDecision } from './attribute-collection-callout.js';

export type AttributeCollectionStartResult = AttributeCollectionResult<AttributeCollectionStartResponse>;

type Decision = SignUpDecision<AttributeCollectionStartAnswer>;

/**
 * Handles one OnAttributeCollectionStart callout whose caller token has already been verified, before the user
 * fills the form, always before `receivedAt + responseDeadlineInMs`:
 *
 * - SIGNUP_COLLISION=block and the verified e-mail belongs to a legacy account → `showBlockPage` ("sign in with your
 *   existing password", or "try again in a few minutes" when the account could not be made ready or the legacy store
 *   did not answer in time);
 * - SIGNUP_PREFILL=true and a legacy account (not blocked) owns the address under `link` or `off` →
 *   `setPrefillValues` with its profile, only for the attributes the page collects;
 * - anything else → `continueWithDefaultBehavior`.
 *
 * @example
 *   const result = await handleAttributeCollectionStart(JSON.parse(body), deps, { receivedAt: Date.now() });
 *   reply.code(result.status).send(result.body);
 */
export async function handleAttributeCollectionStart(
  body: unknown,
  deps: AttributeCollectionDeps,
  options: { receivedAt: number; answerBy?: number },
): Promise<AttributeCollectionStartResult> {
  return answerAttributeCollection({ name: 'OnAttributeCollectionStart', parse: parseAttributeCollectionStartRequest, decide, build: buildAttributeCollectionStartResponse }, body, deps, options);
}

const proceed = (reason: SignUpReason, legacyId: string | null = null): Decision => ({
  answer: { action: 'continueWithDefaultBehavior' },
  reason,
  legacyId,
  errorCode: null,
  errorDetail: null,
});

async function decide(request: AttributeCollectionStartRequest, deps: AttributeCollectionDeps, deadlineAt: number): Promise<Decision> {
  const info = request.data.userSignUpInfo;
  const locale = request.data.authenticationContext.client?.locale;
  if (deps.directory === null || (deps.collision !== 'block' && !deps.prefill)) return proceed('sign-up-nothing-to-check');
  const email = signUpEmailOf(info);
  if (email === undefined) return proceed('sign-up-no-email');

  const lookup = await lookUpCollision(email, deps.directory, deadlineAt, deps.clock);
  if (lookup.kind === 'failed') {
    // Only `block` must know: `link` checks again at submit, and a prefill is a convenience.
    if (deps.collision !== 'block') return { ...proceed('sign-up-nothing-to-check'), errorCode: lookup.errorCode, errorDetail: lookup.errorDetail };
    const block = tryLaterBlock(deps, locale, lookup.errorCode);
    return { answer: { action: 'showBlockPage', title: block.title, message: block.message }, reason: block.reason, legacyId: null, errorCode: lookup.errorCode, errorDetail: lookup.errorDetail };
  }
  if (lookup.kind === 'none') return proceed('sign-up-no-legacy-account');

  const { entry } = lookup;
  if (deps.collision === 'block') {
    const block = await collisionBlock(email, entry, deps, deadlineAt, locale);
    return { answer: { action: 'showBlockPage', title: block.title, message: block.message }, reason: block.reason, legacyId: entry.legacyId, errorCode: block.errorCode, errorDetail: null };
  }
  if (!deps.prefill || entry.status === 'blocked') return proceed('sign-up-collision-allowed', entry.legacyId);
  // The profile only: the legacy id is written at submit (link), never shown on the page.
  const inputs = onlyCollectedAttributes(info, profileAttributes(entry, undefined));
  if (Object.keys(inputs).length === 0) return proceed('sign-up-collision-allowed', entry.legacyId);
  return { answer: { action: 'setPrefillValues', inputs }, reason: 'sign-up-prefilled', legacyId: entry.legacyId, errorCode: null, errorDetail: null };
}
