import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import {
  EventErrorCode,
  MAX_CLAIMS,
  MAX_CLAIMS_BYTES,
  buildTokenIssuanceStartResponse,
  claimsSize,
  hasClaimsBag,
  parseTokenIssuanceStartRequest,
  parseTokenIssuanceStartResponse,
  tokenIssuanceStartActionOf,
  tokenIssuanceStartResponseSchema,
  type EventError,
} from '../../src/events/index.js';
import { expectEventError } from './expect-event-error.js';

const fixtures = new URL('../fixtures/entra/', import.meta.url);
const readFixture = (name: string): any => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
const request = readFixture('token-issuance-start.request.json');
const tenantId = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';
const withoutTenant = (body: any) => ({ ...body, data: { ...body.data, tenantId: tenantId } });


test('request: the published member and guest examples parse, with the user, the client and the resource', () => {
  const parsed = parseTokenIssuanceStartRequest(withoutTenant(request), { tenantId });
  const context = parsed.data.authenticationContext;
  assert.equal(context.user.id, '90847c2a-e29d-4d2f-9f54-c5b4d3f26471');
  assert.equal(context.user.mail, 'casey@contoso.com');
  assert.equal(context.user.onPremisesSamAccountName, 'caseyjensen');
  assert.equal(context.clientServicePrincipal?.appDisplayName, 'My Test application');
  assert.equal(context.resourceServicePrincipal?.displayName, 'My Test application');
  const guest = parseTokenIssuanceStartRequest(withoutTenant(readFixture('token-issuance-start.request.guest.json')), { tenantId });
  assert.equal(guest.data.authenticationContext.user.userType, 'Guest');
  assert.equal(guest.data.authenticationContext.user.preferredDataLocation, 'EUR');
});

test('request: another event, another tenant, a missing user or a hostile body is refused with the path, never the value', () => {
  expectEventError(() => parseTokenIssuanceStartRequest(request, { tenantId }), EventErrorCode.TENANT_MISMATCH);
  const body = withoutTenant(request);
  expectEventError(() => parseTokenIssuanceStartRequest({ ...body, type: 'microsoft.graph.authenticationEvent.passwordSubmit' }, { tenantId }), EventErrorCode.REQUEST_INVALID);
  const noUser = structuredClone(body);
  delete noUser.data.authenticationContext.user;
  const error = expectEventError(() => parseTokenIssuanceStartRequest(noUser, { tenantId }), EventErrorCode.REQUEST_INVALID);
  assert.deepEqual(error.issues, ['data.authenticationContext.user: expected object']);
  const secret = structuredClone(body);
  secret.data.authenticationContext.user.id = { value: 'hunter2-secret' };
  assert.doesNotMatch(expectEventError(() => parseTokenIssuanceStartRequest(secret, { tenantId }), EventErrorCode.REQUEST_INVALID).message, /hunter2/);
  const long = structuredClone(body);
  long.data.authenticationContext.user.mail = 'x'.repeat(2000);
  expectEventError(() => parseTokenIssuanceStartRequest(long, { tenantId }), EventErrorCode.REQUEST_INVALID);
  for (const hostile of [null, 'text', [], 42, { type: request.type }]) expectEventError(() => parseTokenIssuanceStartRequest(hostile, { tenantId }), EventErrorCode.REQUEST_INVALID);
});

test('response: the published answer reads back, and the builder writes exactly it', () => {
  const fixture = readFixture('token-issuance-start.response.provideClaimsForToken.json');
  assert.deepEqual(parseTokenIssuanceStartResponse(fixture), fixture);
  const built = buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: { DateOfBirth: '01/01/2000', CustomRoles: ['Writer', 'Editor'] } });
  assert.equal(JSON.stringify(built), JSON.stringify(fixture));
  assert.equal(tokenIssuanceStartActionOf(built.data.actions[0]!['@odata.type']), 'provideClaimsForToken');
  assert.equal(tokenIssuanceStartActionOf('microsoft.graph.tokenIssuanceStart.provideClaims'), undefined);
});

test('response: no claims is an empty bag, never null (Entra fails a null bag with 1003007)', () => {
  const built = buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: {} });
  assert.deepEqual(built.data.actions[0]!.claims, {});
  assert.ok(hasClaimsBag(built));
  const withNull = { data: { '@odata.type': 'microsoft.graph.onTokenIssuanceStartResponseData', actions: [{ '@odata.type': 'microsoft.graph.tokenIssuanceStart.provideClaimsForToken', claims: null }] } };
  assert.equal(hasClaimsBag(withNull), false);
  assert.deepEqual(expectEventError(() => parseTokenIssuanceStartResponse(withNull), EventErrorCode.RESPONSE_INVALID).issues, ['data.actions.0.claims: expected object']);
  const without = { data: { ...withNull.data, actions: [{ '@odata.type': withNull.data.actions[0]!['@odata.type'] }] } };
  assert.equal(hasClaimsBag(without), false);
  expectEventError(() => parseTokenIssuanceStartResponse(without), EventErrorCode.RESPONSE_INVALID);
});

test('response: values other than strings and arrays of strings are refused (Entra 1003003), as are names that cannot be claims', () => {
  for (const value of [true, 42, null, { nested: 'x' }, [1, 2], ['a', null]]) {
    expectEventError(() => buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: { bad: value as never } }), EventErrorCode.RESPONSE_INVALID);
  }
  for (const name of ['', '1roles', 'has space', '__proto__', 'x'.repeat(129)]) {
    const claims = JSON.parse(`{${JSON.stringify(name)}: "v"}`);
    expectEventError(() => buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims }), EventErrorCode.RESPONSE_INVALID);
  }
  const many = Object.fromEntries(Array.from({ length: MAX_CLAIMS + 1 }, (_, index) => [`c${index}`, '']));
  expectEventError(() => buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: many }), EventErrorCode.RESPONSE_INVALID);
});

test('response: 3 KB of names and values is the limit, counted in UTF-8 bytes, arrays element by element', () => {
  // 'roles' (5 bytes) + values: exactly MAX_CLAIMS_BYTES passes, one byte more is refused.
  const atLimit = { roles: ['a'.repeat(1000), 'b'.repeat(1000), 'c'.repeat(MAX_CLAIMS_BYTES - 2005)] };
  assert.equal(claimsSize(atLimit), MAX_CLAIMS_BYTES);
  assert.ok(buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: atLimit }));
  const over = { roles: [...atLimit.roles.slice(0, 2), `${atLimit.roles[2]}d`] };
  assert.equal(claimsSize(over), MAX_CLAIMS_BYTES + 1);
  const error = expectEventError(() => buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: over }), EventErrorCode.RESPONSE_INVALID);
  assert.deepEqual(error.issues, [`data.actions.0.claims: longer than ${MAX_CLAIMS_BYTES}`]);
  // é is two bytes in UTF-8: 1536 of them are 3072 bytes with a one-byte name over the limit.
  assert.equal(claimsSize({ n: 'é'.repeat(1536) }), MAX_CLAIMS_BYTES + 1);
});

test('response: the builder copies the claims, so a later change to the caller\'s arrays cannot reach the body', () => {
  const roles = ['Writer'];
  const built = buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: { roles } });
  roles.push('Admin');
  assert.deepEqual(built.data.actions[0]!.claims, { roles: ['Writer'] });
});

test('response: as a Fastify response schema, the answer goes out unchanged and fields beside it are dropped', async () => {
  const app = Fastify();
  const answer: { body: unknown } = { body: undefined };
  app.post('/answer', { schema: { response: { 200: z.toJSONSchema(tokenIssuanceStartResponseSchema, { target: 'draft-7' }) } } }, async () => answer.body);
  try {
    answer.body = buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: { DateOfBirth: '01/01/2000', CustomRoles: ['Writer', 'Editor'] } });
    assert.equal((await app.inject({ method: 'POST', url: '/answer' })).body, JSON.stringify(readFixture('token-issuance-start.response.provideClaimsForToken.json')));
    answer.body = buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: {} });
    assert.deepEqual(JSON.parse((await app.inject({ method: 'POST', url: '/answer' })).body).data.actions[0].claims, {});
    answer.body = { ...(answer.body as object), debug: 'leak' };
    assert.doesNotMatch((await app.inject({ method: 'POST', url: '/answer' })).body, /leak/);
  } finally {
    await app.close();
  }
});
