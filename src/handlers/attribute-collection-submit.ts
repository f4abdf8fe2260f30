import {
  buildAttributeCollectionSubmitResponse,
  onlyCollectedAttributes,
  parseAttributeCollectionSubmitRequest,
  signUpEmailOf,
  type AttributeCollectionSubmitAnswer,
  type AttributeCollectionSubmitRequest,
  type AttributeCollectionSubmitResponse,
} from '../events/index.js';
import { signUpMessagesFor } from '../jit/messages.js';
import {
  collisionBlock,
  lookUpCollision,
  profileAttributes,
  tryLaterBlock,
  type AttributeCollectionDeps,
  type SignUpReason,
} from './attribute-collection-policy.js';
import { answerAttributeCollection, type AttributeCollectionResult, type SignUpDecision } from './attribute-collection-callout.js';

export type AttributeCollectionSubmitResult = AttributeCollectionResult<AttributeCollectionSubmitResponse>;

type Decision = SignUpDecision<AttributeCollectionSubmitAnswer>;

/**
 * Handles one OnAttributeCollectionSubmit callout whose caller token has already been verified, always before
 * `receivedAt + responseDeadlineInMs`. The collision is checked again here, in case the start event is not
 * configured:
 *
 * - `block`: a colliding address gets the same block page as at start;
 * - `link`: `modifyAttributeValues` carries the legacy profile and the legacy id (as a string, into
 *   LEGACY_ID_ATTRIBUTE), only for attributes the page collects; the outcome's reason is `migrated-by-sign-up`;
 *   a legacy store that did not answer in time gets "try again in a few minutes" rather than an unlinked account;
 *   a blocked legacy account gets the block page;
 * - `off`, or no legacy account: `continueWithDefaultBehavior`.
 *
 * Never `showValidationError`: the one field a collision is about, the e-mail, is a hidden read-only input on the
 * attribute page, and an error there would trap the user.
 *
 * @example
 *   const result = await handleAttributeCollectionSubmit(JSON.parse(body), deps, { receivedAt: Date.now() });
 */
export async function handleAttributeCollectionSubmit(
  body: unknown,
  deps: AttributeCollectionDeps,
  options: { receivedAt: number; answerBy?: number },
): Promise<AttributeCollectionSubmitResult> {
  return answerAttributeCollection({ name: 'OnAttributeCollectionSubmit', parse: parseAttributeCollectionSubmitRequest, decide, build: buildAttributeCollectionSubmitResponse }, body, deps, options);
}

const proceed = (reason: SignUpReason, legacyId: string | null = null): Decision => ({
  answer: { action: 'continueWithDefaultBehavior' },
  reason,
  legacyId,
  errorCode: null,
  errorDetail: null,
});

async function decide(request: AttributeCollectionSubmitRequest, deps: AttributeCollectionDeps, deadlineAt: number): Promise<Decision> {
  const info = request.data.userSignUpInfo;
  const locale = request.data.authenticationContext.client?.locale;
  if (deps.directory === null || deps.collision === 'off') return proceed('sign-up-nothing-to-check');
  const email = signUpEmailOf(info);
  if (email === undefined) return proceed('sign-up-no-email');

  const lookup = await lookUpCollision(email, deps.directory, deadlineAt, deps.clock);
  if (lookup.kind === 'failed') {
    const block = tryLaterBlock(deps, locale, lookup.errorCode);
    return { answer: { action: 'showBlockPage', title: block.title, message: block.message }, reason: block.reason, legacyId: null, errorCode: lookup.errorCode, errorDetail: lookup.errorDetail };
  }
  if (lookup.kind === 'none') return proceed('sign-up-no-legacy-account');

  const { entry } = lookup;
  if (deps.collision === 'block') {
    const block = await collisionBlock(email, entry, deps, deadlineAt, locale);
    return { answer: { action: 'showBlockPage', title: block.title, message: block.message }, reason: block.reason, legacyId: entry.legacyId, errorCode: block.errorCode, errorDetail: null };
  }
  if (entry.status === 'blocked') {
    // A legacy account that may not sign in is not carried into a new one; its owner gets the collision page.
    const { exists } = signUpMessagesFor(deps.messages, locale);
    return { answer: { action: 'showBlockPage', title: exists.title, message: exists.message }, reason: 'sign-up-collision-blocked', legacyId: entry.legacyId, errorCode: null, errorDetail: null };
  }
  const attributes = onlyCollectedAttributes(info, profileAttributes(entry, deps.legacyIdAttribute));
  if (Object.keys(attributes).length === 0) return proceed('sign-up-link-not-collected', entry.legacyId);
  return { answer: { action: 'modifyAttributeValues', attributes }, reason: 'migrated-by-sign-up', legacyId: entry.legacyId, errorCode: null, errorDetail: null };
}
