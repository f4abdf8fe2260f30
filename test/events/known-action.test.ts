import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EventErrorCode,
  buildAttributeCollectionStartResponse,
  buildAttributeCollectionSubmitResponse,
  buildOtpSendResponse,
  buildPasswordSubmitResponse,
  buildTokenIssuanceStartResponse,
  type EventError,
} from '../../src/events/index.js';

// The types forbid these answers; a JavaScript caller of the library can still make them, and Entra fails an
// unknown action with 1003012. Each builder refuses instead of sending it.
const builders: Array<[string, (answer: never) => unknown]> = [
  ['OnPasswordSubmit', (answer) => buildPasswordSubmitResponse(answer, 'nonce-1')],
  ['OnAttributeCollectionStart', buildAttributeCollectionStartResponse],
  ['OnAttributeCollectionSubmit', buildAttributeCollectionSubmitResponse],
  ['OnTokenIssuanceStart', buildTokenIssuanceStartResponse],
  ['OnOtpSend', buildOtpSendResponse],
];

for (const [event, build] of builders) {
  test(`builders: ${event} refuses an action that is not its own, whatever the caller passes`, () => {
    for (const action of ['MigratePasswords', 'provideClaims', '', undefined, null, 42, { toString: () => 'Retry' }]) {
      assert.throws(
        () => build({ action, claims: {}, message: 'm', inputs: {}, attributes: {} } as never),
        (error: EventError) => error.code === EventErrorCode.RESPONSE_INVALID && error.issues[0]!.startsWith('action: not one of'),
      );
    }
  });
}

test('builders: a token answer with a null, missing or array claims bag is refused with the code, not a TypeError', () => {
  for (const claims of [null, undefined, ['roles'], 'roles']) {
    assert.throws(() => buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims } as never), (error: EventError) => error.code === EventErrorCode.RESPONSE_INVALID);
  }
});
