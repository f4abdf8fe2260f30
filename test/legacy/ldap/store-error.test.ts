import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BusyError,
  ConfidentialityRequiredError,
  InsufficientAccessError,
  InvalidCredentialsError,
  InvalidDNSyntaxError,
  NoSuchObjectError,
  OperationsError,
  ProtocolError,
  StrongAuthRequiredError,
  TimeLimitExceededError,
  UnavailableError,
  UnknownStatusCodeError,
} from 'ldapts';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../../src/legacy/errors.js';
import { ldapStoreError, type LdapStage } from '../../../src/legacy/stores/ldap/store-error.js';

const url = new URL('ldaps://dc1.corp.example.org:636');
const { MISCONFIGURED, UNAVAILABLE, TIMEOUT, ANSWER_INVALID } = LegacyStoreErrorCode;

function mapped(error: unknown, stage: LdapStage): { code: string; message: string; publicMessage: string } {
  const result = ldapStoreError(error, stage, url);
  assert.ok(result instanceof LegacyStoreError);
  return { code: result.code, message: result.message, publicMessage: result.publicMessage };
}

test('the directory refusing us names the setting to fix (RFC 4511 result codes)', () => {
  const cases: [unknown, LdapStage, string, RegExp][] = [
    [new InvalidCredentialsError('80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 775, v3839'), 'service bind', MISCONFIGURED, /LEGACY_LDAP_BIND_DN and LEGACY_LDAP_BIND_PASSWORD/],
    [new StrongAuthRequiredError('00002028: LdapErr: DSID-0C090256, comment: The server requires binds to turn on integrity checking'), 'service bind', MISCONFIGURED, /ldaps:\/\/ in LEGACY_LDAP_URL, or set LEGACY_LDAP_STARTTLS=true/],
    [new ConfidentialityRequiredError('TLS confidentiality required'), 'user bind', MISCONFIGURED, /LEGACY_LDAP_STARTTLS/],
    [new NoSuchObjectError('0000208D: NameErr: DSID-03100241, problem 2001 (NO_OBJECT)'), 'search', MISCONFIGURED, /LEGACY_LDAP_SEARCH_BASE/],
    [new InvalidDNSyntaxError('invalid DN'), 'search', MISCONFIGURED, /LEGACY_LDAP_SEARCH_BASE/],
    [new InvalidDNSyntaxError('invalid DN'), 'user bind', MISCONFIGURED, /LEGACY_LDAP_USER_DN_TEMPLATE/],
    [new InsufficientAccessError(''), 'search', MISCONFIGURED, /LEGACY_LDAP_BIND_DN's rights on LEGACY_LDAP_SEARCH_BASE/],
    [new UnknownStatusCodeError(87, 'bad filter'), 'search', MISCONFIGURED, /LEGACY_LDAP_SEARCH_FILTER/],
    [new ProtocolError('unsupported extended operation'), 'StartTLS', MISCONFIGURED, /LEGACY_LDAP_STARTTLS and LEGACY_LDAP_URL/],
    [Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'StartTLS', MISCONFIGURED, /LEGACY_LDAP_CA_FILE/],
    [Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'search', MISCONFIGURED, /host name in LEGACY_LDAP_URL/],
  ];
  for (const [error, stage, code, pattern] of cases) {
    const result = mapped(error, stage);
    assert.equal(result.code, code, `${(error as Error).name} at ${stage}`);
    assert.match(result.publicMessage, pattern);
    assert.match(result.message, pattern);
    assert.match(result.publicMessage, /dc1\.corp\.example\.org:636/);
  }
});

test('the directory failing is UNAVAILABLE or TIMEOUT; an answer with no meaning here is ANSWER_INVALID', () => {
  assert.equal(mapped(new BusyError('busy'), 'search').code, UNAVAILABLE);
  assert.equal(mapped(new UnavailableError('shutting down'), 'user bind').code, UNAVAILABLE);
  assert.equal(mapped(new TimeLimitExceededError(''), 'search').code, TIMEOUT);
  assert.equal(mapped(new OperationsError('internal'), 'user bind').code, ANSWER_INVALID);
  assert.equal(mapped(new NoSuchObjectError(''), 'user bind').code, ANSWER_INVALID);
  assert.equal(mapped(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:636'), { code: 'ECONNREFUSED' }), 'service bind').code, UNAVAILABLE);
  assert.equal(mapped(new Error('Connection closed before message response was received. Message type: SearchRequest (0x63)'), 'search').code, UNAVAILABLE);
  assert.equal(mapped('a string', 'search').code, UNAVAILABLE);
});

test('the server\'s diagnostic text never reaches the error (it may repeat the DN or filter, so the name typed)', () => {
  const error = new NoSuchObjectError("0000208D: NameErr: DSID-03100241, problem 2001 (NO_OBJECT), best match of: 'uid=ada@example.org'");
  const result = ldapStoreError(error, 'search', url);
  assert.doesNotMatch(result.message, /ada|NameErr|best match/);
  assert.doesNotMatch(result.publicMessage, /ada|NameErr/);
  assert.equal(result.cause, undefined);
  assert.match(result.message, /result 32/);
  const ad = ldapStoreError(new InvalidCredentialsError('80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 775, v3839'), 'service bind', url);
  assert.match(ad.message, /result 49, AD data 775/);
});

test('a LegacyStoreError passes through unchanged', () => {
  const original = new LegacyStoreError(TIMEOUT, 'late');
  assert.equal(ldapStoreError(original, 'search', url), original);
});
