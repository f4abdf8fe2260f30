import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTenant } from '../../../src/emulator/index.js';
import { MAX_CLAIMS_SCHEMA_ENTRIES, MAX_POLICY_DEFINITION_LENGTH, readCustomClaimMappings } from '../../../src/emulator/events/claims-mapping.js';
import { mintIdToken } from '../../../src/emulator/events/id-token.js';
import { judgeOtpSendAnswer } from '../../../src/emulator/events/otp-send.js';
import { judgeTokenIssuanceStartAnswer } from '../../../src/emulator/events/token-issuance.js';
import { AnswerRefusal } from '../../../src/emulator/events/event-callout.js';
import { CalloutErrorCode } from '../../../src/emulator/index.js';

const policy = (schema: unknown) => JSON.stringify({ ClaimsMappingPolicy: { Version: 1, IncludeBasicClaimSet: 'true', ClaimsSchema: schema } });

describe('claims mapping policies: the CustomClaimsProvider entries', () => {
  test('reads ID → JwtClaimType of CustomClaimsProvider entries (Source in any case), skipping other sources', () => {
    const reading = readCustomClaimMappings(policy([
      { Source: 'CustomClaimsProvider', ID: 'DateOfBirth', JwtClaimType: 'dob' },
      { Source: 'customclaimsprovider', ID: 'CustomRoles', JwtClaimType: 'my_roles' },
      { Source: 'user', ID: 'employeeid', JwtClaimType: 'employee_id' },
    ]));
    assert.deepEqual(reading, { ok: true, mappings: [{ id: 'DateOfBirth', jwtClaimType: 'dob' }, { id: 'CustomRoles', jwtClaimType: 'my_roles' }] });
    assert.deepEqual(readCustomClaimMappings(JSON.stringify({ ClaimsMappingPolicy: { Version: 1 } })), { ok: true, mappings: [] });
  });

  test('malformed definitions are refused, never thrown', () => {
    for (const definition of [undefined, null, 42, '', '{', '[]"', 'null']) {
      const reading = readCustomClaimMappings(definition);
      if (definition === 'null') assert.deepEqual(reading, { ok: true, mappings: [] });
      else assert.equal(reading.ok, false, String(definition));
    }
    assert.equal(readCustomClaimMappings(JSON.stringify({ ClaimsMappingPolicy: { ClaimsSchema: 'everything' } })).ok, false);
  });

  test('oversized definitions and schemas are refused before any work', () => {
    assert.equal(readCustomClaimMappings(' '.repeat(MAX_POLICY_DEFINITION_LENGTH + 1)).ok, false);
    const many = Array.from({ length: MAX_CLAIMS_SCHEMA_ENTRIES + 1 }, (_, index) => ({ Source: 'CustomClaimsProvider', ID: `c${index}`, JwtClaimType: `c${index}` }));
    assert.equal(readCustomClaimMappings(policy(many)).ok, false);
  });

  test('hostile entries are skipped: prototype names, restricted claims, names that are not claim names, non-strings', () => {
    const reading = readCustomClaimMappings(policy([
      { Source: 'CustomClaimsProvider', ID: '__proto__', JwtClaimType: 'x' },
      { Source: 'CustomClaimsProvider', ID: 'a', JwtClaimType: '__proto__' },
      { Source: 'CustomClaimsProvider', ID: 'b', JwtClaimType: 'aud' },
      { Source: 'CustomClaimsProvider', ID: 'c', JwtClaimType: 'SUB' },
      { Source: 'CustomClaimsProvider', ID: 'd', JwtClaimType: 'has space' },
      { Source: 'CustomClaimsProvider', ID: { toString: 'e' }, JwtClaimType: 'e' },
      { Source: ['CustomClaimsProvider'], ID: 'f', JwtClaimType: 'f' },
      null,
      'CustomClaimsProvider',
      { Source: 'CustomClaimsProvider', ID: 'ok', JwtClaimType: 'fine' },
    ]));
    assert.deepEqual(reading, { ok: true, mappings: [{ id: 'ok', jwtClaimType: 'fine' }] });
  });
});

describe('id tokens', () => {
  test("mapped claims never replace the token's own claims", async () => {
    const tenant = await createTenant();
    const user = { id: 'b8a1a2c4-0000-4000-8000-000000000001', displayName: 'Ada', givenName: null, surname: null, mail: 'ada@contoso.example', userPrincipalName: 'ada@contoso.onmicrosoft.com', accountEnabled: true, createdDateTime: '2026-01-01T00:00:00Z', lastPasswordChangeDateTime: '2026-01-01T00:00:00Z', identities: [] };
    const { claims } = await mintIdToken(tenant, { user, clientAppId: 'a0000000-0000-4000-8000-000000000002', now: Date.UTC(2026, 0, 2), mappedClaims: { oid: 'forged', tier: 'gold' } });
    assert.equal(claims.oid, user.id);
    assert.equal(claims.tier, 'gold');
    assert.equal(claims.iss, tenant.issuer);
    assert.equal(claims.exp, Date.UTC(2026, 0, 2) / 1000 + 3600);
  });
});

describe('answers judged as Entra judges them', () => {
  const codeOf = (judge: () => unknown) => {
    try {
      judge();
    } catch (error) {
      assert.ok(error instanceof AnswerRefusal);
      return error.errorCode;
    }
    return undefined;
  };
  const claims = (value: unknown, actions = 1) => ({ data: { '@odata.type': 'microsoft.graph.onTokenIssuanceStartResponseData', actions: Array.from({ length: actions }, () => ({ '@odata.type': 'microsoft.graph.tokenIssuanceStart.provideClaimsForToken', claims: value })) } });

  test('OnTokenIssuanceStart', () => {
    assert.deepEqual(judgeTokenIssuanceStartAnswer(claims({ a: 'b', c: ['d'] })), { a: 'b', c: ['d'] });
    assert.equal(codeOf(() => judgeTokenIssuanceStartAnswer(claims(null))), CalloutErrorCode.NULL_CLAIMS_BAG);
    assert.equal(codeOf(() => judgeTokenIssuanceStartAnswer(claims(undefined))), CalloutErrorCode.NULL_CLAIMS_BAG);
    assert.equal(codeOf(() => judgeTokenIssuanceStartAnswer(claims({}, 3))), CalloutErrorCode.INVALID_ACTION_COUNT);
    assert.equal(codeOf(() => judgeTokenIssuanceStartAnswer(JSON.parse('{"data":{"@odata.type":"microsoft.graph.onTokenIssuanceStartResponseData","actions":[{"@odata.type":"microsoft.graph.tokenIssuanceStart.provideClaimsForToken","claims":{"__proto__":"x"}}]}}'))), CalloutErrorCode.INVALID_RESPONSE_BODY);
    assert.equal(codeOf(() => judgeTokenIssuanceStartAnswer(claims({ big: 'x'.repeat(4 * 1024) }))), CalloutErrorCode.INVALID_RESPONSE_BODY);
    assert.equal(codeOf(() => judgeTokenIssuanceStartAnswer(claims({ flag: true }))), CalloutErrorCode.INVALID_RESPONSE_BODY);
    assert.equal(codeOf(() => judgeTokenIssuanceStartAnswer([])), CalloutErrorCode.INVALID_RESPONSE_BODY);
    assert.equal(codeOf(() => judgeTokenIssuanceStartAnswer(null)), CalloutErrorCode.INVALID_RESPONSE_BODY);
  });

  test('OnOtpSend', () => {
    const answer = (type: string, actions = 1) => ({ data: { '@odata.type': 'microsoft.graph.OnOtpSendResponseData', actions: Array.from({ length: actions }, () => ({ '@odata.type': type })) } });
    assert.equal(judgeOtpSendAnswer(answer('microsoft.graph.OtpSend.continueWithDefaultBehavior')), 'continueWithDefaultBehavior');
    assert.equal(codeOf(() => judgeOtpSendAnswer(answer('microsoft.graph.OtpSend.continueWithDefaultBehavior', 0))), CalloutErrorCode.INVALID_ACTION_COUNT);
    assert.equal(codeOf(() => judgeOtpSendAnswer(answer('microsoft.graph.OtpSend.other'))), CalloutErrorCode.INVALID_ACTION_TYPE);
    assert.equal(codeOf(() => judgeOtpSendAnswer(answer('x'.repeat(300)))), CalloutErrorCode.INVALID_RESPONSE_BODY);
    assert.equal(codeOf(() => judgeOtpSendAnswer({ data: { '@odata.type': 'microsoft.graph.onOtpSendResponseData', actions: [] } })), CalloutErrorCode.INVALID_RESPONSE_BODY);
    assert.equal(codeOf(() => judgeOtpSendAnswer('ok')), CalloutErrorCode.INVALID_RESPONSE_BODY);
  });
});
