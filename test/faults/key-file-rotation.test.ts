import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { openDecryptionKeys, type DecryptionKeys } from '../../src/app/key-files-watch.js';
import { createLogger } from '../../src/common/logger.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority } from '../../src/legacy/index.js';
import { createExtensionMetrics, type ExtensionMetrics } from '../../src/metrics/extension-metrics.js';
import { createCallerTokenVerifier, generateDecryptionKey, remoteDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';
import { buildServer, type ExtensionServer } from '../../src/server/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';
import { APP_ID, calloutBody } from '../server/harness.js';

/** OnPasswordSubmit's deadline in these tests, in ms: what the product promises to answer within. */
const DEADLINE_IN_MS = 1500;
const MIGRATE = 'microsoft.graph.passwordSubmit.MigratePassword';

/** A serve-like server whose key ring is the live one `openDecryptionKeys` made from files. */
interface Serving {
  app: ExtensionServer;
  keys: DecryptionKeys;
  metrics: ExtensionMetrics;
  logs(): string;
  /** Sends a callout for ada (right password) encrypted to `key`; its answer, and how long it took. */
  callout(key: GeneratedDecryptionKey): Promise<{ status: number; body: any; elapsedInMs: number }>;
  close(): Promise<void>;
}

let tenant: EmulatedTenant;
let adaHash: string;
let oldKey: GeneratedDecryptionKey;
let newKey: GeneratedDecryptionKey;
let spareKey: GeneratedDecryptionKey;
let dir: string;

before(async () => {
  tenant = await createTenant();
  adaHash = await bcryptHash(CANARY_PASSWORDS.correct, 4);
  [oldKey, newKey, spareKey] = await Promise.all([
    generateDecryptionKey({ subject: 'CN=old' }),
    generateDecryptionKey({ subject: 'CN=new' }),
    generateDecryptionKey({ subject: 'CN=spare' }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'key-rotation-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const pemOf = (key: GeneratedDecryptionKey) => key.privateKeyPem + key.certificatePem;

/** Replaces `path` as deployment tools do: write beside it, then rename over it (a new inode, never half a file). */
async function replaceAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}

async function serve(paths: string[], options: { pollIntervalInMs: number }): Promise<Serving> {
  let logText = '';
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const keys = await openDecryptionKeys({ kind: 'files', paths }, [], { logger: logger.child({ name: 'keys' }), pollIntervalInMs: options.pollIntervalInMs });
  const verifier = createPasswordVerifier();
  const store = createMemoryLegacyStore([{ username: 'ada@contoso.example', id: '1', passwordHash: adaHash, status: 'active' }]);
  const metrics = createExtensionMetrics(
    { decryptionKeys: () => keys.keyRing.keys.map((key) => ({ id: key.id, notAfter: key.notAfter?.getTime() ?? null })) },
    { processMetrics: false },
  );
  const app = await buildServer({
    logger,
    clock: Date.now,
    callerTokenVerifier: createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource: tenantSigningKeys(tenant).keySource }),
    passwordSubmit: {
      tenantId: tenant.tenantId,
      extensionAppId: APP_ID,
      keyRing: keys.keyRing,
      legacy: hashStoreAuthority(store, verifier),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs: DEADLINE_IN_MS,
    },
    readiness: [],
    onOutcome: () => undefined,
  });
  return {
    app,
    keys,
    metrics,
    logs: () => logText,
    async callout(key) {
      const payload = JSON.stringify(
        await calloutBody({ tenantId: tenant.tenantId, certificatePem: key.certificatePem, username: 'ada@contoso.example', password: CANARY_PASSWORDS.correct }),
      );
      const authorization = `Bearer ${await mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() })}`;
      const started = performance.now();
      const response = await app.inject({ method: 'POST', url: '/events/password-submit', headers: { authorization, 'content-type': 'application/json' }, payload });
      return { status: response.statusCode, body: response.json(), elapsedInMs: performance.now() - started };
    },
    async close() {
      await app.close();
      await keys.close();
      await verifier.close();
    },
  };
}

/** Answered in time with MigratePassword: the key it was encrypted to is held. */
function assertMigrated(answer: { status: number; body: any; elapsedInMs: number }, what: string): void {
  assert.equal(answer.status, 200, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.data.actions[0]['@odata.type'], MIGRATE, what);
  assert.ok(answer.elapsedInMs < DEADLINE_IN_MS, `${what}: answered in ${answer.elapsedInMs} ms`);
}

/** The key material that must never reach a log line: the PEM armour and a line of each key's base64 body. */
function assertNoKeyMaterial(logs: string): void {
  assert.doesNotMatch(logs, /-----BEGIN|-----END/);
  for (const key of [oldKey, newKey, spareKey]) assert.ok(!logs.includes(key.privateKeyPem.split('\n')[5]!), 'a line of a private key was logged');
}

async function until(condition: () => boolean, what: string, timeoutInMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutInMs) assert.fail(`not within ${timeoutInMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const logLines = (logs: string) => logs.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
const keyExpiryLabels = async (metrics: ExtensionMetrics) =>
  parsePrometheusText(await metrics.registry.metrics())
    .filter((sample) => sample.name === 'entra_migrate_decryption_key_days_to_expiry')
    .map((sample) => sample.labels.key);

describe('fault: the decryption key file replaced while serving', () => {
  test('the first callout to the new key right after the swap is answered (the unknown x5t re-checks the file); the old key then fails as documented', async () => {
    const path = join(dir, 'swap.key.pem');
    await writeFile(path, pemOf(oldKey), { mode: 0o600 });
    // A poll a minute apart: only the re-check an unknown x5t makes can explain the new key being found in time.
    const serving = await serve([path], { pollIntervalInMs: 60_000 });
    try {
      assertMigrated(await serving.callout(oldKey), 'old key before the swap');
      assert.deepEqual(await keyExpiryLabels(serving.metrics), [oldKey.x5t]);

      await replaceAtomically(path, pemOf(newKey));
      assertMigrated(await serving.callout(newKey), 'new key right after the swap');
      assert.deepEqual(serving.keys.keyRing.keys.map((key) => key.x5t), [newKey.x5t]);
      assert.deepEqual(await keyExpiryLabels(serving.metrics), [newKey.x5t], '/metrics shows the reloaded key');

      // The file holds only the new key now: a context still encrypted to the old one cannot be decrypted. Keep both
      // keys (two files) through a rotation's switch-over, as the next test does.
      const stale = await serving.callout(oldKey);
      assert.equal(stale.status, 400);
      assert.equal(stale.body.error.code, 'CONTEXT_DECRYPT_FAILED');
      assert.ok(stale.elapsedInMs < DEADLINE_IN_MS);

      const reloaded = logLines(serving.logs()).filter((line) => line.msg.startsWith('decryption keys reloaded'));
      assert.equal(reloaded.length, 1, 'one info line per reload');
      assert.equal(reloaded[0]!.level, 30);
      assert.deepEqual(reloaded[0]!.files, [path]);
      assert.deepEqual(reloaded[0]!.keys, [{ id: newKey.x5t, x5t: newKey.x5t, notAfter: newKey.notAfter.toISOString(), source: path }]);
      assertNoKeyMaterial(serving.logs());
    } finally {
      await serving.close();
    }
  });

  test('with two key files, replacing the spare one while serving keeps the old key and adds the new one', async () => {
    const current = join(dir, 'slot-a.key.pem');
    const spare = join(dir, 'slot-b.key.pem');
    await writeFile(current, pemOf(oldKey), { mode: 0o600 });
    await writeFile(spare, pemOf(spareKey), { mode: 0o600 });
    const serving = await serve([current, spare], { pollIntervalInMs: 100 });
    try {
      assertMigrated(await serving.callout(oldKey), 'old key before');
      await replaceAtomically(spare, pemOf(newKey));
      // No callout: the poll alone finds the new file.
      await until(() => serving.keys.keyRing.keys.some((key) => key.x5t === newKey.x5t), 'the poll loads the replaced file');
      assert.deepEqual(serving.keys.keyRing.keys.map((key) => key.source), [current, spare], 'each key keeps its file and place');
      assertMigrated(await serving.callout(newKey), 'new key after the swap');
      assertMigrated(await serving.callout(oldKey), 'old key after the swap: still held from the other file');
      const gauge = parsePrometheusText(await serving.metrics.registry.metrics()).find((sample) => sample.name === 'entra_migrate_decryption_keys');
      assert.equal(gauge?.value, 2);
    } finally {
      await serving.close();
    }
  });

  test('a half-written, a non-RSA and a removed file keep the keys loaded before with one error line each; the completed file is loaded', async () => {
    const path = join(dir, 'in-place.key.pem');
    await writeFile(path, pemOf(oldKey), { mode: 0o600 });
    const serving = await serve([path], { pollIntervalInMs: 100 });
    const errors = () => logLines(serving.logs()).filter((line) => line.level === 50);
    try {
      const whole = pemOf(newKey);
      // Written in place, not renamed: a reader can see the first half alone.
      await writeFile(path, whole.slice(0, whole.length / 2));
      await until(() => errors().length === 1, 'the half-written file is reported');
      await new Promise((resolve) => setTimeout(resolve, 500)); // five more polls of the same half file
      assert.equal(errors().length, 1, 'one error line per version of the file, not one per poll');
      assert.equal(errors()[0]!.file, path);
      assert.match(errors()[0]!.problem, /in-place\.key\.pem/);
      assertMigrated(await serving.callout(oldKey), 'old key while the file is half written');
      assert.deepEqual(serving.keys.keyRing.keys.map((key) => key.x5t), [oldKey.x5t]);

      const { generateKeyPairSync } = await import('node:crypto');
      await writeFile(path, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      await until(() => errors().length === 2, 'the non-RSA file is reported');
      assert.match(errors()[1]!.problem, /must be RSA/);
      assertMigrated(await serving.callout(oldKey), 'old key while the file holds an EC key');

      await rm(path);
      await until(() => errors().length === 3, 'the removed file is reported');
      assert.match(errors()[2]!.problem, /in-place\.key\.pem: no such file/);
      assertMigrated(await serving.callout(oldKey), 'old key while the file is gone');
      await writeFile(path, pemOf(oldKey));
      await until(() => /decryption keys reloaded/.test(serving.logs()), 'the file holding the old key again is reported as loading');
      assert.deepEqual(serving.keys.keyRing.keys.map((key) => key.x5t), [oldKey.x5t]);

      await writeFile(path, whole);
      await until(() => serving.keys.keyRing.keys[0]?.x5t === newKey.x5t, 'the completed file is loaded');
      assert.equal(serving.logs().match(/decryption keys reloaded/g)?.length, 2, 'the old key back, then the new one');
      assertMigrated(await serving.callout(newKey), 'new key once the file is complete');
      assert.equal(errors().length, 3);
      assertNoKeyMaterial(serving.logs());
    } finally {
      await serving.close();
    }
  });

  test('a Kubernetes secret volume (the ..data symlink swapped to a new directory) is followed by the poll', async () => {
    const volume = join(dir, 'secret-volume');
    await mkdir(join(volume, '..2026_01'), { recursive: true });
    await writeFile(join(volume, '..2026_01', 'key.pem'), pemOf(oldKey), { mode: 0o600 });
    await symlink('..2026_01', join(volume, '..data'));
    await symlink(join('..data', 'key.pem'), join(volume, 'key.pem'));
    const serving = await serve([join(volume, 'key.pem')], { pollIntervalInMs: 100 });
    try {
      assertMigrated(await serving.callout(oldKey), 'old key before');
      // What the kubelet does: a new timestamped directory, a new symlink beside ..data, renamed over it.
      await mkdir(join(volume, '..2026_02'));
      await writeFile(join(volume, '..2026_02', 'key.pem'), pemOf(newKey), { mode: 0o600 });
      await symlink('..2026_02', join(volume, '..data_tmp'));
      await rename(join(volume, '..data_tmp'), join(volume, '..data'));
      await until(() => serving.keys.keyRing.keys[0]?.x5t === newKey.x5t, 'the poll follows the swapped symlink');
      assertMigrated(await serving.callout(newKey), 'new key after the swap');
    } finally {
      await serving.close();
    }
  });

  test('a file rewritten with the key it already held is not a reload', async () => {
    const path = join(dir, 'resync.key.pem');
    await writeFile(path, pemOf(oldKey), { mode: 0o600 });
    const serving = await serve([path], { pollIntervalInMs: 100 });
    try {
      const before = serving.keys.keyRing.keys;
      await replaceAtomically(path, pemOf(oldKey));
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(serving.keys.keyRing.keys, before, 'the same set');
      assert.doesNotMatch(serving.logs(), /decryption keys reloaded/);
    } finally {
      await serving.close();
    }
  });
  test('a Key Vault key stays in the ring through a file reload; the inline key is never reloaded', async () => {
    const path = join(dir, 'beside-vault.key.pem');
    await writeFile(path, pemOf(oldKey), { mode: 0o600 });
    const vault = remoteDecryptionKey({ keyId: 'https://vault.example/keys/k/1', unwrapper: { unwrapKey: async () => assert.fail('not used') }, certificatePem: spareKey.certificatePem });
    const logger = createLogger({ level: 'silent' });
    const keys = await openDecryptionKeys({ kind: 'files', paths: [path] }, [vault], { logger, pollIntervalInMs: 100 });
    try {
      await replaceAtomically(path, pemOf(newKey));
      await until(() => keys.keyRing.keys[0]?.x5t === newKey.x5t, 'the file is reloaded');
      assert.deepEqual(keys.keyRing.keys.map((key) => key.x5t), [newKey.x5t, spareKey.x5t], 'file keys first, then the vault key');
    } finally {
      await keys.close();
    }
    const inline = await openDecryptionKeys({ kind: 'inline', pem: pemOf(oldKey) }, [], { logger });
    assert.deepEqual(inline.keyRing.keys.map((key) => [key.x5t, key.source]), [[oldKey.x5t, 'JIT_DECRYPTION_KEY']]);
    assert.deepEqual(inline.keyRing.candidatesFor(newKey.x5t).map((key) => key.x5t), [oldKey.x5t], 'an unknown x5t reads no file');
    await inline.close();
  });
});
