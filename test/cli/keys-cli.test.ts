import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encryptPasswordContext } from '../../src/emulator/index.js';
import { decryptPasswordContext, loadKeyRing } from '../../src/security/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { runCli } from '../support/cli.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';

describe('entra-migrate keys', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keys-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('generate writes a 0600 key with its certificate, PEM and DER certificates, and a keyCredential that matches them', async () => {
    const out = join(dir, 'first');
    const run = await runCli(['keys', 'generate', '--out', out, '--name', 'jit-a', '--subject', 'CN=contoso migration, O=Contoso', '--days', '30', '--json'], { timeoutInMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { x5t: string; files: Record<string, string>; keyCredential: Record<string, string> };
    assert.equal((await stat(result.files.privateKey!)).mode & 0o777, 0o600);
    const der = await readFile(join(out, 'jit-a.cer'));
    const certificate = new X509Certificate(der);
    assert.equal(certificate.toString().trim(), new X509Certificate(await readFile(join(out, 'jit-a.cert.pem'))).toString().trim());
    assert.equal(result.x5t, createHash('sha1').update(der).digest('base64url'));
    assert.match(certificate.subject, /CN=contoso migration/);
    const { keyCredential } = result;
    assert.deepEqual([keyCredential.type, keyCredential.usage, keyCredential.key], ['AsymmetricX509Cert', 'Encrypt', der.toString('base64')]);
    assert.match(keyCredential.keyId!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(keyCredential.startDateTime, new Date(certificate.validFrom).toISOString().replace('.000Z', 'Z'));
    assert.equal(keyCredential.endDateTime, new Date(certificate.validTo).toISOString().replace('.000Z', 'Z'));
    assert.equal(Date.parse(keyCredential.endDateTime!) - Date.parse(keyCredential.startDateTime!), 30 * 86_400_000);
    assert.doesNotMatch(run.stdout, /PRIVATE KEY/);

    // The key file is what serve reads: it decrypts a context Entra (the emulator) encrypted to the certificate.
    const keyFile = await readFile(result.files.privateKey!, 'utf8');
    const ring = loadKeyRing([{ pem: keyFile, source: 'jit-a.key.pem' }]);
    assert.equal(ring.keys[0]!.x5t, result.x5t);
    const jwe = await encryptPasswordContext({ certificatePem: await readFile(join(out, 'jit-a.cert.pem'), 'utf8'), appId: APP_ID, resourceHost: 'auth.contoso.example', password: CANARY_PASSWORDS.correct, username: 'ada@contoso.example', nonce: 'n-1', now: Date.now() });
    const context = await decryptPasswordContext(jwe, { keyRing: ring, expectedAudience: APP_ID, now: Date.now() });
    assert.equal(context.nonce, 'n-1');
  });

  test('a 4096-bit key on request; an existing key is never overwritten', async () => {
    const out = join(dir, 'big');
    const first = await runCli(['keys', 'generate', '--out', out, '--name', 'k', '--bits', '4096', '--json'], { timeoutInMs: 60_000 });
    assert.equal(first.code, 0, first.stderr);
    const keyBefore = await readFile(join(out, 'k.key.pem'));
    assert.equal(loadKeyRing([{ pem: keyBefore.toString(), source: "k" }]).keys[0]!.privateKey!.asymmetricKeyDetails?.modulusLength, 4096);
    const again = await runCli(['keys', 'generate', '--out', out, '--name', 'k'], { timeoutInMs: 60_000 });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /EEXIST|exists/);
    assert.deepEqual(await readFile(join(out, 'k.key.pem')), keyBefore);
  });

  test('rotate adds a key beside the old one and names both for JIT_DECRYPTION_KEY_FILE', async () => {
    const out = join(dir, 'rotating');
    assert.equal((await runCli(['keys', 'rotate', '--dir', out])).code, 2, 'nothing to rotate yet');
    assert.equal((await runCli(['keys', 'generate', '--out', out], { timeoutInMs: 60_000 })).code, 0);
    const rotated = await runCli(['keys', 'rotate', '--dir', out], { timeoutInMs: 60_000 });
    assert.equal(rotated.code, 0, rotated.stderr);
    const keyFiles = (await readdir(out)).filter((file) => file.endsWith('.key.pem'));
    assert.equal(keyFiles.length, 2);
    const old = keyFiles.find((file) => /^jit-\d{8}\.key\.pem$/.test(file))!;
    const added = keyFiles.find((file) => /^jit-\d{8}-2\.key\.pem$/.test(file))!;
    assert.ok(old && added, keyFiles.join(' '));
    assert.ok(rotated.stdout.includes(`JIT_DECRYPTION_KEY_FILE=${join(out, old)},${join(out, added)}`), rotated.stdout);
    assert.match(rotated.stdout, /\(new\)/);
  });

  test('bad options exit 2 and write nothing', async () => {
    const out = join(dir, 'bad');
    for (const args of [['--bits', '1024'], ['--days', '0'], ['--days', '5000'], ['--name', '../escape'], ['--subject', 'not a name']]) {
      assert.equal((await runCli(['keys', 'generate', '--out', out, ...args])).code, 2, args.join(' '));
    }
    await assert.rejects(stat(out));
    await writeFile(join(dir, 'a-file'), 'x');
    const notADirectory = await runCli(['keys', 'generate', '--out', join(dir, 'a-file')], { timeoutInMs: 60_000 });
    assert.equal(notADirectory.code, 1);
  });
});
