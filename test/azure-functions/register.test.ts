import assert from 'node:assert/strict';
import { constants, createPrivateKey, privateDecrypt, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import functions, { type HttpFunctionOptions, type HttpRequestInit, type HttpResponseInit } from '@azure/functions';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import pg from 'pg';
import { FunctionsErrorCode, registerFunctions, type FunctionRegistrar, type RegisteredFunctions } from '../../src/azure-functions/index.js';
import { hasCode } from '../../src/common/errors.js';
import { createLogger } from '../../src/common/logger.js';
import { ConfigError } from '../../src/config/index.js';
import { mintCalloutToken, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { BODY_LIMIT_IN_BYTES } from '../../src/handlers/index.js';
import { generateDecryptionKey, type GeneratedDecryptionKey, type KeyUnwrapper } from '../../src/security/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { SERVICES, skipUnlessService } from '../support/services.js';
import { APP_ID, calloutBody } from '../server/harness.js';

const { HttpRequest, InvocationContext } = functions;

const KEY_ID = 'https://contoso-jit.vault.azure.net/keys/jit-migration/0123456789abcdef0123456789abcdef';
const FUNCTION_HOST = 'contoso-jit.azurewebsites.net';
const OBJECT_ID = '90847c2a-e29d-4d2f-9f54-c5b4d3f26471';
const tokenIssuanceFixture = JSON.parse(await readFile(new URL('../fixtures/entra/token-issuance-start.request.json', import.meta.url), 'utf8'));

/** `app` as the Functions host sees it: every registration kept, a second one of a name refused as the host does. */
function recordingApp(): FunctionRegistrar & { functions: Map<string, HttpFunctionOptions> } {
  const registered = new Map<string, HttpFunctionOptions>();
  return {
    functions: registered,
    http(name, options) {
      if (registered.has(name)) throw new Error(`duplicate function ${name}`);
      registered.set(name, options);
    },
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  json: any;
  elapsedInMs: number;
}

/** Invokes a registered function as the Node worker does: a real `HttpRequest` and `InvocationContext` from the library. */
async function invoke(app: ReturnType<typeof recordingApp>, name: string, init: HttpRequestInit = {}): Promise<Answer> {
  const registration = app.functions.get(name);
  assert.ok(registration, `${name} is registered`);
  const request = new HttpRequest({
    method: 'POST',
    url: `https://${FUNCTION_HOST}/${registration.route}`,
    ...init,
    headers: { host: FUNCTION_HOST, 'content-type': 'application/json', ...init.headers },
  });
  const context = new InvocationContext({ functionName: name, invocationId: randomUUID(), logHandler: () => undefined });
  const started = performance.now();
  const response = (await registration.handler(request, context)) as HttpResponseInit;
  const elapsedInMs = performance.now() - started;
  const headers = Object.fromEntries(Object.entries((response.headers ?? {}) as Record<string, string>).map(([key, value]) => [key.toLowerCase(), value]));
  return { status: response.status ?? 200, headers, json: typeof response.body === 'string' ? JSON.parse(response.body) : response.body, elapsedInMs };
}

const postgresSkip = await skipUnlessService('postgres');

describe('Azure Functions: the registered handlers answer as serve, keys in Key Vault, ledger in PostgreSQL', { skip: postgresSkip }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let key: GeneratedDecryptionKey;
  let app: ReturnType<typeof recordingApp>;
  let registered: RegisteredFunctions;
  let env: Record<string, string>;
  let logText = '';
  const unwrapped: string[] = [];
  const schema = `functions_${process.pid}_${Date.now()}`;

  const token = () => mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() });
  const passwordCallout = async (password: string, headers: Record<string, string> = {}) => {
    const body = await calloutBody({ tenantId: emulator.tenant.tenantId, certificatePem: key.certificatePem, username: 'ada@contoso.example', password, nonce: `nonce-${randomUUID()}` });
    return { body, answer: await invoke(app, 'OnPasswordSubmit', { body: { string: JSON.stringify(body) }, headers: { authorization: `Bearer ${await token()}`, ...headers } }) };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'azure-functions-'));
    key = await generateDecryptionKey({ subject: 'CN=functions' });
    await writeFile(join(dir, 'jit.cert.pem'), key.certificatePem);
    const legacy = new Database(join(dir, 'legacy.db'));
    legacy.exec('CREATE TABLE users (id TEXT, email TEXT, password_hash TEXT)');
    legacy.prepare('INSERT INTO users VALUES (?, ?, ?)').run('L-1', 'ada@contoso.example', await bcryptHash(CANARY_PASSWORDS.correct, 4));
    legacy.close();
    emulator = await startEmulator({ port: 0 });
    env = {
      ENTRA_TENANT_ID: emulator.tenant.tenantId,
      ENTRA_EXTENSION_APP_ID: APP_ID,
      ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
      // The private key stays in the vault: only the unwrapper the managed identity would reach touches it.
      JIT_DECRYPTION_KEY_VAULT_KEY_ID: KEY_ID,
      JIT_DECRYPTION_KEY_VAULT_CERTIFICATE_FILE: join(dir, 'jit.cert.pem'),
      LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
      LEGACY_USER_QUERY: 'SELECT id, password_hash FROM users WHERE email = :username',
      LEDGER_DATABASE_URL: `${SERVICES.postgres.url}?schema=${schema}`,
    };
    const vaultKey = createPrivateKey(key.privateKeyPem);
    const unwrapper: KeyUnwrapper = {
      async unwrapKey(algorithm, encryptedKey) {
        unwrapped.push(algorithm);
        return { result: privateDecrypt({ key: vaultKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSA-OAEP-256' ? 'sha256' : 'sha1' }, encryptedKey) };
      },
    };
    app = recordingApp();
    const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
    registered = registerFunctions({ app, env, logger, extension: { keyUnwrapper: () => unwrapper } });
    await registered.ready();
  });

  after(async () => {
    await registered?.close();
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: SERVICES.postgres.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
  });

  test('one anonymous function per event and the probes, on the paths serve answers (no OnOtpSend without OTP settings)', () => {
    assert.deepEqual(
      [...app.functions].map(([name, options]) => [name, options.route, options.methods, options.authLevel]),
      [
        ['OnPasswordSubmit', 'events/password-submit', ['GET', 'POST'], 'anonymous'],
        ['OnAttributeCollectionStart', 'events/attribute-collection-start', ['GET', 'POST'], 'anonymous'],
        ['OnAttributeCollectionSubmit', 'events/attribute-collection-submit', ['GET', 'POST'], 'anonymous'],
        ['OnTokenIssuanceStart', 'events/token-issuance-start', ['GET', 'POST'], 'anonymous'],
        ['healthz', 'healthz', ['GET'], 'anonymous'],
        ['readyz', 'readyz', ['GET'], 'anonymous'],
      ],
    );
    assert.deepEqual(registered.names, [...app.functions.keys()]);
  });

  test('a correct password is MigratePassword with the nonce echoed, decrypted through Key Vault, and leaves its ledger row in PostgreSQL', async () => {
    const { body, answer } = await passwordCallout(CANARY_PASSWORDS.correct);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.match(answer.headers['content-type']!, /^application\/json/);
    assert.equal(answer.json.data.actions.length, 1);
    assert.equal(answer.json.data.actions[0]['@odata.type'], 'microsoft.graph.passwordSubmit.MigratePassword');
    assert.match(answer.json.data.nonce, /^nonce-/);
    assert.ok(unwrapped.length >= 1 && unwrapped.every((algorithm) => algorithm === 'RSA-OAEP'));
    assert.ok(answer.elapsedInMs < registered.config.responseDeadlineInMs, `answered in ${answer.elapsedInMs} ms`);

    const { ledger } = await registered.ready();
    assert.equal(ledger.kind, 'postgres');
    const correlationId = body.data.authenticationContext.correlationId;
    let row;
    for (let tries = 0; tries < 40 && !row; tries++) {
      row = (await ledger.listDecisions()).find((decision) => decision.correlationId === correlationId);
      if (!row) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(row?.action, 'MigratePassword');
    assert.equal(row?.legacyId, 'L-1');
  });

  test('a wrong password is Retry, inside the deadline', async () => {
    const { answer } = await passwordCallout(CANARY_PASSWORDS.wrong);
    assert.equal(answer.status, 200);
    assert.equal(answer.json.data.actions[0]['@odata.type'], 'microsoft.graph.passwordSubmit.Retry');
    assert.ok(answer.elapsedInMs < registered.config.responseDeadlineInMs, `answered in ${answer.elapsedInMs} ms`);
  });

  test('no token, a bad token, or one for another app: 401 with WWW-Authenticate, and the body never read', async () => {
    const body = { string: JSON.stringify(await calloutBody({ tenantId: emulator.tenant.tenantId, certificatePem: key.certificatePem, username: 'ada@contoso.example', password: CANARY_PASSWORDS.correct })) };
    const missing = await invoke(app, 'OnPasswordSubmit', { body });
    assert.deepEqual([missing.status, missing.headers['www-authenticate']], [401, 'Bearer']);
    const forged = await invoke(app, 'OnPasswordSubmit', { body, headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl' } });
    assert.equal(forged.status, 401);
    assert.match(forged.headers['www-authenticate']!, /^Bearer error="invalid_token"/);
    assert.equal(typeof forged.json.error.code, 'string');
    const otherApp = await invoke(app, 'OnTokenIssuanceStart', {
      body: { string: '{' },
      headers: { authorization: `Bearer ${await mintCalloutToken(emulator.tenant, { audience: randomUUID(), now: Date.now() })}` },
    });
    assert.equal(otherApp.status, 401, 'the token is refused before the malformed body is looked at');
  });

  test('malformed, not the event, or oversized: 400 and 413 with serve\'s codes, nothing decided', async () => {
    const authorization = `Bearer ${await token()}`;
    const notJson = await invoke(app, 'OnPasswordSubmit', { body: { string: '{"type": "microsoft.graph' }, headers: { authorization } });
    assert.deepEqual([notJson.status, notJson.json.error.code], [400, 'BODY_INVALID']);
    const empty = await invoke(app, 'OnPasswordSubmit', { body: { string: '' }, headers: { authorization } });
    assert.equal(empty.status, 400);
    const notEvent = await invoke(app, 'OnPasswordSubmit', { body: { string: JSON.stringify({ type: 'something else', data: {} }) }, headers: { authorization } });
    assert.equal(notEvent.status, 400);
    assert.notEqual(notEvent.json.error.code, 'BODY_INVALID');
    const poisoned = await invoke(app, 'OnTokenIssuanceStart', { body: { string: '{"__proto__": {"polluted": true}}' }, headers: { authorization } });
    assert.equal(poisoned.status, 400);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const huge = await invoke(app, 'OnPasswordSubmit', { body: { string: JSON.stringify({ padding: 'x'.repeat(BODY_LIMIT_IN_BYTES * 4) }) }, headers: { authorization } });
    assert.deepEqual([huge.status, huge.json.error.code], [413, 'BODY_TOO_LARGE']);
    const justOver = await invoke(app, 'OnPasswordSubmit', { body: { bytes: new Uint8Array(BODY_LIMIT_IN_BYTES + 1).fill(0x20) }, headers: { authorization } });
    assert.equal(justOver.status, 413);
    const wrongType = await invoke(app, 'OnPasswordSubmit', { body: { string: 'a=b' }, headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.ok(wrongType.status === 400 || wrongType.status === 415, `status ${wrongType.status}`);
  });

  test('token issuance start answers provideClaimsForToken inside its deadline', async () => {
    const body = structuredClone(tokenIssuanceFixture);
    body.data.tenantId = emulator.tenant.tenantId;
    body.data.authenticationContext.user.id = OBJECT_ID;
    const answer = await invoke(app, 'OnTokenIssuanceStart', { body: { string: JSON.stringify(body) }, headers: { authorization: `Bearer ${await token()}` } });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.equal(answer.json.data['@odata.type'], 'microsoft.graph.onTokenIssuanceStartResponseData');
    assert.equal(answer.json.data.actions[0]['@odata.type'], 'microsoft.graph.tokenIssuanceStart.provideClaimsForToken');
    assert.ok(answer.elapsedInMs < registered.config.eventDeadlinesInMs.tokenIssuanceStart);
  });

  test('GET probes: each event path, healthz and readyz answer as serve\'s', async () => {
    const probe = await invoke(app, 'OnPasswordSubmit', { method: 'GET' });
    assert.deepEqual([probe.status, probe.json], [200, { status: 'ok', event: 'OnPasswordSubmit' }]);
    const claims = await invoke(app, 'OnTokenIssuanceStart', { method: 'GET' });
    assert.deepEqual(claims.json, { status: 'ok', event: 'OnTokenIssuanceStart' });
    const health = await invoke(app, 'healthz', { method: 'GET' });
    assert.deepEqual([health.status, health.json], [200, { status: 'ok' }]);
    const ready = await invoke(app, 'readyz', { method: 'GET' });
    assert.equal(ready.status, 200, JSON.stringify(ready.json));
    assert.deepEqual(ready.json, { status: 'ready', checks: { decryptionKeys: 'ok', entraSigningKeys: 'ok', legacyStore: 'ok' } }, 'a ledger outage does not make the Functions host unready: no ledger check');
  });

  test('registering twice on the same app is a clear error, and registers nothing more', () => {
    const before = app.functions.size;
    assert.throws(() => registerFunctions({ app, env }), (error) => hasCode(error, FunctionsErrorCode.ALREADY_REGISTERED) && /registerFunctions once/.test((error as Error).message));
    assert.equal(app.functions.size, before);
  });

  test('no password, token or key in anything logged', () => {
    assert.ok(logText.length > 0);
    for (const secret of [CANARY_PASSWORDS.correct, CANARY_PASSWORDS.wrong, 'eyJ', 'PRIVATE KEY']) assert.equal(logText.includes(secret), false, `the log holds ${secret.slice(0, 3)}…`);
  });
});

describe('Azure Functions: settings and start-up', () => {
  const base = {
    ENTRA_TENANT_ID: '7a3e5b2c-9d41-4f6a-8b0c-2e1d3f4a5b6c',
    ENTRA_EXTENSION_APP_ID: APP_ID,
    JIT_DECRYPTION_KEY_FILE: '/nonexistent/jit.key.pem',
    LEGACY_DATABASE_URL: 'sqlite:///nonexistent/legacy.db',
    LEGACY_USER_QUERY: 'SELECT id, password_hash FROM users WHERE email = :username',
    LEDGER_DATABASE_URL: 'postgres://app@db.example/ledger',
  };

  test('bad settings throw one ConfigError naming every setting, and register nothing', () => {
    const app = recordingApp();
    const { ENTRA_TENANT_ID: _tenant, ...withoutTenant } = base;
    assert.throws(
      () => registerFunctions({ app, env: { ...withoutTenant, RESPONSE_DEADLINE_MS: '5000', LEDGER_DATABASE_URL: 'sqlite://./data/ledger.db' } }),
      (error) => {
        assert.ok(error instanceof ConfigError);
        const settings = error.problems.map(({ setting }) => setting);
        for (const setting of ['ENTRA_TENANT_ID', 'RESPONSE_DEADLINE_MS', 'LEDGER_DATABASE_URL']) assert.ok(settings.includes(setting), `${setting} in ${settings.join(', ')}`);
        assert.match(error.message, /LEDGER_DATABASE_URL: .*PostgreSQL/);
        return true;
      },
    );
    assert.equal(app.functions.size, 0);
  });

  test('the default SQLite ledger and memory: are refused: instances do not share them', () => {
    const { LEDGER_DATABASE_URL: _ledger, ...withoutLedger } = base;
    for (const env of [withoutLedger, { ...base, LEDGER_DATABASE_URL: 'memory:' }, { ...base, LEDGER_DATABASE_URL: '  ' }]) {
      assert.throws(() => registerFunctions({ app: recordingApp(), env }), (error) => error instanceof ConfigError && error.problems.some(({ setting }) => setting === 'LEDGER_DATABASE_URL'));
    }
  });

  test('OTP settings add OnOtpSend on serve\'s path', () => {
    const app = recordingApp();
    const registered = registerFunctions({
      app,
      env: { ...base, OTP_SMTP_URL: 'smtp://127.0.0.1:1', OTP_FROM: 'no-reply@contoso.example' },
      open: () => new Promise(() => undefined),
      logger: createLogger({ level: 'silent' }),
    });
    assert.equal(app.functions.get('OnOtpSend')?.route, 'events/otp-send');
    assert.ok(registered.names.includes('OnOtpSend'));
  });

  test('a callout arriving while the extension is still opening gets 503 DEADLINE_EXCEEDED by its deadline, not later', async () => {
    const app = recordingApp();
    registerFunctions({ app, env: { ...base, RESPONSE_DEADLINE_MS: '300' }, open: () => new Promise(() => undefined), logger: createLogger({ level: 'silent' }) });
    const answer = await invoke(app, 'OnPasswordSubmit', { body: { string: '{}' }, headers: { authorization: 'Bearer x' } });
    assert.deepEqual([answer.status, answer.json.error.code], [503, 'DEADLINE_EXCEEDED']);
    assert.ok(answer.elapsedInMs >= 290 && answer.elapsedInMs < 300 + 250, `answered after ${answer.elapsedInMs} ms`);
  });

  test('an extension that cannot open (the key file is missing): 503 EXTENSION_UNAVAILABLE at once, and one log line saying why', async () => {
    const app = recordingApp();
    let logText = '';
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
    const registered = registerFunctions({ app, env: base, logger });
    await assert.rejects(registered.ready(), (error) => hasCode(error, FunctionsErrorCode.EXTENSION_UNAVAILABLE));
    const answer = await invoke(app, 'OnPasswordSubmit', { body: { string: '{}' }, headers: { authorization: 'Bearer x' } });
    assert.deepEqual([answer.status, answer.json.error.code, answer.headers['retry-after']], [503, 'EXTENSION_UNAVAILABLE', '5']);
    const probe = await invoke(app, 'readyz', { method: 'GET' });
    assert.equal(probe.status, 503);
    const lines = logText.split('\n').filter((line) => line.includes('could not open'));
    assert.equal(lines.length, 1, logText);
    assert.match(lines[0]!, /jit\.key\.pem|JIT_DECRYPTION_KEY_FILE/);
  });

  test('by default on @azure/functions\' own app (in test mode without the host): settings checked first, then registered once only', () => {
    assert.throws(() => registerFunctions({ env: {} }), ConfigError);
    const quiet = { env: base, open: () => new Promise<never>(() => undefined), logger: createLogger({ level: 'silent' }) };
    const registered = registerFunctions(quiet);
    assert.deepEqual(registered.names, ['OnPasswordSubmit', 'OnAttributeCollectionStart', 'OnAttributeCollectionSubmit', 'OnTokenIssuanceStart', 'healthz', 'readyz']);
    assert.throws(() => registerFunctions(quiet), (error) => hasCode(error, FunctionsErrorCode.ALREADY_REGISTERED));
  });
});
