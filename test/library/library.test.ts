import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { APP_ID, CORRELATION_ID, libraryTenant, type LibraryTenant } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(ROOT, 'dist/library/events.js');
const TYPES = join(ROOT, 'dist/library/events.d.ts');
/** The folders the built entry is compiled from: a newer source file means dist/ is stale. */
const SOURCES = ['src/library', 'src/events', 'src/security', 'src/handlers', 'src/common'].map((dir) => join(ROOT, dir));
/** Through a variable, so the type check never needs dist/: the test builds it first when it is missing or stale. */
const PACKAGE_ENTRY = 'entra-migrate/events';

function newestSource(dir: string): number {
  return Math.max(0, ...readdirSync(dir).map((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    return stat.isDirectory() ? newestSource(path) : name.endsWith('.ts') ? stat.mtimeMs : 0;
  }));
}

/** The package as published: `npm run build` output, rebuilt here when older than its sources (and said so). */
function ensureBuilt(): string {
  const newest = Math.max(...SOURCES.map(newestSource));
  if (existsSync(ENTRY) && existsSync(TYPES) && statSync(ENTRY).mtimeMs >= newest && statSync(TYPES).mtimeMs >= newest) return 'dist/ is up to date';
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.ok(existsSync(ENTRY) && existsSync(TYPES), `npm run build did not produce dist/library/events.js: ${build.stdout}${build.stderr}`);
  return `dist/ was missing or stale: built it (tsc exit ${build.status}${build.status ? `, ${build.stdout.split('\n')[0]}` : ''})`;
}

type Library = typeof import('../../src/library/events.js');
let library: Library;
let buildNote: string;

before(async () => {
  buildNote = ensureBuilt();
  library = (await import(PACKAGE_ENTRY)) as Library;
});

describe('entra-migrate/events, imported by its package name', () => {
  test('the build is there (built by this test when it was not)', (t) => {
    t.diagnostic(buildNote);
    assert.ok(existsSync(ENTRY));
  });

  test('package.json exports ./events with its types, and nothing under dist/ by another path', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.exports['./events'], { types: './dist/library/events.d.ts', import: './dist/library/events.js' });
    await assert.rejects(import(`${'entra-migrate'}/dist/library/events.js`), (error: Error & { code?: string }) => error.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    const types = readFileSync(TYPES, 'utf8');
    for (const name of ['createEventEndpoint', 'parseTokenIssuanceStartRequest', 'decryptPasswordContext', 'answerEvent']) assert.match(types, new RegExp(`\\b${name}\\b`), name);
  });

  test('for each of the five events: the parser, the builder, the schemas; and the shared pieces', () => {
    const expected = [
      ...['PasswordSubmit', 'AttributeCollectionStart', 'AttributeCollectionSubmit', 'TokenIssuanceStart', 'OtpSend'].flatMap((event) => [`parse${event}Request`, `build${event}Response`, `parse${event}Response`]),
      ...['passwordSubmit', 'attributeCollectionStart', 'attributeCollectionSubmit', 'tokenIssuanceStart', 'otpSend'].flatMap((event) => [`${event}RequestSchema`, `${event}ResponseSchema`]),
      'createCallerTokenVerifier', 'createSigningKeySource', 'openIdConfigurationUrlsFor', 'decryptPasswordContext', 'loadKeyRing',
      'answerEvent', 'createEventEndpoint', 'EventCallFailure', 'callerTokenRefusal', 'EventError', 'SecurityError', 'EntraMigrateError',
    ];
    for (const name of expected) assert.ok((library as Record<string, unknown>)[name] !== undefined, `entra-migrate/events does not export ${name}`);
    assert.deepEqual([...library.EVENT_NAMES], ['OnPasswordSubmit', 'OnAttributeCollectionStart', 'OnAttributeCollectionSubmit', 'OnTokenIssuanceStart', 'OnOtpSend']);
  });

  test('the built parsers and builders are the protocol: Microsoft\'s token issuance request in, its answer out', async () => {
    const t = await libraryTenant();
    const request = library.parseTokenIssuanceStartRequest(t.body('token-issuance-start'), { tenantId: t.tenantId });
    assert.equal(request.data.authenticationContext.correlationId, CORRELATION_ID);
    const expected = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/entra/token-issuance-start.response.provideClaimsForToken.json'), 'utf8'));
    const claims = expected.data.actions[0].claims;
    assert.deepEqual(library.buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims }), expected);
    assert.throws(() => library.parseOtpSendRequest({}, { tenantId: t.tenantId }), (error: Error & { code?: string }) => error instanceof library.EventError && error.code === 'EVENT_REQUEST_INVALID');
  });
});

describe('entra-migrate/events, type-checked as a TypeScript consumer sees it (dist/*.d.ts)', () => {
  test('a typed handler compiles; claims of the wrong type and OnPasswordSubmit without keys do not', () => {
    const consumer = `
      import { createEventEndpoint, EventCallFailure, type EventAnswer, type TokenIssuanceStartRequest } from 'entra-migrate/events';
      const endpoint = createEventEndpoint({
        event: 'OnTokenIssuanceStart', tenantId: 't', extensionAppId: 'a',
        handle: async (request: TokenIssuanceStartRequest, context) => {
          context.audit({ reason: 'claims-from-legacy', legacyId: request.data.authenticationContext.user.id });
          if (context.abortSignal.aborted) throw new EventCallFailure(503, 'LATE', 'Too late.');
          return { action: 'provideClaimsForToken', claims: { roles: ['Reader'] } };
        },
      });
      export const answer: Promise<EventAnswer> = endpoint({ body: '{}', authorization: undefined, host: undefined });
      // @ts-expect-error a claim is a string or an array of strings
      createEventEndpoint({ event: 'OnTokenIssuanceStart', tenantId: 't', extensionAppId: 'a', handle: () => ({ action: 'provideClaimsForToken', claims: { n: 1 } }) });
      // @ts-expect-error OnPasswordSubmit needs the key ring
      createEventEndpoint({ event: 'OnPasswordSubmit', tenantId: 't', extensionAppId: 'a', handle: () => ({ action: 'Block' }) });
      createEventEndpoint({ event: 'OnOtpSend', tenantId: 't', extensionAppId: 'a', handle: (request) => (request.data.otpContext.identifier, { action: 'continueWithDefaultBehavior' }) });
    `;
    // A file that is not on disk, inside the package, so that `entra-migrate/events` resolves to this package's exports.
    const path = join(ROOT, 'test/library/consumer.virtual.ts');
    const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: ['node'] };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (file) => file === path || fileExists.call(host, file);
    host.readFile = (file) => (file === path ? consumer : readFile.call(host, file));
    host.getSourceFile = (file, language, ...rest) => (file === path ? ts.createSourceFile(file, consumer, language) : getSourceFile.call(host, file, language, ...rest));
    const program = ts.createProgram([path], options, host);
    const problems = ts.getPreEmitDiagnostics(program).filter((diagnostic) => diagnostic.file?.fileName === path || !diagnostic.file);
    assert.deepEqual(problems.map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')), []);
    const resolved = program.getSourceFiles().map((file) => file.fileName).find((file) => file.endsWith('dist/library/events.d.ts'));
    assert.ok(resolved, 'entra-migrate/events resolved to dist/library/events.d.ts');
  });
});

describe('the ten-line example of docs/library.md, run as written', () => {
  let t: LibraryTenant;
  let metadata: Server;
  let example: ChildProcess;
  let base: string;
  let output = '';

  before(async () => {
    t = await libraryTenant();
    // Entra's OpenID metadata and keys for the emulated tenant, on loopback; the example's process reaches them
    // through a fetch that sends Entra's two metadata hosts here (the example itself is unchanged).
    metadata = createServer((req, res) => {
      const document = req.url === `/${t.tenantId}/v2.0/.well-known/openid-configuration` ? t.tenant.openIdConfiguration(metadataBase) : req.url === `/${t.tenantId}/discovery/v2.0/keys` ? t.tenant.jwks() : undefined;
      res.writeHead(document ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(document ?? {}));
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    const metadataBase = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
    const preload = `const real = globalThis.fetch; globalThis.fetch = (input, init) => { const url = new URL(String(input instanceof Request ? input.url : input)); return url.hostname.endsWith('.ciamlogin.com') || url.hostname === 'login.microsoftonline.com' ? real(${JSON.stringify(metadataBase)} + url.pathname, init) : real(input, init); };`;

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    example = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(preload)}`, '--input-type=module', '-e', exampleCode()], {
      cwd: ROOT, // the package resolves its own name from here
      env: { PATH: process.env.PATH, ENTRA_TENANT_ID: t.tenantId, ENTRA_EXTENSION_APP_ID: APP_ID, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    example.stdout!.on('data', (chunk) => (output += chunk));
    example.stderr!.on('data', (chunk) => (output += chunk));
    await listening(base, () => output);
  });
  after(async () => {
    example?.kill();
    await new Promise<void>((resolve) => metadata?.close(() => resolve()) ?? resolve());
  });

  const post = async (body: unknown, authorization?: string) =>
    fetch(`${base}/events/token-issuance-start`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization && { authorization }) }, body: JSON.stringify(body) });

  test('a real caller token and Microsoft\'s request: 200 with the legacy id and the role, as JSON', async () => {
    const response = await post(t.body('token-issuance-start'), await t.authorization());
    assert.equal(response.status, 200, output);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), {
      data: {
        '@odata.type': 'microsoft.graph.onTokenIssuanceStartResponseData',
        actions: [{ '@odata.type': 'microsoft.graph.tokenIssuanceStart.provideClaimsForToken', claims: { legacyId: '42', roles: ['Reader'] } }],
      },
    });
  });

  test('a user it does not know: claims {} (never a null bag)', async () => {
    const body = t.body('token-issuance-start');
    body.data.authenticationContext.user.id = '00000000-0000-4000-8000-00000000beef';
    const response = await post(body, await t.authorization());
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as any).data.actions[0].claims, {});
  });

  test('no token → 401 with the challenge; a token of another tenant → 401 invalid_token; another event → 400', async () => {
    const none = await post(t.body('token-issuance-start'));
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const stranger = await post(t.body('token-issuance-start'), await (await libraryTenant()).authorization());
    assert.equal(stranger.status, 401);
    assert.match(stranger.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const other = await post(t.body('otp-send'), await t.authorization());
    assert.equal(other.status, 400);
    assert.equal(((await other.json()) as any).error.code, 'EVENT_REQUEST_INVALID');
  });

  test('it is about ten lines', () => {
    const lines = exampleCode().split('\n').filter((line) => line.trim() !== '');
    assert.ok(lines.length <= 16, `${lines.length} lines`);
  });
});

/** The first js block under the page's "Ten lines" heading, as the reader copies it. */
function exampleCode(): string {
  const page = readFileSync(join(ROOT, 'docs/library.md'), 'utf8');
  const section = page.split(/^## /m).find((part) => part.startsWith('Ten lines')) ?? assert.fail('docs/library.md has no "## Ten lines" section');
  return /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? assert.fail('the "Ten lines" section has no js block');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits until the example answers (any status), or fails with what it printed. */
async function listening(base: string, printed: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await fetch(base, { method: 'POST' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  assert.fail(`the example did not start listening: ${printed()}`);
}
