import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';
import { startOtlpReceiver } from './otlp-receiver.js';

test('a wrong telemetry setting stops serve, premigrate, reconcile and cutover before they start (exit 2, the setting named, its value not echoed)', async () => {
  // cutover's --target-url is required by the command line itself, before any action (or telemetry) runs.
  for (const argv of [['serve'], ['premigrate'], ['reconcile'], ['cutover', '--target-url', 'https://extension.contoso.com/events/password-submit']]) {
    const command = argv[0]!;
    const result = await runCli(argv, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://api:Sup3rSecret@otlp.example.com' } });
    assert.equal(result.code, 2, `${command}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`^entra-migrate ${command}: OTEL_EXPORTER_OTLP_ENDPOINT must not hold credentials`, 'm'));
    assert.ok(!result.stderr.includes('Sup3rSecret'));
    // The command's own settings were never read: telemetry is checked first, and nothing else was reported.
    assert.equal(result.stderr.trim().split('\n').length, 2, `${command}: only the telemetry problem and "nothing was started"`);
  }
});

test('other commands never start telemetry, so its settings do not concern them', async () => {
  const status = await runCli(['status'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://nowhere', LEDGER_DATABASE_URL: 'sqlite:///nonexistent/dir/ledger.db' } });
  assert.match(status.stderr, /LEDGER_UNAVAILABLE/, 'status ran its action');
  assert.ok(!status.stderr.includes('OTEL_'), status.stderr);
});

test('serve with OTLP set starts telemetry before its own settings are read, and stops it on the way out without waiting', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const startedAt = Date.now();
    const result = await runCli(['serve'], { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
    assert.equal(result.code, 2, 'serve refuses its own missing settings');
    assert.match(result.stderr, /ENTRA_TENANT_ID/);
    assert.match(result.stdout, /"msg":"telemetry is sent to otlp"/);
    assert.match(result.stdout, new RegExp(`"otlpEndpoint":"${receiver.url.replace(/[.]/g, '\\.')}"`));
    assert.ok(Date.now() - startedAt < 15_000);
  } finally {
    await receiver.close();
  }
});
