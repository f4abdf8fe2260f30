import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  EventErrorCode,
  PASSWORD_SUBMIT_ACTIONS,
  buildPasswordSubmitResponse,
  parsePasswordSubmitRequest,
  parsePasswordSubmitResponse,
  type EventError,
} from '../../src/events/index.js';
import { expectEventError } from './expect-event-error.js';

const fixtures = new URL('../fixtures/entra/', import.meta.url);
const readFixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
const request = readFixture('password-submit.request.json') as { data: Record<string, unknown> & { authenticationContext: Record<string, unknown> } };
const tenantId = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';


test('request: the published example parses', () => {
  const parsed = parsePasswordSubmitRequest(request, { tenantId });
  assert.equal(parsed.data.authenticationContext.user.id, '00aa00aa-bb11-cc22-dd33-44ee44ee44ee');
  assert.equal(parsed.data.authenticationContext.user.mail, 'casey@contoso.com');
  assert.equal(parsed.data.authenticationContext.resourceServicePrincipal, null);
});

test('request: tenant id is compared case-insensitively; another tenant is refused', () => {
  parsePasswordSubmitRequest(request, { tenantId: tenantId.toUpperCase() });
  expectEventError(() => parsePasswordSubmitRequest(request, { tenantId: '11111111-2222-3333-4444-555555555555' }), EventErrorCode.TENANT_MISMATCH);
});

const malformed: Array<[string, unknown]> = [
  ['null body', null],
  ['an array', [request]],
  ['a string', 'hello'],
  ['wrong type', { ...request, type: 'microsoft.graph.authenticationEvent.tokenIssuanceStart' }],
  ['wrong data @odata.type', { ...request, data: { ...request.data, '@odata.type': 'microsoft.graph.onTokenIssuanceStartCalloutData' } }],
  ['missing encryptedPasswordContext', { ...request, data: { ...request.data, encryptedPasswordContext: undefined } }],
  ['numeric encryptedPasswordContext', { ...request, data: { ...request.data, encryptedPasswordContext: 42 } }],
  ['empty encryptedPasswordContext', { ...request, data: { ...request.data, encryptedPasswordContext: '' } }],
  ['oversized encryptedPasswordContext', { ...request, data: { ...request.data, encryptedPasswordContext: 'a'.repeat(16 * 1024 + 1) } }],
  ['missing user', { ...request, data: { ...request.data, authenticationContext: { ...request.data.authenticationContext, user: undefined } } }],
  ['missing correlationId', { ...request, data: { ...request.data, authenticationContext: { ...request.data.authenticationContext, correlationId: undefined } } }],
];

for (const [name, body] of malformed) {
  test(`request: ${name} → ${EventErrorCode.REQUEST_INVALID}`, () => {
    expectEventError(() => parsePasswordSubmitRequest(body, { tenantId }), EventErrorCode.REQUEST_INVALID);
  });
}

test('request: issues name the path, never the rejected value', () => {
  const secret = 'hunter2-should-not-appear';
  const body = { ...request, data: { ...request.data, encryptedPasswordContext: { password: secret } } };
  const error = expectEventError(() => parsePasswordSubmitRequest(body, { tenantId }), EventErrorCode.REQUEST_INVALID);
  assert.deepEqual(error.issues, ['data.encryptedPasswordContext: expected string']);
  assert.ok(!error.message.includes(secret));
  assert.ok(!error.publicMessage.includes(secret));
});

for (const action of PASSWORD_SUBMIT_ACTIONS) {
  test(`response: ${action} matches the published example byte for byte`, () => {
    const expected = readFixture(`password-submit.response.${action}.json`) as { data: { actions: Array<{ title?: string; message?: string }>; nonce: string } };
    const [published] = expected.data.actions;
    const built = buildPasswordSubmitResponse({ action, title: published?.title, message: published?.message }, expected.data.nonce);
    assert.equal(JSON.stringify(built), JSON.stringify(expected));
    assert.deepEqual(parsePasswordSubmitResponse(built), built);
  });
}

test('response: a body without a nonce is refused', () => {
  expectEventError(
    () => parsePasswordSubmitResponse({ data: { '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData', actions: [] } }),
    EventErrorCode.RESPONSE_INVALID,
  );
});
