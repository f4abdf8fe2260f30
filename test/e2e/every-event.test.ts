import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { openExtension, type Extension } from '../../src/app/index.js';
import { silentLogger } from '../../src/common/logger.js';
import { loadServeConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { runCli } from '../support/cli.js';
import { skipUnlessAiosmtpd, startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const ADMIN_APP = '2b6e0c4a-1d3f-4a5b-9c7e-8f0a1b2c3d4e';
const ADMIN_SECRET = 'every-event-admin-secret';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const parseEnvFile = (text: string) => Object.fromEntries(text.split('\n').filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).replace(/^"(.*)"$/, '$1')]));

/**
 * The whole chain for the two events of issue 12, with nothing stubbed: `setup --events` provisions them in the
 * emulated tenant through Graph, `serve` answers them (claims from the legacy SQLite store and the ledger, codes
 * through a real SMTP server), and the emulator calls them at the points Entra does.
 */
describe('setup --events → serve → the emulator calls OnTokenIssuanceStart and OnOtpSend', { skip: await skipUnlessAiosmtpd() }, () => {
  let emulator: RunningEmulator;
  let extension: Extension | undefined;
  let smtp: TestSmtpServer;
  let dir: string;
  let graphEnv: Record<string, string>;
  let clientAppId: string;
  let targetUrl: string;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    emulator.registerClientApp(ADMIN_APP, ADMIN_SECRET);
    smtp = await startSmtpServer();
    dir = await mkdtemp(join(tmpdir(), 'every-event-'));
    graphEnv = { ENTRA_TENANT_ID: emulator.tenant.tenantId, GRAPH_BASE_URL: emulator.url, AZURE_AUTHORITY_HOST: emulator.url, AZURE_CLIENT_ID: ADMIN_APP, AZURE_CLIENT_SECRET: ADMIN_SECRET };
    const client = emulator.objects.addApplication('Contoso web');
    emulator.objects.addServicePrincipal(client.appId, client.displayName);
    clientAppId = client.appId;
    targetUrl = `http://127.0.0.1:${await freePort()}/events/password-submit`;
    const legacy = new Database(join(dir, 'legacy.db'));
    legacy.exec('CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL, roles TEXT)');
    legacy.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run('L-7', 'ada@events.example', await bcryptHash(CANARY_PASSWORDS.correct, 4), '["Reader","Writer"]');
    legacy.close();
  });
  after(async () => {
    await extension?.close();
    await emulator?.close();
    await smtp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a migrated user\'s token carries legacyId and roles; a sign-up code arrives by our SMTP server; each call leaves an audit row', async () => {
    assert.equal((await runCli(['keys', 'generate', '--out', join(dir, 'keys'), '--name', 'jit'], { timeoutInMs: 60_000 })).code, 0);
    const setup = await runCli(
      ['setup', '--target-url', targetUrl, '--certificate', join(dir, 'keys', 'jit.cer'), '--client-app-id', clientAppId, '--key-file', join(dir, 'keys', 'jit.key.pem'),
        '--events', 'password-submit,token-issuance-start,otp-send', '--claims', 'legacyId,roles', '--write-env', join(dir, 'serve.env')],
      { env: graphEnv, timeoutInMs: 60_000 },
    );
    assert.equal(setup.code, 0, setup.stdout + setup.stderr);
    const settings = parseEnvFile(await readFile(join(dir, 'serve.env'), 'utf8'));

    await writeFile(join(dir, 'users.jsonl'), `${JSON.stringify({ id: 'L-7', email: 'ada@events.example', display_name: 'Ada' })}\n`);
    const ledgerUrl = `sqlite://${join(dir, 'ledger.db')}`;
    const premigrate = await runCli(['premigrate', '--from', join(dir, 'users.jsonl'), '--json'], {
      env: { ...graphEnv, ENTRA_TENANT_DOMAIN: emulator.tenant.domain, MIGRATION_FLAG_ATTRIBUTE: settings.MIGRATION_FLAG_ATTRIBUTE!, LEDGER_DATABASE_URL: ledgerUrl },
      timeoutInMs: 60_000,
    });
    assert.equal(premigrate.code, 0, premigrate.stderr);

    const port = Number(new URL(targetUrl).port);
    extension = await openExtension(
      loadServeConfig({
        ...settings,
        HOST: '127.0.0.1',
        PORT: String(port),
        LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
        LEGACY_USER_QUERY: 'SELECT id, password_hash FROM users WHERE email = :username',
        LEDGER_DATABASE_URL: ledgerUrl,
        TOKEN_CLAIMS_QUERY: 'SELECT roles FROM users WHERE id = :legacyId',
        OTP_SMTP_URL: smtp.url().href,
        OTP_FROM: 'Contoso <codes@contoso.example>',
      }),
      { logger: silentLogger() },
    );
    await extension.server.listen({ port, host: '127.0.0.1' });

    // Sign-in: OnPasswordSubmit migrates the password, then OnTokenIssuanceStart fills the token through the policy.
    const signIn = (await (await fetch(`${emulator.url}/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada@events.example', password: CANARY_PASSWORDS.correct, clientId: clientAppId, includeIdToken: true }) })).json()) as Record<string, any>;
    assert.equal(signIn.outcome, 'signed-in', JSON.stringify(signIn));
    assert.equal(signIn.migrated, true);
    assert.equal(signIn.claims.legacyId, 'L-7');
    // `roles` is in the JWT restricted claim set: setup maps the provider's roles to legacy_roles.
    assert.deepEqual(signIn.claims.legacy_roles, ['Reader', 'Writer']);
    assert.equal(signIn.claims.roles, undefined);

    // Sign-up: the code is sent by serve through the SMTP server, not shown by the emulator.
    const email = 'grace@events.example';
    const started = (await (await fetch(`${emulator.url}/api/sign-up/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, clientId: clientAppId, locale: 'fr-FR' }) })).json()) as Record<string, any>;
    assert.equal(started.outcome, 'code-sent-by-provider', JSON.stringify(started));
    assert.equal(started.code, undefined);
    const mail = smtp.messages().find((message) => message.rcptTos.includes(email));
    assert.ok(mail, 'the code reached the SMTP server');
    assert.match(mail.headers.from!, /codes@contoso\.example/);
    const code = /\b(\d{8})\b/.exec(mail.text ?? '')?.[1];
    assert.ok(code && mail.html?.includes(code), 'the code is in both bodies');
    const verified = (await (await fetch(`${emulator.url}/api/sign-up/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verificationId: started.verificationId, code }) })).json()) as Record<string, any>;
    assert.notEqual(verified.outcome, 'invalid-code', JSON.stringify(verified));

    // One audit row per call of each event, none holding the code or a claim value.
    const calls = await extension.ledger.listEventCalls();
    assert.deepEqual(calls.filter((call) => call.event === 'OnTokenIssuanceStart').map((call) => [call.action, call.status, call.legacyId]), [['provideClaimsForToken', 200, 'L-7']]);
    assert.deepEqual(calls.filter((call) => call.event === 'OnOtpSend').map((call) => [call.action, call.status, call.reason]), [['continueWithDefaultBehavior', 200, 'otp-sent']]);
    assert.doesNotMatch(JSON.stringify(calls), new RegExp(`${code}|Writer`));
  });
});
