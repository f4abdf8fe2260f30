import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { abortableBatchClient, accountEnsurer } from '../../src/bulk/index.js';
import { silentLogger } from '../../src/common/logger.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createClientSecretCredential, createPacer } from '../../src/graph/index.js';
import { handleAttributeCollectionStart, handleAttributeCollectionSubmit, type AttributeCollectionDeps } from '../../src/handlers/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import type { LegacyDirectory } from '../../src/legacy/legacy-directory.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { defineExtensionProperty } from '../support/flag-property.js';

const CLIENT_ID = '41111111-2222-4333-8444-555555555555';
const SECRET = 'handler-entra-accounts-secret';
const EXISTS = 'There is already an account with this e-mail address. Sign in with your existing password.';
const TRY_LATER = 'There is already an account with this e-mail address. Please try again in a few minutes.';

/** A legacy store that knows one account per address, each with its legacy id. */
const directory: LegacyDirectory = {
  kind: 'memory',
  async findByEmail(email) {
    const id = { 'ada@contoso.example': '42', 'tim@contoso.example': '43', 'eve@contoso.example': '44', 'max@contoso.example': '45', 'mallory@contoso.example': '46' }[email.toLowerCase()];
    return id === undefined ? null : { legacyId: id, status: id === '46' ? 'blocked' : 'active', profile: { displayName: `User ${id}` } };
  },
  async close() {},
};

describe('the block policy with Graph account creation (handlers over accountEnsurer and the emulator)', () => {
  let emulator: RunningEmulator;
  let ledger: Ledger;
  let deps: AttributeCollectionDeps;
  /** Set to hold the creates' $batch for this long (honouring the abort). */
  let createDelayInMs = 0;
  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(CLIENT_ID, SECRET);
    const flagAttribute = defineExtensionProperty(emulator);
    ledger = await openLedger('memory:');
    const fetch: typeof globalThis.fetch = async (input, init) => {
      if (createDelayInMs > 0 && String(init?.body).includes('"POST"')) {
        const signal = init?.signal;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, createDelayInMs);
          signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
        });
      }
      return globalThis.fetch(input, init);
    };
    const graph = abortableBatchClient({
      baseUrl: emulator.url,
      credential: createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET }),
      pacer: createPacer({ ratePerSecond: 100 }),
      fetch,
    });
    deps = {
      tenantId: emulator.tenant.tenantId,
      directory,
      collision: 'block',
      prefill: false,
      legacyIdAttribute: undefined,
      entraAccounts: accountEnsurer({ graph, ledger, userBody: { tenantDomain: emulator.tenant.domain, flagAttribute }, logger: silentLogger() }),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs: 1500,
    };
  });
  after(async () => {
    await ledger.close();
    await emulator.close();
  });

  const body = (email: string, event: 'start' | 'submit') => {
    const request = JSON.parse(readFileSync(new URL(`../fixtures/entra/attribute-collection-${event}.request.json`, import.meta.url), 'utf8'));
    request.data.tenantId = emulator.tenant.tenantId;
    request.data.authenticationContext.client.locale = 'en-us';
    request.data.userSignUpInfo.identities[0].issuerAssignedId = email;
    return request;
  };
  const start = async (email: string) => {
    const result = await handleAttributeCollectionStart(body(email, 'start'), deps, { receivedAt: Date.now() });
    assert.equal(result.status, 200);
    if (result.status !== 200) throw new Error('unreachable');
    return { action: result.body.data.actions[0] as { '@odata.type': string; message?: string }, outcome: result.outcome };
  };

  test('an account not yet in Entra is created, then "sign in with your existing password"', async () => {
    const { action, outcome } = await start('ada@contoso.example');
    assert.equal(action['@odata.type'], 'microsoft.graph.attributeCollectionStart.showBlockPage');
    assert.equal(action.message, EXISTS);
    assert.deepEqual([outcome.reason, outcome.errorCode], ['sign-up-collision-blocked', null]);
    assert.ok(emulator.directory.findUserBySignInName('ada@contoso.example'));
    assert.equal((await ledger.accountState('42'))?.state, 'created');
  });

  test('Graph answers the create 503: "try again in a few minutes" (ENTRA_CREATE_FAILED), the account pending', async () => {
    emulator.setGraphFaults({ serviceUnavailableRate: 1, serviceUnavailableRetryAfterInSeconds: null });
    try {
      const { action, outcome } = await start('tim@contoso.example');
      assert.equal(action.message, TRY_LATER);
      assert.deepEqual([outcome.reason, outcome.errorCode], ['sign-up-collision-blocked-try-later', 'ENTRA_CREATE_FAILED']);
      assert.equal((await ledger.accountState('43'))?.state, 'pending');
    } finally {
      emulator.setGraphFaults({});
    }
  });

  test('a create that would miss the deadline: "try again" in time (DEADLINE_EXCEEDED), the account pending; the next sign-up creates it', async () => {
    createDelayInMs = 5000;
    try {
      const { action, outcome } = await start('eve@contoso.example');
      assert.equal(action.message, TRY_LATER);
      assert.equal(outcome.errorCode, 'DEADLINE_EXCEEDED');
      assert.ok(outcome.latencyInMs < 1600, `answered after ${outcome.latencyInMs} ms`);
      assert.equal((await ledger.accountState('44'))?.state, 'pending');
    } finally {
      createDelayInMs = 0;
    }
    assert.equal((await start('eve@contoso.example')).action.message, EXISTS);
    assert.equal((await ledger.accountState('44'))?.state, 'created');
  });

  test('a blocked legacy account is blocked like any other, and created disabled, as premigrate creates it', async () => {
    assert.equal((await start('mallory@contoso.example')).action.message, EXISTS);
    assert.equal(emulator.directory.findUserBySignInName('mallory@contoso.example')?.accountEnabled, false);
  });

  test('at submit too (start not configured): the account is created before the block page', async () => {
    const result = await handleAttributeCollectionSubmit(body('max@contoso.example', 'submit'), deps, { receivedAt: Date.now() });
    assert.equal(result.status, 200);
    if (result.status !== 200) throw new Error('unreachable');
    const action = result.body.data.actions[0] as { '@odata.type': string; message?: string };
    assert.deepEqual([action['@odata.type'], action.message], ['microsoft.graph.attributeCollectionSubmit.showBlockPage', EXISTS]);
    assert.equal((await ledger.accountState('45'))?.state, 'created');
  });
});
