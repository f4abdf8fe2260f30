import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseAttributeCollectionStartResponse, parseAttributeCollectionSubmitResponse } from '../../src/events/index.js';
import type { EntraAccounts, LegacyAccountToEnsure } from '../../src/handlers/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { LEGACY_ID_ATTRIBUTE, createLegacyDatabase, slowDirectory, sqliteDirectory, startSignUpServer, type SignUpServer } from './sign-up-harness.js';

const EXISTS = 'There is already an account with this e-mail address. Sign in with your existing password.';
const TRY_LATER = 'There is already an account with this e-mail address. Please try again in a few minutes.';

const startAction = (response: { statusCode: number; json(): unknown }) => {
  assert.equal(response.statusCode, 200);
  const answer = parseAttributeCollectionStartResponse(response.json());
  assert.equal(answer.data.actions.length, 1);
  return answer.data.actions[0]!;
};
const submitAction = (response: { statusCode: number; json(): unknown }) => {
  assert.equal(response.statusCode, 200);
  const answer = parseAttributeCollectionSubmitResponse(response.json());
  assert.equal(answer.data.actions.length, 1);
  return answer.data.actions[0]!;
};

let database: Awaited<ReturnType<typeof createLegacyDatabase>>;
before(async () => {
  database = await createLegacyDatabase();
});
after(() => database.remove());

describe('SIGNUP_COLLISION=block (the default)', () => {
  let server: SignUpServer;
  before(async () => {
    server = await startSignUpServer({ directory: await sqliteDirectory(database.url), collision: 'block' });
  });
  after(() => server.close());

  test('start: a legacy e-mail (any case) gets the block page, in the caller\'s language, and no attribute error', async () => {
    const action = startAction(await server.post('start', server.body('ada@contoso.EXAMPLE', 'start')));
    assert.deepEqual(action, { '@odata.type': 'microsoft.graph.attributeCollectionStart.showBlockPage', title: 'Account already exists', message: EXISTS });
    assert.equal(server.outcomes.at(-1)?.reason, 'sign-up-collision-blocked');
    assert.equal(server.outcomes.at(-1)?.legacyId, '42');
    const german = startAction(await server.post('start', server.body('ada@contoso.example', 'start', { locale: 'de-DE' })));
    assert.equal(german.title, 'Konto bereits vorhanden');
  });

  test('submit: the same page, in case start is not configured; never showValidationError', async () => {
    const action = submitAction(await server.post('submit', server.body('ada@contoso.example', 'submit')));
    assert.equal(action['@odata.type'], 'microsoft.graph.attributeCollectionSubmit.showBlockPage');
    assert.equal(action.message, EXISTS);
    assert.equal(action.attributeErrors, undefined);
  });

  test('a new e-mail continues, at start and at submit', async () => {
    assert.deepEqual(startAction(await server.post('start', server.body('new@contoso.example', 'start'))), { '@odata.type': 'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior' });
    assert.deepEqual(submitAction(await server.post('submit', server.body('new@contoso.example', 'submit'))), { '@odata.type': 'microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior' });
    assert.equal(server.outcomes.at(-1)?.reason, 'sign-up-no-legacy-account');
  });

  test('a social sign-up (no e-mail identity) is never matched', async () => {
    const body = server.body('ada@contoso.example', 'start');
    body.data.userSignUpInfo.identities = [{ signInType: 'federated', issuer: 'facebook.com', issuerAssignedId: 'ada@contoso.example' }];
    assert.equal(startAction(await server.post('start', body))['@odata.type'], 'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior');
    assert.equal(server.outcomes.at(-1)?.reason, 'sign-up-no-email');
  });

  test('the request log line names the reason and never the e-mail, a password or the token', async () => {
    const token = await server.token();
    await server.post('start', server.body('ada@contoso.example', 'start'), { authorization: `Bearer ${token}` });
    const line = server.logs().trim().split('\n').map((text) => JSON.parse(text)).filter((entry) => entry.msg === 'request').at(-1);
    assert.equal(line.path, '/events/attribute-collection-start');
    assert.equal(line.reason, 'sign-up-collision-blocked');
    assert.equal(line.action, 'showBlockPage');
    for (const secret of [token, 'ada@contoso.example', ...Object.values(CANARY_PASSWORDS)]) assert.ok(!server.logs().includes(secret));
  });
});

describe('block with an EntraAccounts port', () => {
  const ensured: LegacyAccountToEnsure[] = [];
  let answer: 'exists' | 'created' | 'failed' | 'never' = 'created';
  let aborted = 0;
  const entraAccounts: EntraAccounts = {
    ensureExists: (account, { abortSignal }) => {
      ensured.push(account);
      if (answer === 'never') return new Promise((resolve) => abortSignal.addEventListener('abort', () => (aborted++, resolve('failed'))));
      return Promise.resolve(answer);
    },
  };
  let server: SignUpServer;
  before(async () => {
    server = await startSignUpServer({ directory: await sqliteDirectory(database.url), collision: 'block', entraAccounts, responseDeadlineInMs: 300 });
  });
  after(() => server.close());

  test('created → "sign in with your existing password", with the legacy profile handed to the port', async () => {
    answer = 'created';
    assert.equal(startAction(await server.post('start', server.body('ada@contoso.example', 'start'))).message, EXISTS);
    assert.deepEqual(ensured.at(-1), { legacyId: '42', email: 'ada@contoso.example', profile: { displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace' } });
  });

  test('failed → "try again in a few minutes"', async () => {
    answer = 'failed';
    assert.equal(startAction(await server.post('start', server.body('ada@contoso.example', 'start'))).message, TRY_LATER);
    assert.equal(server.outcomes.at(-1)?.errorCode, 'ENTRA_CREATE_FAILED');
  });

  test('a create still running at the deadline → "try again" before the deadline, and the create is aborted', async () => {
    answer = 'never';
    const action = startAction(await server.post('start', server.body('ada@contoso.example', 'start')));
    assert.ok(server.outcomes.at(-1)!.latencyInMs < 300, `answered after ${server.outcomes.at(-1)!.latencyInMs} ms`);
    assert.equal(action.message, TRY_LATER);
    assert.equal(server.outcomes.at(-1)?.errorCode, 'DEADLINE_EXCEEDED');
    assert.equal(aborted, 1);
  });
});

describe('SIGNUP_COLLISION=link', () => {
  let server: SignUpServer;
  before(async () => {
    server = await startSignUpServer({ directory: await sqliteDirectory(database.url), collision: 'link', legacyIdAttribute: LEGACY_ID_ATTRIBUTE });
  });
  after(() => server.close());

  test('start continues (no prefill asked)', async () => {
    assert.equal(startAction(await server.post('start', server.body('ada@contoso.example', 'start')))['@odata.type'], 'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior');
    assert.equal(server.outcomes.at(-1)?.reason, 'sign-up-nothing-to-check');
  });

  test('submit carries the profile and the legacy id as a string, only into attributes the page collects', async () => {
    const body = server.body('ada@contoso.example', 'submit', { collect: ['surname', LEGACY_ID_ATTRIBUTE] });
    const action = submitAction(await server.post('submit', body));
    assert.deepEqual(action, {
      '@odata.type': 'microsoft.graph.attributeCollectionSubmit.modifyAttributeValues',
      // givenName and surname are collected; displayName is not, so it is not sent.
      attributes: { givenName: 'Ada', surname: 'Lovelace', [LEGACY_ID_ATTRIBUTE]: '42' },
    });
    assert.equal(server.outcomes.at(-1)?.reason, 'migrated-by-sign-up');
    assert.equal(server.outcomes.at(-1)?.legacyId, '42');
  });

  test('a page that collects none of them: continue, and not recorded as migrated', async () => {
    const body = server.body('ada@contoso.example', 'submit');
    delete body.data.userSignUpInfo.attributes.givenName;
    assert.equal(submitAction(await server.post('submit', body))['@odata.type'], 'microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior');
    assert.equal(server.outcomes.at(-1)?.reason, 'sign-up-link-not-collected');
  });

  test('a locked legacy account is not carried over: the block page', async () => {
    const action = submitAction(await server.post('submit', server.body('mallory@contoso.example', 'submit', { collect: [LEGACY_ID_ATTRIBUTE] })));
    assert.equal(action['@odata.type'], 'microsoft.graph.attributeCollectionSubmit.showBlockPage');
    assert.equal(action.message, EXISTS);
  });
});

describe('SIGNUP_COLLISION=off and SIGNUP_PREFILL', () => {
  test('off without prefill: continue, and the store is not asked', async () => {
    const { directory, options } = slowDirectory(0);
    options.failWith = new Error('must not be asked');
    const server = await startSignUpServer({ directory, collision: 'off' });
    try {
      assert.equal(startAction(await server.post('start', server.body('ada@contoso.example', 'start')))['@odata.type'], 'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior');
      assert.equal(submitAction(await server.post('submit', server.body('ada@contoso.example', 'submit')))['@odata.type'], 'microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior');
      assert.equal(server.outcomes.at(-1)?.errorCode, null);
    } finally {
      await server.close();
    }
  });

  test('off with prefill: setPrefillValues from the legacy profile, only for collected attributes, never the legacy id', async () => {
    const server = await startSignUpServer({ directory: await sqliteDirectory(database.url), collision: 'off', prefill: true, legacyIdAttribute: LEGACY_ID_ATTRIBUTE });
    try {
      const action = startAction(await server.post('start', server.body('ada@contoso.example', 'start', { collect: ['displayName', LEGACY_ID_ATTRIBUTE] })));
      assert.deepEqual(action, { '@odata.type': 'microsoft.graph.attributeCollectionStart.setPrefillValues', inputs: { givenName: 'Ada', displayName: 'Ada Lovelace' } });
      // tim has no profile: nothing to prefill.
      assert.equal(startAction(await server.post('start', server.body('tim@contoso.example', 'start')))['@odata.type'], 'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior');
    } finally {
      await server.close();
    }
  });

  test('block stands in the way of prefill: a colliding address gets the block page', async () => {
    const server = await startSignUpServer({ directory: await sqliteDirectory(database.url), collision: 'block', prefill: true });
    try {
      assert.equal(startAction(await server.post('start', server.body('ada@contoso.example', 'start')))['@odata.type'], 'microsoft.graph.attributeCollectionStart.showBlockPage');
    } finally {
      await server.close();
    }
  });

  test('link with prefill: prefilled at start, linked at submit', async () => {
    const server = await startSignUpServer({ directory: await sqliteDirectory(database.url), collision: 'link', prefill: true, legacyIdAttribute: LEGACY_ID_ATTRIBUTE });
    try {
      assert.equal(startAction(await server.post('start', server.body('ada@contoso.example', 'start')))['@odata.type'], 'microsoft.graph.attributeCollectionStart.setPrefillValues');
    } finally {
      await server.close();
    }
  });
});

describe('the deadline', () => {
  test('a slow legacy store: "try again in a few minutes" before the deadline, never a late answer', async () => {
    const { directory } = slowDirectory(5000);
    const server = await startSignUpServer({ directory, collision: 'block', responseDeadlineInMs: 250 });
    try {
      for (const event of ['start', 'submit'] as const) {
        const started = Date.now();
        const response = await server.post(event, server.body('ada@contoso.example', event));
        const elapsed = Date.now() - started;
        const action = event === 'start' ? startAction(response) : submitAction(response);
        assert.equal(action.message, TRY_LATER);
        const outcome = server.outcomes.at(-1)!;
        assert.equal(outcome.errorCode, 'DEADLINE_EXCEEDED');
        // Built before the deadline (arrival to answer, as the server measures it), and nowhere near the store's 5 s.
        assert.ok(outcome.latencyInMs < 250, `${event} answered after ${outcome.latencyInMs} ms`);
        assert.ok(elapsed < 1000, `${event} took ${elapsed} ms end to end`);
      }
    } finally {
      await server.close();
    }
  });

  test('a failing legacy store under link: "try again" at submit rather than an unlinked account; start continues', async () => {
    const { directory, options } = slowDirectory(0);
    options.failWith = Object.assign(new Error('down'));
    const server = await startSignUpServer({ directory, collision: 'link', prefill: true, legacyIdAttribute: LEGACY_ID_ATTRIBUTE });
    try {
      assert.equal(startAction(await server.post('start', server.body('ada@contoso.example', 'start')))['@odata.type'], 'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior');
      assert.equal(submitAction(await server.post('submit', server.body('ada@contoso.example', 'submit'))).message, TRY_LATER);
    } finally {
      await server.close();
    }
  });
});

describe('hostile and malformed bodies on the sign-up routes', () => {
  let server: SignUpServer;
  before(async () => {
    server = await startSignUpServer({ directory: await sqliteDirectory(database.url), collision: 'block' });
  });
  after(() => server.close());

  for (const event of ['start', 'submit'] as const) {
    test(`${event}: no token → 401; GET is a probe`, async () => {
      const response = await server.app.inject({ method: 'POST', url: `/events/attribute-collection-${event}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(server.body('ada@contoso.example', event)) });
      assert.equal(response.statusCode, 401);
      const probe = await server.app.inject({ method: 'GET', url: `/events/attribute-collection-${event}` });
      assert.equal(probe.statusCode, 200);
    });

    test(`${event}: malformed, oversized, prototype-poisoning and wrong-tenant bodies are refused without a lookup`, async () => {
      const before = server.outcomes.length;
      assert.equal((await server.post(event, '{not json')).statusCode, 400);
      assert.equal((await server.post(event, JSON.stringify({ ...server.body('a@b.c', event), pad: 'x'.repeat(70 * 1024) }))).statusCode, 413);
      assert.equal((await server.post(event, '{"__proto__": {"polluted": true}}')).statusCode, 400);
      const poisoned = JSON.stringify(server.body('ada@contoso.example', event)).replace('"givenName":', '"__proto__":');
      assert.equal((await server.post(event, poisoned)).statusCode, 400);
      const otherEvent = server.body('ada@contoso.example', event === 'start' ? 'submit' : 'start');
      assert.equal((await server.post(event, otherEvent)).statusCode, 400);
      const otherTenant = server.body('ada@contoso.example', event);
      otherTenant.data.tenantId = '99999999-9999-4999-8999-999999999999';
      const refused = await server.post(event, otherTenant);
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().error.code, 'EVENT_TENANT_MISMATCH');
      const tooMany = server.body('ada@contoso.example', event);
      for (let i = 0; i < 150; i++) tooMany.data.userSignUpInfo.attributes[`a${i}`] = { value: null, attributeType: 'builtIn' };
      assert.equal((await server.post(event, tooMany)).statusCode, 400);
      assert.equal((await server.post(event, 'null')).statusCode, 400);
      assert.equal(server.outcomes.length, before, 'no refused body reached a decision');
      assert.ok(!server.logs().includes('polluted'));
    });
  }
});
