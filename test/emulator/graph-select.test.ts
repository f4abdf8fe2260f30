import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { defineExtensionProperty } from '../support/flag-property.js';

const CLIENT_ID = '21111111-2222-4333-8444-555555555555';
const SECRET = 'emulator-client-secret';
/** Graph v1.0's default user properties (user-get.md). */
const DEFAULT_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'];

type Json = Record<string, unknown>;

describe('emulated Graph: $select on users, as strict as Graph v1.0', () => {
  let emulator: RunningEmulator;
  let token: string;
  let flag = '';
  let userId = '';
  const graph = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${emulator.url}/v1.0${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const filterFor = (email: string) => encodeURIComponent(`identities/any(c:c/issuerAssignedId eq '${email}' and c/issuer eq '${emulator.tenant.domain}')`);

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(CLIENT_ID, SECRET);
    flag = defineExtensionProperty(emulator);
    const response = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' }),
    });
    token = ((await response.json()) as { access_token: string }).access_token;
    const created = await graph('/users', {
      method: 'POST',
      body: JSON.stringify({
        displayName: 'Ada',
        mail: 'ada@contoso.example',
        identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'ada@contoso.example' }],
        passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Random-Initial-Password-1!' },
        [flag]: true,
      }),
    });
    assert.equal(created.status, 201);
    userId = String(created.body.id);
  });
  after(() => emulator.close());

  test('without $select a user is Graph\'s default set: no extension attribute, no lastPasswordChangeDateTime, no identities', async () => {
    const { status, body } = await graph(`/users/${userId}`);
    assert.equal(status, 200);
    assert.equal(body['@odata.context'], 'https://graph.microsoft.com/v1.0/$metadata#users/$entity');
    const { '@odata.context': _context, ...user } = body;
    assert.deepEqual(Object.keys(user).sort(), [...DEFAULT_PROPERTIES].sort());
    assert.equal(user.displayName, 'Ada');
    assert.deepEqual(user.businessPhones, []);
    assert.equal(user.jobTitle, null);
    const listed = await graph(`/users?$filter=${filterFor('ada@contoso.example')}`);
    const entry = (listed.body.value as Json[])[0]!;
    assert.deepEqual(Object.keys(entry).sort(), [...DEFAULT_PROPERTIES].sort());
    assert.ok(!(flag in entry) && !('identities' in entry) && !('lastPasswordChangeDateTime' in entry));
  });

  test('with $select exactly the selected properties, in any case, under their defined names', async () => {
    const select = `id,lastPasswordChangeDateTime,${flag.toUpperCase().replace('EXTENSION_', 'extension_')},identities,accountEnabled`;
    const { status, body } = await graph(`/users/${userId}?$select=${select}`);
    assert.equal(status, 200);
    const { '@odata.context': context, ...user } = body;
    assert.equal(context, `https://graph.microsoft.com/v1.0/$metadata#users(id,lastPasswordChangeDateTime,${flag.toUpperCase().replace('EXTENSION_', 'extension_')},identities,accountEnabled)/$entity`);
    assert.deepEqual(Object.keys(user).sort(), ['accountEnabled', flag, 'id', 'identities', 'lastPasswordChangeDateTime'].sort());
    assert.equal(user[flag], true);
    assert.equal(user.accountEnabled, true);
    assert.deepEqual(user.identities, [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'ada@contoso.example' }]);
    assert.equal(user.lastPasswordChangeDateTime, emulator.directory.getUser(userId)!.lastPasswordChangeDateTime);
    // Property names are case-insensitive; the answer spells them as defined.
    assert.deepEqual(Object.keys((await graph(`/users/${userId}?$select=DISPLAYNAME`)).body).filter((key) => !key.startsWith('@')), ['displayName']);
    // A property the emulator does not hold is selected as Graph shows an unset one.
    assert.deepEqual((await graph(`/users/${userId}?$select=city,otherMails`)).body, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(city,otherMails)/$entity', city: null, otherMails: [] });
  });

  test('lastPasswordChangeDateTime moves when the password changes; an unset extension is left out', async () => {
    const before = (await graph(`/users/${userId}?$select=lastPasswordChangeDateTime`)).body.lastPasswordChangeDateTime as string;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // Graph's times are to the second
    await emulator.directory.setPassword(userId, CANARY_PASSWORDS.correct);
    const afterChange = (await graph(`/users/${userId}?$select=lastPasswordChangeDateTime`)).body.lastPasswordChangeDateTime as string;
    assert.ok(Date.parse(afterChange) > Date.parse(before), `${afterChange} after ${before}`);
    emulator.directory.setExtensionAttribute(userId, flag, null);
    assert.deepEqual(Object.keys((await graph(`/users/${userId}?$select=id,${flag}`)).body).filter((key) => !key.startsWith('@')), ['id']);
    emulator.directory.setExtensionAttribute(userId, flag, true);
  });

  test('an unknown property is Graph\'s 400 BadRequest naming it; a term that is not a name is refused; an undefined extension returns nothing', async () => {
    const unknown = await graph(`/users/${userId}?$select=id,lastPasswordChanged`);
    assert.equal(unknown.status, 400);
    const error = unknown.body.error as { code: string; message: string };
    assert.equal(error.code, 'BadRequest');
    assert.equal(error.message, "Parsing OData Select and Expand failed: Could not find a property named 'lastPasswordChanged' on type 'microsoft.graph.user'.");
    assert.equal((await graph(`/users?$filter=${filterFor('ada@contoso.example')}&$select=nope`)).status, 400);
    assert.equal((await graph('/users?$select=nope')).status, 400);
    const term = await graph(`/users/${userId}?$select=${encodeURIComponent("id,extension_a3500000-f000_x")}`);
    assert.equal(term.status, 400);
    assert.match((term.body.error as { message: string }).message, /^Parsing OData Select and Expand failed: Term '.*' is not valid in a \$select or \$expand expression\.$/);
    const hostile = await graph(`/users/${userId}?$select=${'a,'.repeat(5000)}id`);
    assert.equal(hostile.status, 400);
    assert.ok(JSON.stringify(hostile.body).length < 1000, 'the refusal does not echo a huge query');
    const undefinedExtension = await graph(`/users/${userId}?$select=id,extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_other`);
    assert.equal(undefinedExtension.status, 200);
    assert.deepEqual(Object.keys(undefinedExtension.body).filter((key) => !key.startsWith('@')), ['id']);
  });

  test('inside $batch: each GET answers for its own $select, an unknown property is that request\'s 400', async () => {
    const { status, body } = await graph('/$batch', {
      method: 'POST',
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: `/users/${userId}` },
          { id: '2', method: 'GET', url: `/users/${userId}?$select=id,${flag},lastPasswordChangeDateTime` },
          { id: '3', method: 'GET', url: `/users?$filter=${filterFor('ada@contoso.example')}&$select=id,identities` },
          { id: '4', method: 'GET', url: `/users/${userId}?$select=id,bogus` },
        ],
      }),
    });
    assert.equal(status, 200);
    const responses = new Map((body.responses as Array<{ id: string; status: number; body: Json }>).map((entry) => [entry.id, entry]));
    assert.ok(!(flag in responses.get('1')!.body));
    assert.deepEqual(Object.keys(responses.get('2')!.body).filter((key) => !key.startsWith('@')).sort(), [flag, 'id', 'lastPasswordChangeDateTime'].sort());
    assert.equal(responses.get('2')!.body[flag], true);
    assert.deepEqual(Object.keys((responses.get('3')!.body.value as Json[])[0]!).sort(), ['id', 'identities']);
    assert.equal(responses.get('3')!.body['@odata.context'], 'https://graph.microsoft.com/v1.0/$metadata#users(id,identities)');
    assert.equal(responses.get('4')!.status, 400);
    assert.equal((responses.get('4')!.body.error as { code: string }).code, 'BadRequest');
  });

  test('paging keeps the $select in @odata.nextLink', async () => {
    for (let i = 0; i < 3; i++) {
      await emulator.directory.createUser({ displayName: `P${i}`, identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: `p${i}@contoso.example` }], password: 'Random-Initial-Password-1!' });
    }
    const first = await graph('/users?$top=2&$select=id,createdDateTime');
    const nextLink = first.body['@odata.nextLink'] as string;
    assert.match(nextLink, /\$select=id%2CcreatedDateTime/);
    const next = await fetch(nextLink, { headers: { authorization: `Bearer ${token}` } });
    const page = (await next.json()) as { value: Json[] };
    assert.ok(page.value.length > 0);
    for (const user of page.value) assert.deepEqual(Object.keys(user).sort(), ['createdDateTime', 'id']);
  });
});
