import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { defineExtensionProperty } from '../support/flag-property.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'emulator-client-secret';
/** An attribute no extension property defines: made up, as a mistyped MIGRATION_FLAG_ATTRIBUTE would be. */
const MADE_UP_FLAG = 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated';
let FLAG = '';

describe('emulated Microsoft Graph', () => {
  let emulator: RunningEmulator;
  let token: string;
  const graph = (path: string, init: RequestInit = {}) =>
    fetch(`${emulator.url}/v1.0${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  const newUser = (email: string, extra: Record<string, unknown> = {}) => ({
    displayName: email,
    mail: email,
    identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }],
    passwordProfile: { forceChangePasswordNextSignIn: false, password: 'Random-Initial-Password-1!' },
    passwordPolicies: 'DisablePasswordExpiration',
    [FLAG]: true,
    ...extra,
  });

  before(async () => {
    emulator = await startEmulator({ port: 0, graph: { writeBudget: { perApp: 30, perTenant: 100, windowInMs: 60_000 } } });
    emulator.registerClientApp(CLIENT_ID, SECRET);
    FLAG = defineExtensionProperty(emulator);
    const response = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' }),
    });
    assert.equal(response.status, 200);
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  after(() => emulator.close());

  test('the token endpoint refuses a wrong secret; Graph refuses a missing or foreign token', async () => {
    const wrong = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'nope', scope: 'x' }),
    });
    assert.equal(wrong.status, 401);
    assert.equal((await fetch(`${emulator.url}/v1.0/users`)).status, 401);
    assert.equal((await fetch(`${emulator.url}/v1.0/users`, { headers: { authorization: 'Bearer e30.e30.' } })).status, 401);
  });

  test('a created user is found by identity and by mail, with the flag; the same identity again is Graph\'s conflict', async () => {
    const created = await graph('/users', { method: 'POST', body: JSON.stringify(newUser('ada@contoso.example')) });
    assert.equal(created.status, 201);
    const user = (await created.json()) as Record<string, unknown>;
    assert.equal(user[FLAG], true);
    const filter = encodeURIComponent(`identities/any(c:c/issuerAssignedId eq 'ADA@contoso.example' and c/issuer eq '${emulator.tenant.domain}')`);
    const found = (await (await graph(`/users?$filter=${filter}`)).json()) as { value: Array<{ id: string }> };
    assert.deepEqual(found.value.map((entry) => entry.id), [user.id]);
    const byMail = (await (await graph(`/users?$filter=${encodeURIComponent("mail eq 'ada@contoso.example'")}`)).json()) as { value: unknown[] };
    assert.equal(byMail.value.length, 1);
    const again = await graph('/users', { method: 'POST', body: JSON.stringify(newUser('ada@contoso.example')) });
    assert.equal(again.status, 400);
    assert.match(((await again.json()) as { error: { message: string } }).error.message, /another object with the same value for property identities already exists/i);
    assert.equal((await graph(`/users?$filter=${encodeURIComponent('startswith(displayName,\'a\')')}`)).status, 400);
  });

  test('a password against the policy is refused; a user signs in with the password set through Graph', async () => {
    const weak = await graph('/users', { method: 'POST', body: JSON.stringify(newUser('weak@contoso.example', { passwordProfile: { password: 'weak' } })) });
    assert.equal(weak.status, 400);
    const known = await graph('/users', { method: 'POST', body: JSON.stringify(newUser('known@contoso.example', { passwordProfile: { password: CANARY_PASSWORDS.correct }, [FLAG]: false })) });
    assert.equal(known.status, 201);
    assert.deepEqual(await emulator.signIn.signIn({ username: 'known@contoso.example', password: CANARY_PASSWORDS.correct }), { outcome: 'signed-in', migrated: false });
  });

  test('$batch runs up to 20 requests, each with its own status; dependsOn fails with 424; more than 20 is refused', async () => {
    const response = await graph('/$batch', {
      method: 'POST',
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'POST', url: '/users', body: newUser('b1@contoso.example') },
          { id: '2', method: 'POST', url: '/users', body: newUser('ada@contoso.example') },
          { id: '3', method: 'POST', url: '/users', dependsOn: ['2'], body: newUser('b3@contoso.example') },
          { id: '4', method: 'GET', url: `/users?$filter=${encodeURIComponent("mail eq 'b1@contoso.example'")}` },
        ],
      }),
    });
    assert.equal(response.status, 200);
    const { responses } = (await response.json()) as { responses: Array<{ id: string; status: number }> };
    assert.deepEqual(responses.map((entry) => [entry.id, entry.status]), [['1', 201], ['2', 400], ['3', 424], ['4', 200]]);
    const tooMany = await graph('/$batch', { method: 'POST', body: JSON.stringify({ requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' })) }) });
    assert.equal(tooMany.status, 400);
  });

  test('an extension attribute no extension property defines is Graph\'s 400, on create and on update; nothing is stored', async () => {
    const created = await graph('/users', { method: 'POST', body: JSON.stringify(newUser('madeup@contoso.example', { [FLAG]: undefined, [MADE_UP_FLAG]: true })) });
    assert.equal(created.status, 400);
    assert.deepEqual(((await created.json()) as { error: { code: string; message: string } }).error.code, 'Request_BadRequest');
    const again = await graph('/users', { method: 'POST', body: JSON.stringify(newUser('madeup@contoso.example', { [FLAG]: undefined, [MADE_UP_FLAG]: true })) });
    assert.equal(((await again.json()) as { error: { message: string } }).error.message, `The following extension properties are not available: ${MADE_UP_FLAG}.`);
    assert.equal(emulator.directory.findUserBySignInName('madeup@contoso.example'), undefined);

    const user = (await (await graph('/users', { method: 'POST', body: JSON.stringify(newUser('typed@contoso.example')) })).json()) as { id: string };
    const patch = (body: unknown) => graph(`/users/${user.id}`, { method: 'PATCH', body: JSON.stringify(body) });
    const unknown = await patch({ [FLAG]: false, [MADE_UP_FLAG]: false });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /extension properties are not available/);
    assert.equal(emulator.directory.getExtensionAttributes(user.id)[FLAG], true, 'the whole PATCH was refused');
    // The value must be of the property's type: a String for a Boolean property is refused.
    const wrongType = await patch({ [FLAG]: 'false' });
    assert.equal(wrongType.status, 400);
    assert.equal(((await wrongType.json()) as { error: { message: string } }).error.message, `Invalid value specified for property '${FLAG}' of resource 'User'.`);
    assert.equal((await graph('/users', { method: 'POST', body: JSON.stringify(newUser('typed2@contoso.example', { [FLAG]: 1 })) })).status, 400);
    // Names match case-insensitively and are stored under the defined name.
    assert.equal((await patch({ [FLAG.toUpperCase().replace('EXTENSION_', 'extension_')]: false })).status, 204);
    assert.equal(emulator.directory.getExtensionAttributes(user.id)[FLAG], false);
    // A weak password is refused on update too.
    assert.equal((await patch({ passwordProfile: { password: 'weak' } })).status, 400);
  });

  test('PATCH /users/{id} changes names, mail, accountEnabled and the identities collection as Graph does, and refuses what Graph refuses', async () => {
    // An emulator of its own: these writes must not eat the shared one's small budget.
    const own = await startEmulator({ port: 0 });
    try {
      own.registerClientApp(CLIENT_ID, SECRET);
      const ownFlag = defineExtensionProperty(own);
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' });
      const ownToken = ((await (await fetch(`${own.url}/${own.tenant.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json()) as { access_token: string }).access_token;
      const call = (path: string, method = 'GET', body?: unknown) =>
        fetch(`${own.url}/v1.0${path}`, { method, headers: { authorization: `Bearer ${ownToken}`, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
      const principal = { signInType: 'userPrincipalName', issuer: own.tenant.domain, issuerAssignedId: `ada@${own.tenant.domain}` };
      const email = (address: string) => ({ signInType: 'emailAddress', issuer: own.tenant.domain, issuerAssignedId: address });
      const create = async (address: string, identities: unknown[]) =>
        ((await (await call('/users', 'POST', { displayName: address, mail: address, identities, passwordProfile: { password: 'Random-Initial-Password-1!' }, [ownFlag]: true })).json()) as { id: string }).id;
      const ada = await create('ada@contoso.example', [email('ada@contoso.example'), principal]);
      await create('bob@contoso.example', [email('bob@contoso.example')]);
      const select = async () => (await (await call(`/users/${ada}?$select=displayName,givenName,surname,mail,accountEnabled,identities`)).json()) as Record<string, unknown>;
      const refused = async (body: unknown, code: string, message: RegExp) => {
        const response = await call(`/users/${ada}`, 'PATCH', body);
        assert.equal(response.status, 400, JSON.stringify(body));
        const error = ((await response.json()) as { error: { code: string; message: string } }).error;
        assert.equal(error.code, code);
        assert.match(error.message, message);
      };

      assert.equal((await call(`/users/${ada}`, 'PATCH', { displayName: 'Ada King', givenName: 'Ada', surname: 'King', mail: 'ada.king@contoso.example', accountEnabled: false, identities: [email('ada.king@contoso.example'), principal] })).status, 204);
      assert.deepEqual(await select(), {
        '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users(displayName,givenName,surname,mail,accountEnabled,identities)/$entity`,
        displayName: 'Ada King',
        givenName: 'Ada',
        surname: 'King',
        mail: 'ada.king@contoso.example',
        accountEnabled: false,
        identities: [email('ada.king@contoso.example'), principal],
      });
      // The collection was replaced: the old address finds nobody, the new one finds her; mail filters follow.
      const byIdentity = async (address: string) =>
        ((await (await call(`/users?$filter=${encodeURIComponent(`identities/any(c:c/issuerAssignedId eq '${address}' and c/issuer eq '${own.tenant.domain}')`)}`)).json()) as { value: Array<{ id: string }> }).value.map((user) => user.id);
      assert.deepEqual(await byIdentity('ada@contoso.example'), []);
      assert.deepEqual(await byIdentity('ada.king@contoso.example'), [ada]);
      assert.deepEqual(((await (await call(`/users?$filter=${encodeURIComponent("mail eq 'ada.king@contoso.example'")}`)).json()) as { value: Array<{ id: string }> }).value.map((user) => user.id), [ada]);
      // The freed address can be created again; the new one conflicts.
      assert.equal((await call('/users', 'POST', { displayName: 'x', identities: [email('ada.king@contoso.example')], passwordProfile: { password: 'Random-Initial-Password-1!' } })).status, 400);

      await refused({ city: 'Paris' }, 'BadRequest', /Property 'city' does not exist on type 'microsoft\.graph\.user'/);
      await refused({ displayName: '' }, 'Request_BadRequest', /Invalid value specified for property 'displayName'/);
      await refused({ accountEnabled: 'yes' }, 'Request_BadRequest', /'accountEnabled'/);
      await refused({ mail: 'not-an-address' }, 'Request_BadRequest', /'mail'/);
      await refused({ identities: [email('ada.king@contoso.example')] }, 'Request_BadRequest', /userPrincipalName identity/);
      await refused({ identities: [email('bob@contoso.example'), principal] }, 'Request_BadRequest', /Another object with the same value for property identities already exists/);
      await refused({ identities: [] }, 'Request_BadRequest', /'identities'/);
      // Refused whole: a good property beside a bad one changes nothing.
      await refused({ displayName: 'Changed', city: 'Paris' }, 'BadRequest', /city/);
      assert.equal((await select()).displayName, 'Ada King');
      assert.equal((await call(`/users/${ada}`, 'PATCH', { givenName: null })).status, 204);
      assert.equal((await select()).givenName, null);
    } finally {
      await own.close();
    }
  });

  test('writes beyond the app\'s budget are 429 with Retry-After, inside a batch too', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 30; i++) {
      const response = await graph('/users', { method: 'POST', body: JSON.stringify(newUser(`t${i}@contoso.example`)) });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    assert.ok(statuses.includes(429), JSON.stringify(statuses));
    assert.match(String(retryAfter), /^\d+$/);
    const batch = (await (await graph('/$batch', { method: 'POST', body: JSON.stringify({ requests: [{ id: 'x', method: 'POST', url: '/users', body: newUser('late@contoso.example') }] }) })).json()) as {
      responses: Array<{ status: number; headers: Record<string, string> }>;
    };
    assert.equal(batch.responses[0]!.status, 429);
    assert.match(batch.responses[0]!.headers['retry-after']!, /^\d+$/);
  });

  test('injected faults answer writes with 503 and Retry-After', async () => {
    const other = await startEmulator({ port: 0, graph: { faults: { serviceUnavailableRate: 1 } } });
    try {
      other.registerClientApp(CLIENT_ID, SECRET);
      const tokenResponse = await fetch(`${other.url}/${other.tenant.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'x' }),
      });
      const otherToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
      const response = await fetch(`${other.url}/v1.0/users`, { method: 'POST', headers: { authorization: `Bearer ${otherToken}`, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '1');
    } finally {
      await other.close();
    }
  });
});

describe('emulated Microsoft Graph: authentication methods and the directory quota', () => {
  let emulator: RunningEmulator;
  let token: string;
  const graph = (path: string, init: RequestInit = {}) =>
    fetch(`${emulator.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  const post = (path: string, body: unknown) => graph(path, { method: 'POST', body: JSON.stringify(body) });

  before(async () => {
    emulator = await startEmulator({ port: 0, graph: { directoryQuota: 1234 } });
    emulator.registerClientApp(CLIENT_ID, SECRET);
    const response = await fetch(`${emulator.url}/${emulator.tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'https://graph.microsoft.com/.default' }),
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  after(() => emulator.close());

  test('one e-mail method and one phone method per type, with Graph\'s fixed ids; a second is refused as existing', async () => {
    const user = await emulator.directory.createUser({ displayName: 'M', identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'm@contoso.example' }], password: 'Random-Initial-Password-1!' });
    const base = `/v1.0/users/${user.id}/authentication`;
    const email = await post(`${base}/emailMethods`, { emailAddress: 'm@contoso.example' });
    assert.equal(email.status, 201);
    assert.deepEqual(await email.json(), { id: '3ddfcfc8-9383-446f-83cc-3ab9be4be18f', emailAddress: 'm@contoso.example' });
    const again = await post(`${base}/emailMethods`, { emailAddress: 'other@contoso.example' });
    assert.equal(again.status, 400);
    assert.match(((await again.json()) as { error: { message: string } }).error.message, /already exists/);
    const phone = await post(`${base}/phoneMethods`, { phoneNumber: '+1 2065550100', phoneType: 'mobile' });
    assert.equal(phone.status, 201);
    assert.equal(((await phone.json()) as { id: string }).id, '3179e48a-750b-4051-897c-87b9720928f7');
    const listed = (await (await graph(`${base}/methods`)).json()) as { value: Array<Record<string, unknown>> };
    assert.deepEqual(listed.value.map((method) => method['@odata.type']), ['#microsoft.graph.emailAuthenticationMethod', '#microsoft.graph.phoneAuthenticationMethod']);
  });

  test('malformed method bodies are 400, an unknown user 404, a missing token 401', async () => {
    const user = await emulator.directory.createUser({ displayName: 'N', identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: 'n@contoso.example' }], password: 'Random-Initial-Password-1!' });
    const base = `/v1.0/users/${user.id}/authentication`;
    for (const body of [{}, { emailAddress: 'no-at-sign' }, { emailAddress: 42 }, { emailAddress: 'x'.repeat(5000) + '@a.b' }]) assert.equal((await post(`${base}/emailMethods`, body)).status, 400, JSON.stringify(body).slice(0, 40));
    for (const body of [{}, { phoneNumber: '2065550100' }, { phoneNumber: '+1 2065550100', phoneType: 'pager' }, { phoneNumber: '+1 <script>' }]) assert.equal((await post(`${base}/phoneMethods`, body)).status, 400, JSON.stringify(body));
    assert.equal((await post('/v1.0/users/00000000-0000-4000-8000-000000000000/authentication/emailMethods', { emailAddress: 'a@b.c' })).status, 404);
    assert.equal((await fetch(`${emulator.url}${base}/emailMethods`, { method: 'POST', body: '{}' })).status, 401);
    assert.deepEqual(emulator.directory.listAuthenticationMethods(user.id), []);
  });

  test('users beyond the directory quota are refused with Graph\'s Directory_QuotaExceeded', async () => {
    const small = await startEmulator({ port: 0, graph: { directoryQuota: 2 } });
    try {
      small.registerClientApp(CLIENT_ID, SECRET);
      const tokenResponse = await fetch(`${small.url}/${small.tenant.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: 'x' }) });
      const smallToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
      const create = (email: string) =>
        fetch(`${small.url}/v1.0/users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${smallToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ displayName: email, identities: [{ signInType: 'emailAddress', issuer: small.tenant.domain, issuerAssignedId: email }], passwordProfile: { password: 'Random-Initial-Password-1!' } }),
        });
      // Sent together, as premigrate's parallel batches do: still no more than the quota.
      const statuses = (await Promise.all(Array.from({ length: 6 }, (_, i) => create(`q${i}@contoso.example`)))).map((response) => response.status);
      assert.deepEqual(statuses.filter((status) => status === 201).length, 2, JSON.stringify(statuses));
      const refused = await create('late@contoso.example');
      assert.equal(refused.status, 400);
      const { error } = (await refused.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'Directory_QuotaExceeded');
      assert.equal(error.message, 'The directory object quota limit for the Tenant has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.');
      assert.equal(small.directory.countUsers(), 2);
    } finally {
      await small.close();
    }
  });

  test('GET /v1.0/users pages as Graph does: 100 by default, $top up to 999, @odata.nextLink until the last page', async () => {
    for (let i = 0; i < 105; i++) {
      await emulator.directory.createUser({ displayName: `P${i}`, identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: `p${i}@contoso.example` }], password: 'Random-Initial-Password-1!' });
    }
    const total = emulator.directory.countUsers();
    const first = (await (await graph('/v1.0/users')).json()) as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
    assert.equal(first.value.length, 100);
    assert.match(first['@odata.nextLink']!, /^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\?\$top=100&\$skiptoken=/);
    const ids = new Set<string>();
    let next: string | undefined = `${emulator.url}/v1.0/users?$top=40`;
    let pages = 0;
    while (next) {
      const page = (await (await graph(next.slice(emulator.url.length))).json()) as { value: Array<{ id: string }>; '@odata.nextLink'?: string };
      for (const user of page.value) ids.add(user.id);
      next = page['@odata.nextLink'];
      pages++;
    }
    assert.equal(ids.size, total, 'every user once');
    assert.equal(pages, Math.ceil(total / 40));
    for (const query of ['$top=1000', '$top=0', '$top=x']) assert.equal((await graph(`/v1.0/users?${query}`)).status, 400, query);
    assert.match(((await (await graph('/v1.0/users?$top=1000')).json()) as { error: { message: string } }).error.message, /Must be between 1 and 999 inclusive/);
    assert.equal((await graph('/v1.0/users?$skiptoken=not-ours')).status, 400);
  });

  test('GET /beta/organization reports the directory quota: objects used and the configured total', async () => {
    const body = (await (await graph('/beta/organization?$select=directorySizeQuota')).json()) as { value: Array<{ id: string; directorySizeQuota: { used: number; total: number } }> };
    assert.equal(body.value[0]!.id, emulator.tenant.tenantId);
    assert.deepEqual(body.value[0]!.directorySizeQuota, { used: emulator.directory.countUsers(), total: 1234 });
  });
});
