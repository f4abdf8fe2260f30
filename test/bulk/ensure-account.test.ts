import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { abortableBatchClient, accountEnsurer, type AccountEnsurer, type AccountToEnsure } from '../../src/bulk/index.js';
import { createLogger } from '../../src/common/logger.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createClientSecretCredential, createPacer } from '../../src/graph/index.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { defineExtensionProperty } from '../support/flag-property.js';

const CLIENT_ID = '21111111-2222-4333-8444-555555555555';
const SECRET = 'ensure-account-secret';
const ADA: AccountToEnsure = { legacyId: '42', email: 'Ada@Contoso.example', profile: { displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace' } };

interface Stack {
  emulator: RunningEmulator;
  ledger: Ledger;
  accounts: AccountEnsurer;
  flag: string;
  /** The `$batch` bodies sent, as text (they carry the random passwords). */
  sent: string[];
  logs(): string;
  close(): Promise<void>;
}

/**
 * The emulator, a memory ledger and the ensurer over an abortable batch client. `beforeSend` sees each `$batch`
 * body before it leaves: to delay it (honouring the abort) or to change the tenant in between (a race).
 */
async function setUp(options: { beforeSend?: (body: string, signal: AbortSignal | undefined) => Promise<void>; flag?: string } = {}): Promise<Stack> {
  const emulator = await startEmulator({ port: 0 });
  emulator.registerClientApp(CLIENT_ID, SECRET);
  const flag = options.flag ?? defineExtensionProperty(emulator);
  const ledger = await openLedger('memory:');
  const sent: string[] = [];
  let logText = '';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    if (String(input).endsWith('/$batch')) {
      sent.push(body);
      await options.beforeSend?.(body, init?.signal ?? undefined);
    }
    return globalThis.fetch(input, init);
  };
  const graph = abortableBatchClient({
    baseUrl: emulator.url,
    credential: createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET }),
    pacer: createPacer({ ratePerSecond: 100 }),
    fetch,
  });
  const accounts = accountEnsurer({ graph, ledger, userBody: { tenantDomain: emulator.tenant.domain, flagAttribute: flag }, logger });
  return {
    emulator,
    ledger,
    accounts,
    flag,
    sent,
    logs: () => logText,
    async close() {
      await ledger.close();
      await emulator.close();
    },
  };
}

const inTime = (ms = 5000) => ({ deadlineAt: Date.now() + ms, abortSignal: new AbortController().signal });
const creates = (stack: Stack) => stack.sent.filter((body) => body.includes('"POST"'));
/** Delays a `$batch` of creates by `ms`, or until its request is aborted. */
const slowCreates = (ms: number) => (body: string, signal: AbortSignal | undefined) =>
  body.includes('"POST"') ? new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  }) : Promise.resolve();

describe('accountEnsurer against the emulated Graph', () => {
  test('created as premigrate creates it (identity, flag true, profile, a random password), recorded; a second call finds it: exists', async () => {
    const stack = await setUp();
    try {
      // A deadline from the handlers' clock need not be a whole millisecond (it once made the call reject).
      assert.equal(await stack.accounts.ensureExists(ADA, inTime(4999.5)), 'created');
      const user = stack.emulator.directory.findUserBySignInName('ada@contoso.example');
      assert.ok(user, 'the user is in the directory under its lower-cased e-mail identity');
      assert.equal(user.displayName, 'Ada Lovelace');
      assert.equal(stack.emulator.directory.getExtensionAttributes(user.id)[stack.flag], true, 'flagged for migration');
      const row = await stack.ledger.accountState('42');
      assert.deepEqual({ state: row?.state, objectId: row?.entraObjectId, email: row?.email }, { state: 'created', objectId: user.id, email: 'ada@contoso.example' });
      const profile = (await stack.ledger.profiles(['42'])).get('42');
      assert.match(profile?.fingerprint ?? '', /^[\w-]{43}$/, "premigrate --sync's baseline, as premigrate records it");
      assert.equal(profile?.enabled, true);

      assert.equal(await stack.accounts.ensureExists(ADA, inTime()), 'exists');
      assert.equal(stack.emulator.directory.countUsers(), 1);
      assert.equal(creates(stack).length, 1, 'one create only');
      assert.equal((await stack.ledger.accountState('42'))?.state, 'created', 'the row still says we created it');

      const password = /"password":"([^"]+)"/.exec(creates(stack)[0]!)?.[1];
      assert.ok(password && password.length >= 16, 'a random password was sent');
      assert.ok(!stack.logs().includes(password), 'the password is never logged');
      assert.ok(!stack.logs().toLowerCase().includes('ada@contoso.example'), 'nor the e-mail address');
    } finally {
      await stack.close();
    }
  });

  test('an account already in Entra and not in the ledger (created by hand, or by another tool) is found: exists, recorded existing, nothing created', async () => {
    const stack = await setUp();
    try {
      const user = await stack.emulator.directory.createUser({ displayName: 'Ada', identities: [{ signInType: 'emailAddress', issuer: stack.emulator.tenant.domain, issuerAssignedId: 'ada@contoso.example' }], password: 'Aa1!aaaaaaaaaaaa' });
      assert.equal(await stack.accounts.ensureExists(ADA, inTime()), 'exists');
      assert.equal(creates(stack).length, 0);
      const row = await stack.ledger.accountState('42');
      assert.deepEqual({ state: row?.state, objectId: row?.entraObjectId }, { state: 'existing', objectId: user.id });
    } finally {
      await stack.close();
    }
  });

  test('a create that conflicts (the account was created between the lookup and the create) is looked up again: exists, recorded existing', async () => {
    let racer: string | undefined;
    const stack: Stack = await setUp({
      beforeSend: async (body) => {
        if (!body.includes('"POST"') || racer) return;
        racer = (await stack.emulator.directory.createUser({ displayName: 'Racer', identities: [{ signInType: 'emailAddress', issuer: stack.emulator.tenant.domain, issuerAssignedId: 'ada@contoso.example' }], password: 'Aa1!aaaaaaaaaaaa' })).id;
      },
    });
    try {
      assert.equal(await stack.accounts.ensureExists(ADA, inTime()), 'exists');
      assert.equal(creates(stack).length, 1, 'the create was sent, and conflicted');
      assert.equal(stack.emulator.directory.countUsers(), 1);
      const row = await stack.ledger.accountState('42');
      assert.deepEqual({ state: row?.state, objectId: row?.entraObjectId }, { state: 'existing', objectId: racer });
    } finally {
      await stack.close();
    }
  });

  test('a create still unanswered at the deadline is aborted: failed in time, the account left pending; the next attempt creates it', async () => {
    let delayInMs = 3000;
    const stack = await setUp({ beforeSend: (body, signal) => slowCreates(delayInMs)(body, signal) });
    try {
      const started = Date.now();
      assert.equal(await stack.accounts.ensureExists(ADA, inTime(400)), 'failed');
      const tookInMs = Date.now() - started;
      assert.ok(tookInMs < 700, `answered ${tookInMs} ms after a 400 ms deadline`);
      assert.equal((await stack.ledger.accountState('42'))?.state, 'pending', 'pending: the next attempt looks it up first');
      assert.equal(stack.emulator.directory.countUsers(), 0, 'the aborted request never reached Graph');
      assert.match(stack.logs(), /deadline came first/);

      delayInMs = 0;
      assert.equal(await stack.accounts.ensureExists(ADA, inTime()), 'created');
      assert.equal((await stack.ledger.accountState('42'))?.state, 'created');
    } finally {
      await stack.close();
    }
  });

  test('a blocked legacy account is created disabled, as premigrate creates it', async () => {
    const stack = await setUp();
    try {
      assert.equal(await stack.accounts.ensureExists({ ...ADA, enabled: false }, inTime()), 'created');
      assert.equal(stack.emulator.directory.findUserBySignInName('ada@contoso.example')?.accountEnabled, false);
      assert.equal((await stack.ledger.profiles(['42'])).get('42')?.enabled, false);
    } finally {
      await stack.close();
    }
  });

  test('a deadline already past, or a signal already aborted: failed at once, nothing sent, nothing recorded', async () => {
    const stack = await setUp();
    try {
      assert.equal(await stack.accounts.ensureExists(ADA, { deadlineAt: Date.now() - 1, abortSignal: new AbortController().signal }), 'failed');
      assert.equal(await stack.accounts.ensureExists(ADA, { deadlineAt: Date.now() + 5000, abortSignal: AbortSignal.abort() }), 'failed');
      assert.equal(stack.sent.length, 0);
      assert.equal(await stack.ledger.accountState('42'), undefined);
    } finally {
      await stack.close();
    }
  });

  test('Graph answers the create 503: failed, pending; a 503 after the write ran is found by the next attempt: exists', async () => {
    const stack = await setUp();
    try {
      stack.emulator.setGraphFaults({ serviceUnavailableRate: 1, serviceUnavailableRetryAfterInSeconds: null });
      assert.equal(await stack.accounts.ensureExists(ADA, inTime()), 'failed');
      assert.equal((await stack.ledger.accountState('42'))?.state, 'pending');
      assert.equal(stack.emulator.directory.countUsers(), 0);
      assert.match(stack.logs(), /"status":503/);

      stack.emulator.setGraphFaults({ serviceUnavailableAfterWriteRate: 1, serviceUnavailableRetryAfterInSeconds: null });
      assert.equal(await stack.accounts.ensureExists(ADA, inTime()), 'failed', 'Graph said it failed');
      assert.equal((await stack.ledger.accountState('42'))?.state, 'pending');
      assert.equal(stack.emulator.directory.countUsers(), 1, 'though it wrote the user');

      stack.emulator.setGraphFaults({});
      assert.equal(await stack.accounts.ensureExists(ADA, inTime()), 'exists', 'looked up, never created twice');
      assert.equal(stack.emulator.directory.countUsers(), 1);
      assert.equal((await stack.ledger.accountState('42'))?.state, 'existing');
    } finally {
      await stack.close();
    }
  });

  test('a create Graph refuses (an undefined flag attribute) is failed, recorded failed with Graph\'s reason', async () => {
    const stack = await setUp({ flag: 'extension_00000000000000000000000000000000_toBeMigrated' });
    try {
      assert.equal(await stack.accounts.ensureExists(ADA, inTime()), 'failed');
      const row = await stack.ledger.accountState('42');
      assert.equal(row?.state, 'failed');
      assert.match(row?.reason ?? '', /^HTTP 400 /);
    } finally {
      await stack.close();
    }
  });

  test('an account premigrate could not create (no legacy id) is never created: exists when Entra holds it, else failed; no ledger row', async () => {
    const stack = await setUp();
    try {
      const noId = { ...ADA, legacyId: null };
      assert.equal(await stack.accounts.ensureExists(noId, inTime()), 'failed');
      assert.equal(creates(stack).length, 0);
      assert.match(stack.logs(), /cannot be created as premigrate would: no id/);
      await stack.emulator.directory.createUser({ displayName: 'Ada', identities: [{ signInType: 'emailAddress', issuer: stack.emulator.tenant.domain, issuerAssignedId: 'ada@contoso.example' }], password: 'Aa1!aaaaaaaaaaaa' });
      assert.equal(await stack.accounts.ensureExists(noId, inTime()), 'exists');
      assert.deepEqual(await stack.ledger.countAccounts(), {});
    } finally {
      await stack.close();
    }
  });
});
