import { EventError, EventErrorCode } from './errors.js';

/**
 * Refuses an answer whose action is not one of its event's: the types already forbid it, but a caller in plain
 * JavaScript (the library's users) could pass any string, and Entra fails an unknown action with 1003012.
 *
 * @example
 *   requireKnownAction(OTP_SEND_ACTIONS, answer.action); // throws EVENT_RESPONSE_INVALID for 'sendCode'
 */
export function requireKnownAction<Action extends string>(actions: readonly Action[], action: unknown): asserts action is Action {
  if (!actions.includes(action as Action)) {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered with a body Entra would not accept.', [`action: not one of ${actions.join(', ')}`]);
  }
}
