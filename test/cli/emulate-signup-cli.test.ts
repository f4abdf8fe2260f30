import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { generateDecryptionKey } from '../../src/security/index.js';
import { runCli } from '../support/cli.js';

const RUN_CLI = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const LEGACY_ID = `extension_${APP_ID.replace(/-/g, '')}_legacyId`;

/** An OnAttributeCollectionStart extension that blocks every sign-up, counting what it was asked. */
async function startBlockingExtension(): Promise<{ server: Server; url: string; bodies: Array<Record<string, unknown>> }> {
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      bodies.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        data: {
          '@odata.type': 'microsoft.graph.onAttributeCollectionStartResponseData',
          actions: [{ '@odata.type': 'microsoft.graph.attributeCollectionStart.showBlockPage', message: 'Blocked by the test extension.' }],
        },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/events/attribute-collection-start`, bodies };
}

function startEmulate(args: string[]): Promise<{ child: ChildProcess; output: string; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, 'emulate', '--port', '0', '--log-level', 'silent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulate did not start: ${out}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!/AZURE_CLIENT_SECRET=\S+\n/.test(out)) return;
      clearTimeout(timer);
      resolve({ child, output: out, url: /Sign-in page: +(\S+)/.exec(out)![1]! });
    });
    child.on('exit', (code) => reject(new Error(`emulate exited with ${code}: ${out}`)));
  });
}

describe('entra-migrate emulate: the sign-up flow\'s extensions from the command line', () => {
  let dir: string;
  let certificate: string;
  let extension: Awaited<ReturnType<typeof startBlockingExtension>>;
  let emulate: Awaited<ReturnType<typeof startEmulate>>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emulate-signup-'));
    certificate = join(dir, 'extension.crt');
    await writeFile(certificate, (await generateDecryptionKey()).certificatePem);
    extension = await startBlockingExtension();
    emulate = await startEmulate([
      '--extension-url', 'http://127.0.0.1:9/events/password-submit', '--extension-app-id', APP_ID, '--extension-certificate', certificate,
      '--attribute-collection-start-url', extension.url, '--signup-attribute', `${LEGACY_ID}:string:hidden`,
    ]);
  });
  after(async () => {
    emulate?.child.kill('SIGTERM');
    extension?.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the start lines name the sign-up page and the extension it calls', () => {
    assert.match(emulate.output, /Sign-up page: +http:\/\/127\.0\.0\.1:\d+\/signup\n/);
    assert.ok(emulate.output.includes(`OnAttributeCollectionStart →   ${extension.url}`));
    assert.doesNotMatch(emulate.output, /OnAttributeCollectionSubmit/);
  });

  test('a sign-up calls the configured start extension with the hidden custom attribute, and its block page ends it', async () => {
    const post = async (path: string, body: unknown) => (await fetch(`${emulate.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<Record<string, string>>;
    const sent = await post('/api/sign-up/start', { email: 'new.user@contoso.example' });
    const verified = await post('/api/sign-up/verify', { verificationId: sent.verificationId, code: sent.code });
    assert.equal(verified.outcome, 'blocked', JSON.stringify(verified));
    assert.equal(extension.bodies.length, 1);
    const attributes = (extension.bodies[0]!.data as { userSignUpInfo: { attributes: Record<string, unknown> } }).userSignUpInfo.attributes;
    assert.ok(LEGACY_ID in attributes, 'the custom attribute is part of the flow');
  });

  test('sign-up options need the --extension-* options; a bad attribute type is a usage error', async () => {
    assert.equal((await runCli(['emulate', '--attribute-collection-start-url', extension.url])).code, 2);
    assert.equal((await runCli(['emulate', '--signup-attribute', `${LEGACY_ID}:float`])).code, 2);
  });
});
