import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/cli.js';

const RUN_CLI = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));

/** Starts `entra-migrate emulate` and resolves with the KEY=value settings it prints once it listens. */
function startEmulateProcess(args: string[]): Promise<{ child: ChildProcess; settings: Record<string, string>; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, 'emulate', '--port', '0', '--log-level', 'silent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulate did not start: ${out}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!/AZURE_CLIENT_SECRET=\S+\n/.test(out)) return;
      const settings = Object.fromEntries([...out.matchAll(/^\s+([A-Z_]+)=(\S+)$/gm)].map((match) => [match[1]!, match[2]!]));
      if (settings.AZURE_CLIENT_SECRET) {
        clearTimeout(timer);
        resolve({ child, settings, output: out });
      }
    });
    child.on('exit', (code) => reject(new Error(`emulate exited with ${code}: ${out}`)));
  });
}

/** Stops an emulate process and waits until it has exited. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A client-credentials token from the emulator `emulate` started, with the settings it printed. */
async function tokenOf(settings: Record<string, string>): Promise<string> {
  const response = await fetch(`${settings.GRAPH_BASE_URL}/${settings.ENTRA_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: settings.AZURE_CLIENT_ID!, client_secret: settings.AZURE_CLIENT_SECRET!, scope: 'https://graph.microsoft.com/.default' }) });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Defines the migration flag through the emulated Graph, as setup does, and returns its attribute name. */
async function defineFlagThroughGraph(settings: Record<string, string>): Promise<string> {
  const headers = { authorization: `Bearer ${await tokenOf(settings)}`, 'content-type': 'application/json' };
  const filter = encodeURIComponent("startswith(displayName,'b2c-extensions-app')");
  const b2c = ((await (await fetch(`${settings.GRAPH_BASE_URL}/v1.0/applications?$filter=${filter}`, { headers })).json()) as { value: Array<{ id: string }> }).value[0]!;
  const created = await fetch(`${settings.GRAPH_BASE_URL}/v1.0/applications/${b2c.id}/extensionProperties`, { method: 'POST', headers, body: JSON.stringify({ name: 'toBeMigrated', dataType: 'Boolean', targetObjects: ['User'] }) });
  return ((await created.json()) as { name: string }).name;
}

describe('entra-migrate emulate: the Graph side, from the command line', () => {
  let emulate: { child: ChildProcess; settings: Record<string, string>; output: string };
  let dir: string;
  before(async () => {
    emulate = await startEmulateProcess(['--graph-writes-per-app', '6', '--graph-window-seconds', '600', '--graph-quota', '5000']);
    dir = await mkdtemp(join(tmpdir(), 'emulate-graph-'));
  });
  after(async () => {
    emulate.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  test('prints the settings premigrate needs, and premigrate works with them', async () => {
    for (const name of ['GRAPH_BASE_URL', 'AZURE_AUTHORITY_HOST', 'ENTRA_TENANT_ID', 'ENTRA_TENANT_DOMAIN', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET']) assert.ok(emulate.settings[name], name);
    const file = join(dir, 'users.jsonl');
    await writeFile(file, Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `e${i}`, email: `e${i}@legacy.example` })).join('\n'));
    const env = {
      ...emulate.settings,
      MIGRATION_FLAG_ATTRIBUTE: await defineFlagThroughGraph(emulate.settings),
      LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
    };
    const dryRun = await runCli(['premigrate', '--from', file, '--dry-run'], { env, timeoutInMs: 60_000 });
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.match(dryRun.stdout, /directory quota: 0 of 5,?000 objects used/);
    const run = await runCli(['premigrate', '--from', file, '--json'], { env, timeoutInMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).created, 5);
  });

  test('--graph-writes-per-app throttles the next write with 429 and Retry-After', async () => {
    const { GRAPH_BASE_URL: url, ENTRA_TENANT_ID: tenant, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: secret, ENTRA_TENANT_DOMAIN: domain } = emulate.settings;
    const tokenResponse = await fetch(`${url}/${tenant}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId!, client_secret: secret!, scope: 'https://graph.microsoft.com/.default' }) });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const create = (email: string) =>
      fetch(`${url}/v1.0/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: email, identities: [{ signInType: 'emailAddress', issuer: domain, issuerAssignedId: email }], passwordProfile: { password: 'Random-Initial-Password-1!' } }),
      });
    assert.equal((await create('sixth@legacy.example')).status, 201, 'five writes above, this is the sixth');
    const throttled = await create('seventh@legacy.example');
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) > 500);
  });

  test('--graph-503-after-write-rate writes, then answers 503; --graph-503-retry-after none sends no Retry-After', async () => {
    const faulty = await startEmulateProcess(['--graph-503-after-write-rate', '1', '--graph-503-retry-after', 'none']);
    try {
      const { GRAPH_BASE_URL: url, ENTRA_TENANT_DOMAIN: domain } = faulty.settings;
      const headers = { authorization: `Bearer ${await tokenOf(faulty.settings)}`, 'content-type': 'application/json' };
      const email = 'after-write@legacy.example';
      const create = await fetch(`${url}/v1.0/users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ displayName: email, identities: [{ signInType: 'emailAddress', issuer: domain, issuerAssignedId: email }], passwordProfile: { password: 'Random-Initial-Password-1!' } }),
      });
      assert.equal(create.status, 503);
      assert.equal(create.headers.get('retry-after'), null);
      const filter = encodeURIComponent(`identities/any(c:c/issuerAssignedId eq '${email}' and c/issuer eq '${domain}')`);
      const found = (await (await fetch(`${url}/v1.0/users?$filter=${filter}`, { headers })).json()) as { value: unknown[] };
      assert.equal(found.value.length, 1, 'the user was written though the answer said 503');
    } finally {
      await stop(faulty.child);
    }
  });

  test('bad Graph options exit 2', async () => {
    for (const args of [['--graph-writes-per-app', '0'], ['--graph-503-rate', '1.5'], ['--graph-503-after-write-rate', '2'], ['--graph-503-retry-after', 'soon'], ['--graph-latency-ms', '-1'], ['--graph-client-id', 'x']]) {
      assert.equal((await runCli(['emulate', ...args])).code, 2, args.join(' '));
    }
  });
});

describe('entra-migrate emulate: as strict as Graph, and remembering', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulate-strict-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a made-up MIGRATION_FLAG_ATTRIBUTE is refused as Graph refuses it, and --graph-quota stops creates at the quota', async () => {
    const emulate = await startEmulateProcess(['--graph-quota', '3']);
    try {
      const file = join(dir, 'users.jsonl');
      await writeFile(file, Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `q${i}`, email: `q${i}@legacy.example` })).join('\n'));
      const env = { ...emulate.settings, LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger-made-up.db')}` };
      const madeUp = await runCli(['premigrate', '--from', file, '--json'], { env: { ...env, MIGRATION_FLAG_ATTRIBUTE: 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated' }, timeoutInMs: 60_000 });
      assert.notEqual(madeUp.code, 0, 'not "created, exit 0"');
      const refused = JSON.parse(madeUp.stdout) as { created: number; failures: Array<{ reason: string }> };
      assert.equal(refused.created, 0);
      assert.match(refused.failures[0]!.reason, /The following extension properties are not available: extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated/);

      const flag = await defineFlagThroughGraph(emulate.settings);
      const run = await runCli(['premigrate', '--from', file, '--json'], { env: { ...env, MIGRATION_FLAG_ATTRIBUTE: flag, LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger-quota.db')}` }, timeoutInMs: 60_000 });
      const summary = JSON.parse(run.stdout) as { created: number; failed: number; failures: Array<{ reason: string }> };
      assert.equal(summary.created, 3, 'no more than the quota');
      assert.equal(summary.failed, 2);
      assert.match(summary.failures[0]!.reason, /The directory object quota limit for the Tenant has been exceeded/);
    } finally {
      await stop(emulate.child);
    }
  });

  test('restarted on the same --directory: the same tenant id and secret, setup\'s objects kept; --new-graph-secret and --tenant-id conflicts', async () => {
    const file = join(dir, 'tenant.db');
    const first = await startEmulateProcess(['--directory', file]);
    const flag = await defineFlagThroughGraph(first.settings);
    await stop(first.child);
    assert.equal((await stat(file)).mode & 0o777, 0o600);

    const second = await startEmulateProcess(['--directory', file]);
    try {
      assert.equal(second.settings.ENTRA_TENANT_ID, first.settings.ENTRA_TENANT_ID);
      assert.equal(second.settings.AZURE_CLIENT_SECRET, first.settings.AZURE_CLIENT_SECRET);
      assert.match(second.output, /Directory: +.*tenant\.db \(restored: 0 users/);
      const headers = { authorization: `Bearer ${await tokenOf(second.settings)}` };
      const b2c = ((await (await fetch(`${second.settings.GRAPH_BASE_URL}/v1.0/applications?$filter=${encodeURIComponent("startswith(displayName,'b2c-extensions-app')")}`, { headers })).json()) as { value: Array<{ id: string }> }).value[0]!;
      const properties = (await (await fetch(`${second.settings.GRAPH_BASE_URL}/v1.0/applications/${b2c.id}/extensionProperties`, { headers })).json()) as { value: Array<{ name: string }> };
      assert.deepEqual(properties.value.map((property) => property.name), [flag]);
    } finally {
      await stop(second.child);
    }

    const renewed = await startEmulateProcess(['--directory', file, '--new-graph-secret']);
    await stop(renewed.child);
    assert.equal(renewed.settings.ENTRA_TENANT_ID, first.settings.ENTRA_TENANT_ID);
    assert.notEqual(renewed.settings.AZURE_CLIENT_SECRET, first.settings.AZURE_CLIENT_SECRET);

    const other = '0b5c9d3e-1f2a-4b6c-8d7e-9f0a1b2c3d4e';
    const conflict = await runCli(['emulate', '--port', '0', '--directory', file, '--tenant-id', other]);
    assert.equal(conflict.code, 2);
    assert.ok(conflict.stderr.includes(first.settings.ENTRA_TENANT_ID!) && conflict.stderr.includes(other), conflict.stderr);
    assert.doesNotMatch(conflict.stdout, /running/);
  });

  test('a port in use: says so and which option to change, exit 1; a missing certificate: exit 2 before anything listens', async () => {
    const busy: Server = await new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    try {
      const port = (busy.address() as { port: number }).port;
      const inUse = await runCli(['emulate', '--port', String(port)]);
      assert.equal(inUse.code, 1);
      assert.match(inUse.stderr, new RegExp(`port ${port} is in use on 127\\.0\\.0\\.1; choose another with --port`));
      assert.doesNotMatch(inUse.stdout, /running|listening/i);
    } finally {
      busy.close();
    }
    const missing = await runCli(['emulate', '--port', '0', '--log-level', 'info', '--extension-url', 'http://127.0.0.1:7071/events/password-submit', '--extension-app-id', '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d', '--extension-certificate', join(dir, 'no-such.pem')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--extension-certificate .*no-such\.pem: no such file; `entra-migrate keys generate` writes one/);
    assert.doesNotMatch(missing.stdout, /running|listening/i);
  });
});
