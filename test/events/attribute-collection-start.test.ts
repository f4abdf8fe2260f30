import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import {
  ATTRIBUTE_COLLECTION_START_ACTIONS,
  EventErrorCode,
  attributeCollectionStartActionOf,
  attributeCollectionStartResponseSchema,
  buildAttributeCollectionStartResponse,
  collectedAttributeNames,
  onlyCollectedAttributes,
  parseAttributeCollectionStartRequest,
  parseAttributeCollectionStartResponse,
  signUpEmailOf,
  type AttributeCollectionStartAnswer,
  type EventError,
} from '../../src/events/index.js';
import { expectEventError } from './expect-event-error.js';

const fixtures = new URL('../fixtures/entra/', import.meta.url);
const readFixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
type Body = { type: string; data: Record<string, unknown> & { userSignUpInfo: { attributes: Record<string, unknown>; identities: unknown[] } } };
const request = readFixture('attribute-collection-start.request.json') as Body;
const tenantId = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';


/** The fixture with `userSignUpInfo` replaced by `info` (a fresh object each time). */
const withSignUpInfo = (info: unknown): Body => ({ ...request, data: { ...request.data, userSignUpInfo: info as Body['data']['userSignUpInfo'] } });
const withAttributes = (attributes: unknown) => withSignUpInfo({ ...request.data.userSignUpInfo, attributes });
const givenName = (value: unknown) => ({ '@odata.type': 'microsoft.graph.stringDirectoryAttributeValue', value, attributeType: 'builtIn' });

test('request: the published example parses, with the attributes, their types and the identity', () => {
  const parsed = parseAttributeCollectionStartRequest(request, { tenantId });
  const info = parsed.data.userSignUpInfo;
  assert.equal(parsed.data.authenticationContext.correlationId, '<GUID>');
  assert.equal(info.attributes.givenName?.value, 'Larissa Price');
  assert.equal(info.attributes['extension_<appid>_graduationYear']?.value, 2010);
  assert.equal(info.attributes['extension_<appid>_onMailingList']?.value, false);
  // Microsoft's example spells this one `@odata.Type`; it is read, not lost.
  assert.equal(info.attributes['extension_<appid>_universityGroups']?.['@odata.Type'], 'microsoft.graph.stringDirectoryAttributeValue');
  assert.deepEqual(info.identities, [{ signInType: 'email', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'larissa.price@contoso.onmicrosoft.com' }]);
});

test('request: the verified e-mail and the collected attribute names come from userSignUpInfo', () => {
  const info = parseAttributeCollectionStartRequest(request, { tenantId }).data.userSignUpInfo;
  assert.equal(signUpEmailOf(info), 'larissa.price@contoso.onmicrosoft.com');
  assert.deepEqual(collectedAttributeNames(info), [
    'givenName',
    'companyName',
    'extension_<appid>_universityGroups',
    'extension_<appid>_graduationYear',
    'extension_<appid>_onMailingList',
  ]);
});

test('signUpEmailOf: Graph spelling emailAddress counts; a federated identity, a non-address, or two different addresses give none', () => {
  const identity = (signInType: string, issuerAssignedId: string) => ({ signInType, issuer: 'contoso.onmicrosoft.com', issuerAssignedId });
  assert.equal(signUpEmailOf({ identities: [identity('emailAddress', 'casey@contoso.com')] }), 'casey@contoso.com');
  assert.equal(signUpEmailOf({ identities: [identity('federated', 'casey@contoso.com')] }), undefined);
  assert.equal(signUpEmailOf({ identities: [identity('email', 'not-an-address')] }), undefined);
  assert.equal(signUpEmailOf({ identities: [identity('email', 'a@contoso.com'), identity('emailAddress', 'b@contoso.com')] }), undefined);
  assert.equal(signUpEmailOf({ identities: [identity('email', 'a@contoso.com'), identity('emailAddress', 'a@contoso.com')] }), 'a@contoso.com');
});

test('onlyCollectedAttributes: keeps the names the page collects, with the type the request gives them', () => {
  const info = parseAttributeCollectionStartRequest(request, { tenantId }).data.userSignUpInfo;
  const picked = onlyCollectedAttributes(info, {
    givenName: 'Casey',
    surname: 'Jensen', // not collected by this page
    'extension_<appid>_graduationYear': '2010', // a string where the page expects an int64
    'extension_<appid>_onMailingList': true,
    'extension_<appid>_universityGroups': 'Alumni',
  });
  assert.deepEqual(picked, { givenName: 'Casey', 'extension_<appid>_universityGroups': 'Alumni', 'extension_<appid>_onMailingList': true });
});

test('request: tenant id is compared case-insensitively; another tenant is refused', () => {
  parseAttributeCollectionStartRequest(request, { tenantId: tenantId.toUpperCase() });
  const error = expectEventError(() => parseAttributeCollectionStartRequest(request, { tenantId: '11111111-2222-3333-4444-555555555555' }), EventErrorCode.TENANT_MISMATCH);
  assert.deepEqual(error.issues, ['data.tenantId']);
});

test('request: fields Entra may add are tolerated and dropped', () => {
  const body = {
    ...request,
    specversion: '1.0',
    data: {
      ...request.data,
      otpContext: null,
      authenticationContext: { ...(request.data.authenticationContext as object), requestId: 'r1' },
      userSignUpInfo: {
        ...request.data.userSignUpInfo,
        attributes: { givenName: { ...givenName('Casey'), isReadOnly: false } },
        identities: [{ signInType: 'email', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'casey@contoso.com', verified: true }],
      },
    },
  };
  const parsed = parseAttributeCollectionStartRequest(body, { tenantId });
  assert.deepEqual(parsed.data.userSignUpInfo.attributes.givenName, givenName('Casey'));
  assert.ok(!('otpContext' in parsed.data));
});

test('request: an attribute the user has not filled (null or absent value) and an undocumented @odata.type parse', () => {
  const parsed = parseAttributeCollectionStartRequest(
    withAttributes({
      givenName: givenName(null),
      surname: { '@odata.type': 'microsoft.graph.stringDirectoryAttributeValue', attributeType: 'builtIn' },
      extension_0123_tags: { '@odata.type': 'microsoft.graph.futureDirectoryAttributeValue', value: 'a,b', attributeType: 'directorySchemaExtension' },
    }),
    { tenantId },
  );
  assert.equal(parsed.data.userSignUpInfo.attributes.givenName?.value, null);
});

const tooMany = Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`attribute${index}`, givenName('x')]));

const malformed: Array<[string, unknown, string[]?]> = [
  ['null body', null],
  ['an array', [request]],
  ['a string', 'hello'],
  ['wrong type', { ...request, type: 'microsoft.graph.authenticationEvent.attributeCollectionSubmit' }, ['type: unexpected value']],
  ['wrong data @odata.type', { ...request, data: { ...request.data, '@odata.type': 'microsoft.graph.onPasswordSubmitCalloutData' } }, ['data.@odata.type: unexpected value']],
  ['missing userSignUpInfo', withSignUpInfo(undefined), ['data.userSignUpInfo: expected object']],
  ['missing identities', withSignUpInfo({ attributes: request.data.userSignUpInfo.attributes }), ['data.userSignUpInfo.identities: expected array']],
  ['no identity', withSignUpInfo({ ...request.data.userSignUpInfo, identities: [] }), ['data.userSignUpInfo.identities: shorter than 1']],
  ['an identity without issuerAssignedId', withSignUpInfo({ ...request.data.userSignUpInfo, identities: [{ signInType: 'email', issuer: 'contoso.onmicrosoft.com' }] }), ['data.userSignUpInfo.identities.0.issuerAssignedId: expected string']],
  ['attributes as an array', withAttributes([givenName('x')]), ['data.userSignUpInfo.attributes: expected record']],
  ['10,000 attributes', withAttributes(tooMany), ['data.userSignUpInfo.attributes: longer than 100']],
  ['a 1 MB value', withAttributes({ givenName: givenName('a'.repeat(1024 * 1024)) }), ['data.userSignUpInfo.attributes.givenName.value: longer than 4096']],
  ['an object value', withAttributes({ givenName: givenName({ nested: 'x' }) }), ['data.userSignUpInfo.attributes.givenName.value: invalid']],
  ['an array value', withAttributes({ givenName: givenName(['Alumni', 'Faculty']) }), ['data.userSignUpInfo.attributes.givenName.value: invalid']],
  ['a number for a string attribute', withAttributes({ givenName: givenName(42) }), ['data.userSignUpInfo.attributes.givenName.value: expected string']],
  ['a fractional int64', withAttributes({ extension_0123_year: { '@odata.type': 'microsoft.graph.int64DirectoryAttributeValue', value: 20.5, attributeType: 'directorySchemaExtension' } }), ['data.userSignUpInfo.attributes.extension_0123_year.value: invalid']],
  ['an unknown attributeType', withAttributes({ givenName: { ...givenName('x'), attributeType: 'custom' } }), ['data.userSignUpInfo.attributes.givenName.attributeType: unexpected value']],
  ['a __proto__ attribute', withAttributes(JSON.parse('{"__proto__": {"@odata.type": "microsoft.graph.stringDirectoryAttributeValue", "value": "x", "attributeType": "builtIn"}}')), ['data.userSignUpInfo.attributes: not a valid attribute name']],
  ['a constructor attribute', withAttributes({ constructor: givenName('x') }), ['data.userSignUpInfo.attributes: not a valid attribute name']],
  ['an attribute name with spaces', withAttributes({ 'given name': givenName('x') }), ['data.userSignUpInfo.attributes: not a valid attribute name']],
  ['a 1 MB attribute name', withAttributes({ ['a'.repeat(1024 * 1024)]: givenName('x') }), ['data.userSignUpInfo.attributes: not a valid attribute name']],
  ['missing correlationId', { ...request, data: { ...request.data, authenticationContext: { ...(request.data.authenticationContext as object), correlationId: undefined } } }],
];

for (const [name, body, issues] of malformed) {
  test(`request: ${name} → ${EventErrorCode.REQUEST_INVALID}`, () => {
    const error = expectEventError(() => parseAttributeCollectionStartRequest(body, { tenantId }), EventErrorCode.REQUEST_INVALID);
    assert.equal(error.publicMessage, 'The request is not a valid OnAttributeCollectionStart event.');
    if (issues) assert.deepEqual(error.issues, issues);
    assert.ok(error.issues.length <= 10);
  });
}

test('request: a __proto__ attribute never reaches a prototype', () => {
  const body = withAttributes(JSON.parse('{"__proto__": {"polluted": true}}'));
  expectEventError(() => parseAttributeCollectionStartRequest(body, { tenantId }), EventErrorCode.REQUEST_INVALID);
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
});

test('request: issues name the path, never the rejected value or a rejected name', () => {
  const secret = 'hunter2-should-not-appear';
  for (const body of [
    withAttributes({ givenName: givenName({ password: secret }) }),
    withAttributes({ givenName: givenName(secret.repeat(1000)) }),
    withAttributes({ [`${secret} `]: givenName('x') }),
    withSignUpInfo({ ...request.data.userSignUpInfo, identities: [{ signInType: 'email', issuer: secret, issuerAssignedId: { secret } }] }),
  ]) {
    const error = expectEventError(() => parseAttributeCollectionStartRequest(body, { tenantId }), EventErrorCode.REQUEST_INVALID);
    for (const text of [error.message, error.publicMessage, ...error.issues, JSON.stringify(error)]) assert.ok(!text.includes(secret), text);
  }
});

const answers: Record<(typeof ATTRIBUTE_COLLECTION_START_ACTIONS)[number], AttributeCollectionStartAnswer> = {
  continueWithDefaultBehavior: { action: 'continueWithDefaultBehavior' },
  setPrefillValues: { action: 'setPrefillValues', inputs: { key1: 'value1,value2,value3', key2: true } },
  showBlockPage: { action: 'showBlockPage', title: 'Hold tight...', message: "Your access request is already processing. You'll be notified when your request has been approved." },
};

for (const action of ATTRIBUTE_COLLECTION_START_ACTIONS) {
  test(`response: ${action} equals the published example`, () => {
    const expected = readFixture(`attribute-collection-start.response.${action}.json`);
    const built = buildAttributeCollectionStartResponse(answers[action]);
    assert.deepEqual(built, expected);
    assert.equal(JSON.stringify(built), JSON.stringify(expected));
    assert.deepEqual(parseAttributeCollectionStartResponse(expected), expected);
    assert.equal(built.data.actions.length, 1);
    assert.equal(attributeCollectionStartActionOf(built.data.actions[0]?.['@odata.type'] ?? ''), action);
  });
}

test('response: setPrefillValues refuses a hostile or oversized prefill rather than send it', () => {
  const hostile: Array<Record<string, never>> = [
    JSON.parse('{"__proto__": "x"}'),
    { constructor: 'x' } as never,
    { 'given name': 'x' } as never,
    { givenName: 'a'.repeat(1024 * 1024) } as never,
    { givenName: { nested: true } } as never,
    Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`a${index}`, 'x'])) as never,
  ];
  for (const inputs of hostile) {
    expectEventError(() => buildAttributeCollectionStartResponse({ action: 'setPrefillValues', inputs }), EventErrorCode.RESPONSE_INVALID);
  }
});

test('response: title and message are cut to their limits', () => {
  const built = buildAttributeCollectionStartResponse({ action: 'showBlockPage', title: 't'.repeat(10_000), message: 'm'.repeat(10_000) });
  assert.equal(built.data.actions[0]?.title?.length, 256);
  assert.equal(built.data.actions[0]?.message?.length, 1024);
});

test('response: the server allow-list (JSON schema) lists exactly the documented fields', () => {
  const schema = z.toJSONSchema(attributeCollectionStartResponseSchema, { target: 'draft-7' }) as unknown as {
    properties: { data: { additionalProperties: boolean; properties: { actions: { items: { additionalProperties: boolean; properties: object } } } } };
  };
  assert.equal(schema.properties.data.additionalProperties, false);
  assert.equal(schema.properties.data.properties.actions.items.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties.data.properties.actions.items.properties), ['@odata.type', 'title', 'message', 'inputs']);
});

test('response: a body with another data type, or an unknown action, is told apart', () => {
  expectEventError(
    () => parseAttributeCollectionStartResponse({ data: { '@odata.type': 'microsoft.graph.onAttributeCollectionSubmitResponseData', actions: [] } }),
    EventErrorCode.RESPONSE_INVALID,
  );
  const unknown = parseAttributeCollectionStartResponse({
    data: { '@odata.type': 'microsoft.graph.onAttributeCollectionStartResponseData', actions: [{ '@odata.type': 'microsoft.graph.attributeCollectionSubmit.showValidationError' }] },
  });
  assert.equal(attributeCollectionStartActionOf(unknown.data.actions[0]?.['@odata.type'] ?? ''), undefined);
});

test('response: as a Fastify response schema, every documented answer goes out unchanged', async () => {
  const app = Fastify();
  const answer: { body: unknown } = { body: undefined };
  app.post('/answer', { schema: { response: { 200: z.toJSONSchema(attributeCollectionStartResponseSchema, { target: 'draft-7' }) } } }, async () => answer.body);
  try {
    for (const action of ATTRIBUTE_COLLECTION_START_ACTIONS) {
      answer.body = buildAttributeCollectionStartResponse(answers[action]);
      const response = await app.inject({ method: 'POST', url: '/answer' });
      assert.equal(response.body, JSON.stringify(readFixture(`attribute-collection-start.response.${action}.json`)));
    }
  } finally {
    await app.close();
  }
});
