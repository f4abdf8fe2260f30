import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/cli.js';

const RUN_CLI = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));

/** Starts `entra-migrate emulate` and resolves with the KEY=value settings it prints once it listens. */
function startEmulateProcess(args: string[]): Promise<{ child: ChildProcess; settings: Record<string, string> }> {
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
        resolve({ child, settings });
      }
    });
    child.on('exit', (code) => reject(new Error(`emulate exited with ${code}: ${out}`)));
  });
}

describe('entra-migrate emulate: the Graph side, from the command line', () => {
  let emulate: { child: ChildProcess; settings: Record<string, string> };
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
      MIGRATION_FLAG_ATTRIBUTE: 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated',
      LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
    };
    const dryRun = await runCli(['premigrate', '--from', file, '--dry-run'], { env, timeoutInMs: 60_000 });
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.match(dryRun.stdout, /directory quota: 0 of 5000 objects used; 5 more fit/);
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

  test('bad Graph options exit 2', async () => {
    for (const args of [['--graph-writes-per-app', '0'], ['--graph-503-rate', '1.5'], ['--graph-latency-ms', '-1'], ['--graph-client-id', 'x']]) {
      assert.equal((await runCli(['emulate', ...args])).code, 2, args.join(' '));
    }
  });
});
