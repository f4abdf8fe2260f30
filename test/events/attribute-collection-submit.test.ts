import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Fastify from 'fastify';
import { z } from 'zod';
import {
  ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS,
  EventErrorCode,
  attributeCollectionSubmitActionOf,
  attributeCollectionSubmitResponseSchema,
  buildAttributeCollectionSubmitResponse,
  parseAttributeCollectionStartRequest,
  parseAttributeCollectionSubmitRequest,
  parseAttributeCollectionSubmitResponse,
  signUpEmailOf,
  type AttributeCollectionSubmitAnswer,
  type EventError,
} from '../../src/events/index.js';
import { expectEventError } from './expect-event-error.js';

const fixtures = new URL('../fixtures/entra/', import.meta.url);
const readFixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
type Body = { type: string; data: Record<string, unknown> & { userSignUpInfo: { attributes: Record<string, unknown>; identities: unknown[] } } };
const request = readFixture('attribute-collection-submit.request.json') as Body;
const tenantId = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';


const withSignUpInfo = (info: unknown): Body => ({ ...request, data: { ...request.data, userSignUpInfo: info as Body['data']['userSignUpInfo'] } });
const withAttributes = (attributes: unknown) => withSignUpInfo({ ...request.data.userSignUpInfo, attributes });
const givenName = (value: unknown) => ({ '@odata.type': 'microsoft.graph.stringDirectoryAttributeValue', value, attributeType: 'builtIn' });

test('request: the published example parses, with the values the user typed and the verified e-mail', () => {
  const parsed = parseAttributeCollectionSubmitRequest(request, { tenantId });
  const info = parsed.data.userSignUpInfo;
  assert.equal(info.attributes.companyName?.value, 'Contoso University');
  assert.equal(info.attributes['extension_<appid>_universityGroups']?.value, 'Alumni,Faculty');
  assert.equal(signUpEmailOf(info), 'larissa.price@contoso.onmicrosoft.com');
});

test('request: each event parser refuses the other event', () => {
  const error = expectEventError(() => parseAttributeCollectionStartRequest(request, { tenantId }), EventErrorCode.REQUEST_INVALID);
  assert.deepEqual(error.issues, ['type: unexpected value', 'data.@odata.type: unexpected value']);
  const start = readFixture('attribute-collection-start.request.json');
  expectEventError(() => parseAttributeCollectionSubmitRequest(start, { tenantId }), EventErrorCode.REQUEST_INVALID);
});

test('request: another tenant is refused', () => {
  expectEventError(() => parseAttributeCollectionSubmitRequest(request, { tenantId: '11111111-2222-3333-4444-555555555555' }), EventErrorCode.TENANT_MISMATCH);
});

const malformed: Array<[string, unknown, string[]]> = [
  ['missing identities', withSignUpInfo({ attributes: request.data.userSignUpInfo.attributes }), ['data.userSignUpInfo.identities: expected array']],
  ['10,000 attributes', withAttributes(Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`a${index}`, givenName('x')]))), ['data.userSignUpInfo.attributes: longer than 100']],
  ['a 1 MB value', withAttributes({ givenName: givenName('v'.repeat(1024 * 1024)) }), ['data.userSignUpInfo.attributes.givenName.value: longer than 4096']],
  ['a boolean for a string attribute', withAttributes({ givenName: givenName(true) }), ['data.userSignUpInfo.attributes.givenName.value: expected string']],
  ['a __proto__ attribute', withAttributes(JSON.parse('{"__proto__": {"value": "x", "attributeType": "builtIn"}}')), ['data.userSignUpInfo.attributes: not a valid attribute name']],
  ['a prototype attribute', withAttributes({ prototype: givenName('x') }), ['data.userSignUpInfo.attributes: not a valid attribute name']],
  ['a 1 MB issuerAssignedId', withSignUpInfo({ ...request.data.userSignUpInfo, identities: [{ signInType: 'email', issuer: 'c', issuerAssignedId: 'a'.repeat(1024 * 1024) }] }), ['data.userSignUpInfo.identities.0.issuerAssignedId: longer than 512']],
  ['11 identities', withSignUpInfo({ ...request.data.userSignUpInfo, identities: Array.from({ length: 11 }, () => ({ signInType: 'email', issuer: 'c', issuerAssignedId: 'a@b.c' })) }), ['data.userSignUpInfo.identities: longer than 10']],
];

for (const [name, body, issues] of malformed) {
  test(`request: ${name} → ${EventErrorCode.REQUEST_INVALID}`, () => {
    const error = expectEventError(() => parseAttributeCollectionSubmitRequest(body, { tenantId }), EventErrorCode.REQUEST_INVALID);
    assert.equal(error.publicMessage, 'The request is not a valid OnAttributeCollectionSubmit event.');
    assert.deepEqual(error.issues, issues);
  });
}

const answers: Record<(typeof ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS)[number], AttributeCollectionSubmitAnswer> = {
  continueWithDefaultBehavior: { action: 'continueWithDefaultBehavior' },
  modifyAttributeValues: { action: 'modifyAttributeValues', attributes: { key1: 'value1,value2,value3', key2: true } },
  showBlockPage: { action: 'showBlockPage', title: 'Hold tight...', message: "Your access request is already processing. You'll be notified when your request has been approved." },
  showValidationError: {
    action: 'showValidationError',
    message: 'Please fix the below errors to proceed.',
    attributeErrors: { city: 'City cannot contain any numbers', 'extension_<appid>_graduationYear': 'Graduation year must be at least 4 digits' },
  },
};

for (const action of ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS) {
  test(`response: ${action} equals the published example`, () => {
    const expected = readFixture(`attribute-collection-submit.response.${action}.json`);
    const built = buildAttributeCollectionSubmitResponse(answers[action]);
    assert.deepEqual(built, expected);
    assert.equal(JSON.stringify(built), JSON.stringify(expected));
    assert.deepEqual(parseAttributeCollectionSubmitResponse(expected), expected);
    assert.equal(built.data.actions.length, 1);
    assert.equal(attributeCollectionSubmitActionOf(built.data.actions[0]?.['@odata.type'] ?? ''), action);
  });
}

test('response: modifyAttributeValues carries a legacy id as a string and refuses hostile maps', () => {
  const built = buildAttributeCollectionSubmitResponse({ action: 'modifyAttributeValues', attributes: { extension_00001111aaaa2222bbbb3333cccc4444_legacyId: '42', givenName: 'Casey' } });
  assert.deepEqual(built.data.actions[0]?.attributes, { extension_00001111aaaa2222bbbb3333cccc4444_legacyId: '42', givenName: 'Casey' });
  for (const attributes of [JSON.parse('{"__proto__": "x"}'), { constructor: 'x' }, { givenName: 'a'.repeat(4097) }, { 'a.b': 'x' }, { n: 1.5 }]) {
    expectEventError(() => buildAttributeCollectionSubmitResponse({ action: 'modifyAttributeValues', attributes }), EventErrorCode.RESPONSE_INVALID);
  }
  assert.equal(({} as { x?: unknown }).x, undefined);
});

test('response: showValidationError cuts each field error to the message limit and refuses a hostile field name', () => {
  const built = buildAttributeCollectionSubmitResponse({ action: 'showValidationError', message: 'm', attributeErrors: { city: 'e'.repeat(5000) } });
  assert.equal(built.data.actions[0]?.attributeErrors?.city?.length, 1024);
  expectEventError(
    () => buildAttributeCollectionSubmitResponse({ action: 'showValidationError', message: 'm', attributeErrors: JSON.parse('{"__proto__": "e"}') }),
    EventErrorCode.RESPONSE_INVALID,
  );
});

test('response: the server allow-list (JSON schema) lists exactly the documented fields', () => {
  const schema = z.toJSONSchema(attributeCollectionSubmitResponseSchema, { target: 'draft-7' }) as unknown as {
    properties: { data: { additionalProperties: boolean; properties: { actions: { items: { additionalProperties: boolean; properties: object } } } } };
  };
  assert.equal(schema.properties.data.additionalProperties, false);
  assert.equal(schema.properties.data.properties.actions.items.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties.data.properties.actions.items.properties), ['@odata.type', 'title', 'message', 'attributes', 'attributeErrors']);
});

test('response: an answer with another data type is refused; a start action is not a submit action', () => {
  expectEventError(
    () => parseAttributeCollectionSubmitResponse({ data: { '@odata.type': 'microsoft.graph.onAttributeCollectionStartResponseData', actions: [] } }),
    EventErrorCode.RESPONSE_INVALID,
  );
  assert.equal(attributeCollectionSubmitActionOf('microsoft.graph.attributeCollectionStart.setPrefillValues'), undefined);
});

test('response: as a Fastify response schema, every documented answer goes out unchanged and anything else is left out', async () => {
  const app = Fastify();
  const answer: { body: unknown } = { body: undefined };
  app.post('/answer', { schema: { response: { 200: z.toJSONSchema(attributeCollectionSubmitResponseSchema, { target: 'draft-7' }) } } }, async () => answer.body);
  try {
    for (const action of ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS) {
      answer.body = buildAttributeCollectionSubmitResponse(answers[action]);
      const response = await app.inject({ method: 'POST', url: '/answer' });
      assert.equal(response.body, JSON.stringify(readFixture(`attribute-collection-submit.response.${action}.json`)));
    }
    answer.body = { data: { ...buildAttributeCollectionSubmitResponse(answers.showBlockPage).data, nonce: 'n', debug: 'x' }, extra: 1 };
    const response = await app.inject({ method: 'POST', url: '/answer' });
    assert.equal(response.body, JSON.stringify(readFixture('attribute-collection-submit.response.showBlockPage.json')));
  } finally {
    await app.close();
  }
});
