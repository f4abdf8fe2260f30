/**
 * The Bicep template (deploy/bicep) and azure.yaml, checked without the Bicep compiler: neither the npm registry nor
 * Debian carries one that runs offline (the npm wrappers download the CLI at run time). So the files are read the
 * way the compiler would need them to be: every resource type and API version from a list of stable ones, every
 * module call against the module's parameters, every parameter described, secrets only in @secure() parameters and
 * never in an output, the managed identity's only Key Vault permission the unwrap data action on the one key, and the
 * app settings exactly the names `serve` reads (checked by loading serve's configuration from them).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { parse as parseYaml } from 'yaml';
import { loadServeConfig } from '../../src/config/index.js';
import { parseLedgerUrl } from '../../src/ledger/index.js';
import { passwordSubmitRoutes, type PasswordSubmitRoutesOptions } from '../../src/server/routes/password-submit.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BICEP_DIR = join(ROOT, 'deploy', 'bicep');

/**
 * Stable (non-preview) API versions, each checked against the Azure resource reference when it was chosen. A new
 * resource type, or a newer version, is added here deliberately.
 */
const KNOWN_GOOD_API_VERSIONS: Readonly<Record<string, string>> = {
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2023-01-31',
  'Microsoft.OperationalInsights/workspaces': '2023-09-01',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.KeyVault/vaults': '2023-07-01',
  'Microsoft.KeyVault/vaults/keys': '2023-07-01',
  'Microsoft.Authorization/roleDefinitions': '2022-04-01',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.DBforPostgreSQL/flexibleServers': '2024-08-01',
  'Microsoft.DBforPostgreSQL/flexibleServers/databases': '2024-08-01',
  'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules': '2024-08-01',
  'Microsoft.ContainerRegistry/registries': '2023-07-01',
  'Microsoft.App/managedEnvironments': '2024-03-01',
  'Microsoft.App/containerApps': '2024-03-01',
  'Microsoft.Storage/storageAccounts': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2023-05-01',
  'Microsoft.Web/serverfarms': '2024-04-01',
  'Microsoft.Web/sites': '2024-04-01',
};

/** Built-in role ids the platform identity may hold: AcrPull, Storage Blob Data Owner. */
const PLATFORM_ROLES = new Set(['7f951dda-4ed3-4680-a7ca-43fe172d538d', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b']);

/** What a secret looks like by name; such a parameter must be @secure() and such an output must not exist. */
const SECRET_NAME = /password|secret|token|connectionstring|sharedkey|accesskey|credential|settings$/i;

// ---------------------------------------------------------------------------------------------------------------
// A reader for the part of Bicep these files use: comments, strings, top-level declarations with their decorators.

interface Declaration {
  readonly kind: 'param' | 'var' | 'resource' | 'module' | 'output' | 'targetScope';
  readonly name: string;
  readonly decorators: readonly string[];
  /** The declaration's text, comments removed, from its keyword to its end. */
  readonly text: string;
}

interface BicepFile {
  readonly path: string;
  readonly declarations: readonly Declaration[];
  find(kind: Declaration['kind'], name: string): Declaration;
  all(kind: Declaration['kind']): Declaration[];
}

/** Replaces comments by spaces (keeping line breaks), leaving strings — 'https://…' among them — alone. */
function stripComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === "'") {
      const end = stringEnd(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') (out += ' '), i++;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      assert.notEqual(end, -1, 'an unterminated /* comment');
      out += source.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just past the string that starts at `start` (Bicep escapes a quote as \'). */
function stringEnd(source: string, start: number): number {
  if (source.startsWith("'''", start)) return source.indexOf("'''", start + 3) + 3;
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === "'") return i + 1;
    else if (source[i] === '\n') assert.fail(`a string runs past the end of its line: ${source.slice(start, i)}`);
  }
  assert.fail('an unterminated string');
}

/** Depth of (), [] and {} at each character, strings skipped; fails on unbalanced brackets. */
function depthAtLineStarts(text: string): number[] {
  const depths: number[] = [0];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = stringEnd(text, i);
      depths.push(...Array(text.slice(i, end).split('\n').length - 1).fill(depth));
      i = end - 1;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      depth--;
      assert.ok(depth >= 0, `an unbalanced ${c}`);
    } else if (c === '\n') depths.push(depth);
  }
  assert.equal(depth, 0, 'unbalanced brackets at the end of the file');
  return depths;
}

function readBicep(path: string): BicepFile {
  const text = stripComments(readFileSync(path, 'utf8'));
  const lines = text.split('\n');
  const depths = depthAtLineStarts(text);
  const statements: string[] = [];
  lines.forEach((line, index) => {
    if (depths[index] === 0 && line.trim() !== '') statements.push(line);
    else if (statements.length > 0) statements[statements.length - 1] += `\n${line}`;
  });
  const declarations: Declaration[] = [];
  let decorators: string[] = [];
  for (const statement of statements.map((s) => s.trim())) {
    if (statement.startsWith('@')) {
      decorators.push(statement);
      continue;
    }
    const head = /^(param|var|resource|module|output|targetScope)\b\s*(\w*)/.exec(statement);
    assert.ok(head, `${path}: a top-level statement that is no declaration: ${statement.slice(0, 80)}`);
    declarations.push({ kind: head[1] as Declaration['kind'], name: head[2] ?? '', decorators, text: statement });
    decorators = [];
  }
  assert.deepEqual(decorators, [], `${path}: decorators with no declaration after them`);
  return {
    path,
    declarations,
    find(kind, name) {
      const found = declarations.find((d) => d.kind === kind && d.name === name);
      assert.ok(found, `${path}: no ${kind} ${name}`);
      return found;
    },
    all: (kind) => declarations.filter((d) => d.kind === kind),
  };
}

/** The `key: value` entries of an object literal, at its own level: `{ a: 1\n b: { c: 2 } }` → [[a, 1], [b, {…}]]. */
function objectEntries(objectText: string): Array<[string, string]> {
  const inner = objectText.trim().replace(/^\{/, '').replace(/\}$/, '');
  const lines = inner.split('\n');
  const depths = depthAtLineStarts(inner);
  const entries: Array<[string, string]> = [];
  lines.forEach((line, index) => {
    if (depths[index] === 0 && line.trim() !== '') {
      const entry = /^\s*'?([\w$.{}-]+)'?\s*:\s*(.*)$/.exec(line);
      assert.ok(entry, `not an object entry: ${line}`);
      entries.push([entry[1]!, entry[2]!]);
    } else if (entries.length > 0) entries[entries.length - 1]![1] += `\n${line}`;
  });
  return entries.map(([key, value]) => [key, value.trim()]);
}

/** The object literal that follows `key:` in a declaration's text (the first one found). */
function objectAfter(text: string, key: string): string {
  const at = new RegExp(`\\b${key}:\\s*\\{`).exec(text);
  assert.ok(at, `no ${key}: { … } in ${text.slice(0, 60)}`);
  const start = at.index + at[0].length - 1;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === "'") i = stringEnd(text, i) - 1;
    else if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  assert.fail(`unterminated ${key}`);
}

function param(file: BicepFile, name: string) {
  const declaration = file.find('param', name);
  const head = /^param\s+\w+\s+(\w+)(\s*=\s*([\s\S]+))?$/.exec(declaration.text);
  assert.ok(head, `${file.path}: cannot read param ${name}`);
  return {
    type: head[1]!,
    hasDefault: head[2] !== undefined,
    secure: declaration.decorators.some((d) => d.startsWith('@secure()')),
    description: declaration.decorators.find((d) => d.startsWith('@description('))?.match(/^@description\('((?:[^'\\]|\\.)+)'\)$/)?.[1],
  };
}

/** Names in `file` whose values carry a secret: @secure() parameters, and the variables built from them. */
function secretNames(file: BicepFile): Set<string> {
  const names = new Set(file.all('param').filter((d) => param(file, d.name).secure).map((d) => d.name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const variable of file.all('var')) {
      if (!names.has(variable.name) && [...names].some((name) => new RegExp(`\\b${name}\\b`).test(variable.text.replace(/^var\s+\w+/, '')))) {
        names.add(variable.name);
        grew = true;
      }
    }
  }
  return names;
}

function bicepFiles(): string[] {
  const modules = join(BICEP_DIR, 'modules');
  return [join(BICEP_DIR, 'main.bicep'), ...readdirSync(modules).filter((f) => f.endsWith('.bicep')).map((f) => join(modules, f))];
}

const main = readBicep(join(BICEP_DIR, 'main.bicep'));
const files = bicepFiles().map(readBicep);
const moduleFile = (name: string) => readBicep(join(BICEP_DIR, 'modules', `${name}.bicep`));

// ---------------------------------------------------------------------------------------------------------------

test('the reader sees through comments and strings, and refuses what it cannot read', () => {
  const stripped = stripComments("var a = 'https://x/y' // a comment with 'quotes'\n/* block\n { */ var b = 'it\\'s'\n");
  assert.equal(stripped.split('\n').length, 4);
  assert.match(stripped, /var a = 'https:\/\/x\/y' +\n/);
  assert.match(stripped, /var b = 'it\\'s'/);
  assert.doesNotMatch(stripped, /comment|block/);
  assert.throws(() => depthAtLineStarts('var a = {\n'), /unbalanced/);
  assert.throws(() => depthAtLineStarts("var a = 'open\n"), /runs past the end of its line/);
  assert.deepEqual(objectEntries("{\n  a: 1\n  'b-c': {\n    d: 'x: y'\n  }\n}"), [['a', '1'], ['b-c', "{\n    d: 'x: y'\n  }"]]);
});

test('every resource uses a known stable API version, and none a preview', () => {
  const seen = new Set<string>();
  for (const file of bicepFiles()) {
    const text = stripComments(readFileSync(file, 'utf8'));
    for (const [, type, version] of text.matchAll(/\bresource\s+\w+\s+'([^'@]+)@([^']+)'/g)) {
      seen.add(type!);
      assert.doesNotMatch(version!, /preview/i, `${file}: ${type}@${version} is a preview API`);
      assert.equal(version, KNOWN_GOOD_API_VERSIONS[type!], `${file}: ${type}@${version} is not in the known-good list`);
    }
  }
  // The resources the brief asks for are all there.
  for (const type of ['Microsoft.App/containerApps', 'Microsoft.Web/sites', 'Microsoft.KeyVault/vaults/keys', 'Microsoft.DBforPostgreSQL/flexibleServers', 'Microsoft.Insights/components', 'Microsoft.OperationalInsights/workspaces', 'Microsoft.ManagedIdentity/userAssignedIdentities', 'Microsoft.Authorization/roleDefinitions']) {
    assert.ok(seen.has(type), `no ${type}`);
  }
});

test('every parameter of every file has a description; secret-looking ones are @secure(), and nothing else needs to be', () => {
  for (const file of files) {
    for (const declaration of file.all('param')) {
      const { description, secure } = param(file, declaration.name);
      assert.ok(description && description.length >= 10, `${file.path}: param ${declaration.name} has no @description`);
      if (SECRET_NAME.test(declaration.name) && !/^(settings|plainSettings)$/.test(declaration.name)) {
        assert.ok(secure, `${file.path}: param ${declaration.name} looks secret and is not @secure()`);
      }
    }
  }
  const secureInMain = main.all('param').filter((d) => param(main, d.name).secure).map((d) => d.name);
  assert.deepEqual(secureInMain.sort(), ['ledgerAdministratorPassword', 'serveSettings']);
  assert.equal(param(main, 'ledgerAdministratorPassword').hasDefault, false, 'a password default would be a shared secret');
});

test('every module call passes declared parameters, all the required ones, and secrets only to @secure() ones', () => {
  const calls = files.flatMap((file) => file.all('module').map((call) => ({ file, call })));
  assert.ok(calls.length >= 5);
  for (const { file, call } of calls) {
    const path = /^module\s+\w+\s+'([^']+)'/.exec(call.text)?.[1];
    assert.ok(path && existsSync(join(dirname(file.path), path)), `${file.path}: module ${call.name} names a missing file ${path}`);
    const callee = readBicep(join(dirname(file.path), path));
    const passed = new Map(objectEntries(objectAfter(call.text, 'params')));
    const secrets = secretNames(file);
    for (const [name, value] of passed) {
      const target = param(callee, name); // fails for an undeclared parameter
      const carriesSecret = [...secrets].some((secret) => new RegExp(`\\b${secret}\\b`).test(value));
      if (carriesSecret) assert.ok(target.secure, `${file.path}: module ${call.name} passes a secret to ${path}'s param ${name}, which is not @secure()`);
    }
    for (const declaration of callee.all('param')) {
      if (!param(callee, declaration.name).hasDefault) assert.ok(passed.has(declaration.name), `${file.path}: module ${call.name} does not pass ${path}'s required param ${declaration.name}`);
    }
  }
});

test('no output carries a secret: no secret-looking name, no secure parameter, no list*() call, no connection string', () => {
  for (const file of files) {
    const secrets = secretNames(file);
    for (const output of file.all('output')) {
      const value = output.text.replace(/^output\s+\w+\s+\w+\s*=/, '');
      // PASSWORD_SUBMIT is the event's name (OnPasswordSubmit), not a password.
      assert.doesNotMatch(output.name.replace(/^PASSWORD_SUBMIT_/, 'EVENT_'), SECRET_NAME, `${file.path}: output ${output.name}`);
      assert.doesNotMatch(value.replace('/events/password-submit', ''), /\blist\w*\(|connectionstring|sharedkey|password/i, `${file.path}: output ${output.name} = ${value.trim()}`);
      for (const secret of secrets) assert.doesNotMatch(value, new RegExp(`\\b${secret}\\b`), `${file.path}: output ${output.name} uses ${secret}`);
      assert.ok(output.decorators.some((d) => d.startsWith('@description(')), `${file.path}: output ${output.name} has no @description`);
    }
  }
  const outputs = main.all('output').map((o) => o.name);
  for (const expected of ['PASSWORD_SUBMIT_URL', 'AZURE_KEY_VAULT_ENDPOINT', 'AZURE_MANAGED_IDENTITY_CLIENT_ID']) assert.ok(outputs.includes(expected), `main.bicep has no output ${expected}`);
});

test('the decryption key is RSA 2048, not exportable, and allows only unwrapKey', () => {
  const keyVault = moduleFile('key-vault');
  const key = keyVault.find('resource', 'createdKey').text;
  assert.match(key, /kty: sku == 'premium' \? 'RSA-HSM' : 'RSA'/);
  assert.match(key, /keySize: 2048\b/);
  assert.match(key, /exportable: false\b/);
  assert.deepEqual([...objectAfter(key, 'properties').matchAll(/keyOps:\s*\[([^\]]*)\]/g)].map((m) => m[1]!.trim().split(/\s+/)), [["'unwrapKey'"]]);
  const vault = keyVault.find('resource', 'vault').text;
  assert.match(vault, /enableRbacAuthorization: true/, 'access policies cannot be narrowed to one key and one operation');
  assert.match(vault, /enablePurgeProtection: true/);
});

test('serve calls nothing on the vault key but unwrapKey, so that is all the role grants', () => {
  // Every call on a KeyUnwrapper in src/: if serve ever decrypts or reads the key, this list grows and the role must too.
  const calls = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) for (const [, method] of readFileSync(path, 'utf8').matchAll(/\bunwrapper[?!]?\.(\w+)\(/g)) calls.add(method!);
    }
  };
  walk(join(ROOT, 'src'));
  assert.deepEqual([...calls], ['unwrapKey']);

  const keyVault = moduleFile('key-vault');
  const role = keyVault.find('resource', 'unwrapRole').text;
  const permissions = objectAfter(role, 'properties');
  assert.match(permissions, /type: 'CustomRole'/);
  assert.deepEqual([...permissions.matchAll(/'(Microsoft\.[^']+)'/g)].map((m) => m[1]), ['Microsoft.KeyVault/vaults/keys/unwrap/action']);
  assert.match(permissions, /dataActions: \[\s*'Microsoft\.KeyVault\/vaults\/keys\/unwrap\/action'\s*\]/);
  for (const empty of ['actions', 'notActions', 'notDataActions']) assert.match(permissions, new RegExp(`\\b${empty}: \\[\\]`), `${empty} must be empty`);
  assert.match(permissions, /assignableScopes: \[\s*resourceGroup\(\)\.id\s*\]/);

  // Assigned on the key itself (not the vault), to the identity main.bicep passes as unwrapPrincipalId.
  const assignments = keyVault.all('resource').filter((r) => r.text.includes("'Microsoft.Authorization/roleAssignments@"));
  assert.equal(assignments.length, 2);
  for (const assignment of assignments) {
    assert.match(assignment.text, /roleDefinitionId: unwrapRole\.id/);
    assert.match(assignment.text, /principalId: unwrapPrincipalId/);
    assert.match(assignment.text, /scope: (createdKey|existingKey)\n/);
  }
});

test('the app identity holds that one role and nothing else; the platform identity only pulls images or reads host storage', () => {
  const appPrincipal = /appIdentity\.properties\.principalId/g;
  const uses = [...stripComments(readFileSync(main.path, 'utf8')).matchAll(appPrincipal)];
  assert.equal(uses.length, 1, 'the app identity\'s principal id goes to one place');
  assert.match(objectAfter(main.find('module', 'keyVault').text, 'params'), /unwrapPrincipalId: appIdentity\.properties\.principalId/);
  for (const file of files.filter((f) => !f.path.endsWith('key-vault.bicep'))) {
    for (const assignment of file.all('resource').filter((r) => r.text.includes("'Microsoft.Authorization/roleAssignments@"))) {
      assert.match(assignment.text, /principalId: platformIdentityPrincipalId/, `${file.path}: ${assignment.name} grants a role to someone else`);
      const role = /subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', (\w+)\)/.exec(assignment.text)?.[1];
      const roleId = /^var\s+\w+\s*=\s*'([0-9a-f-]{36})'/.exec(file.find('var', role ?? '').text)?.[1];
      assert.ok(roleId && PLATFORM_ROLES.has(roleId), `${file.path}: ${assignment.name} grants ${roleId}`);
    }
  }
});

/** The settings main.bicep gives serve, by name: the plain ones, the secret ones, and those each host module adds. */
function templateSettingNames(): { plain: string[]; secret: string[]; container: string[]; functions: string[] } {
  const plain = ['alwaysSet', 'plainSettings'].flatMap((name) => [...main.find('var', name).text.matchAll(/\b([A-Z][A-Z0-9_]+):/g)].map((m) => m[1]!));
  assert.match(main.find('var', 'plainSettings').text, /^var plainSettings = union\(alwaysSet, /);
  const secretsOf = (module: string) => /secretSettings: union\(serveSettings, \{ (\w+): ledgerDatabaseUrl \}\)/.exec(objectAfter(main.find('module', module).text, 'params'))?.[1];
  const secret = [secretsOf('containerApp'), secretsOf('functionApp')];
  assert.equal(secret[0], secret[1]);
  const containerExtra = [...objectAfter(main.find('module', 'containerApp').text, 'params').matchAll(/settings: union\(plainSettings, \{ (\w+):/g)].map((m) => m[1]!);
  const containerSecrets = [...moduleFile('container-app').find('var', 'allSecrets').text.matchAll(/\b([A-Z][A-Z0-9_]+):/g)].map((m) => m[1]!);
  const functionsHost = objectEntries(moduleFile('function-app').find('var', 'hostSettings').text.replace(/^var hostSettings =/, '')).map(([name]) => name);
  return { plain, secret: [secret[0]!], container: [...containerExtra, ...containerSecrets], functions: functionsHost };
}

test('the app settings are the names serve reads: serve starts on them and sees every value', () => {
  const names = templateSettingNames();
  assert.deepEqual(names.plain.sort(), ['AZURE_CLIENT_ID', 'ENTRA_EXTENSION_APP_ID', 'ENTRA_EXTENSION_RESOURCE_ID', 'ENTRA_TENANT_ID', 'JIT_DECRYPTION_KEY_VAULT_KEY_ID', 'LOG_LEVEL']);
  assert.deepEqual(names.secret, ['LEDGER_DATABASE_URL']);
  assert.deepEqual(names.container.sort(), ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'PORT']);
  assert.ok(names.functions.includes('APPLICATIONINSIGHTS_CONNECTION_STRING'));
  assert.ok(!names.functions.includes('FUNCTIONS_WORKER_RUNTIME'), 'Flex Consumption refuses FUNCTIONS_WORKER_RUNTIME: the runtime is in functionAppConfig');

  // What the deployment would hand serve, with sample values in place of the deployment's.
  const appId = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
  const sample: Record<string, string> = {
    ENTRA_TENANT_ID: '8a5f3c2e-1b4d-4e6f-9a8b-7c6d5e4f3a2b',
    ENTRA_EXTENSION_APP_ID: appId,
    ENTRA_EXTENSION_RESOURCE_ID: `api://ca-entra-migrate-abc.example.azurecontainerapps.io/${appId}`,
    JIT_DECRYPTION_KEY_VAULT_KEY_ID: 'https://kv-em-abcdefgh.vault.azure.net/keys/jit-decryption/0123456789abcdef0123456789abcdef',
    AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
    LOG_LEVEL: 'warn',
    LEDGER_DATABASE_URL: renderLedgerUrl('ledgeradmin', 'p@ss:w/rd#1%"', 'psql-entra-migrate-abcdefgh.postgres.database.azure.com'),
    PORT: '7071',
    APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://example.invalid/',
  };
  const settings: Record<string, string> = { LEGACY_VERIFY_URL: 'https://legacy.example.com/verify' }; // serveSettings: the operator's
  for (const name of [...names.plain, ...names.secret, ...names.container]) {
    assert.ok(sample[name] !== undefined, `no sample value for ${name}`);
    settings[name] = sample[name]!;
  }
  const config = loadServeConfig(settings);
  assert.equal(config.tenantId, sample['ENTRA_TENANT_ID']);
  assert.equal(config.extensionAppId, appId);
  assert.equal(config.extensionResourceId, sample['ENTRA_EXTENSION_RESOURCE_ID']);
  assert.deepEqual(config.decryptionKeyVault, { keyId: sample['JIT_DECRYPTION_KEY_VAULT_KEY_ID'], certificateFile: undefined });
  assert.deepEqual(config.decryptionKeys, { kind: 'files', paths: [] }, 'the vault key alone is enough: no key file');
  assert.equal(config.ledgerDatabaseUrl, sample['LEDGER_DATABASE_URL']);
  assert.equal(config.port, 7071);
  assert.equal(config.logLevel, 'warn');
  assert.equal(String(param(main, 'decryptionKeyName').hasDefault), 'true');
});

/** main.bicep's ledgerDatabaseUrl with its interpolations replaced: Bicep's uriComponent() is percent-encoding. */
function renderLedgerUrl(login: string, password: string, host: string): string {
  const template = /^var ledgerDatabaseUrl = '(.+)'$/.exec(main.find('var', 'ledgerDatabaseUrl').text)?.[1];
  assert.ok(template);
  const values: Record<string, string> = {
    'uriComponent(ledgerAdministratorLogin)': encodeURIComponent(login),
    'uriComponent(ledgerAdministratorPassword)': encodeURIComponent(password),
    'ledger.outputs.fullyQualifiedDomainName': host,
    ledgerDatabaseName: /^var ledgerDatabaseName = '(\w+)'$/.exec(main.find('var', 'ledgerDatabaseName').text)![1]!,
  };
  return template.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
    assert.ok(values[expression] !== undefined, `unexpected interpolation ${expression} in ledgerDatabaseUrl`);
    return values[expression]!;
  });
}

test('the ledger URL is PostgreSQL over verified TLS, and a password with URL characters survives it', () => {
  const password = 'p@ss:w/rd#1%"?&';
  const url = renderLedgerUrl('ledgeradmin', password, 'psql-entra-migrate-abcdefgh.postgres.database.azure.com');
  const location = parseLedgerUrl(url);
  assert.equal(location.kind, 'postgres');
  const parsed = new URL(url);
  assert.equal(decodeURIComponent(parsed.password), password);
  assert.equal(parsed.searchParams.get('sslmode'), 'verify-full', 'require would not check the server certificate');
  assert.equal(parsed.pathname, '/ledger');
  if (location.kind === 'postgres') assert.doesNotMatch(location.shown, /p%40ss|rd/, 'the shown URL hides the password');
  // Password auth, and why, is the module's first comment; the server also takes no Entra tokens.
  assert.match(moduleFile('ledger-database').find('resource', 'server').text, /activeDirectoryAuth: 'Disabled'\s+passwordAuth: 'Enabled'/);
});

test('PASSWORD_SUBMIT_URL ends in the path serve answers OnPasswordSubmit on', async () => {
  const output = main.find('output', 'PASSWORD_SUBMIT_URL').text;
  const path = /= 'https:\/\/\$\{hostName\}(\/[^']+)'$/.exec(output)?.[1];
  assert.equal(path, '/events/password-submit');
  const app = Fastify();
  // Registering the route reads none of its dependencies; only a request would.
  await app.register(passwordSubmitRoutes, { deps: {}, callerTokenVerifier: {}, onOutcome: () => {} } as unknown as PasswordSubmitRoutesOptions);
  await app.ready();
  try {
    assert.ok(app.hasRoute({ method: 'POST', url: path }), `serve has no POST ${path}`);
  } finally {
    await app.close();
  }
});

test('the Function App keeps instances warm, runs Node 20 and reaches its storage without keys', () => {
  const site = moduleFile('function-app').find('resource', 'site').text;
  assert.match(site, /runtime: \{\s*name: 'node'\s*version: '20'\s*\}/);
  assert.match(site, /alwaysReady: alwaysReadyInstances > 0/);
  assert.match(site, /httpsOnly: true/);
  assert.match(moduleFile('function-app').find('resource', 'storage').text, /allowSharedKeyAccess: false/);
  const containerApp = moduleFile('container-app').find('resource', 'app').text;
  assert.match(containerApp, /path: '\/healthz'/);
  assert.match(containerApp, /path: '\/readyz'/);
  assert.match(containerApp, /allowInsecure: false/);
  // No replica until the app id and the image are there: serve would stop at start-up (exit 2) and fail the revision.
  assert.match(objectAfter(main.find('module', 'containerApp').text, 'params'), /minReplicas: empty\(extensionAppId\) \|\| empty\(image\) \? 0 : minReplicas/);
  assert.match(objectAfter(main.find('module', 'functionApp').text, 'params'), /alwaysReadyInstances: empty\(extensionAppId\) \? 0 : minReplicas/);
});

test('azure.yaml parses and points azd at the template, the service azd deploys is the one the modules tag', () => {
  const project = parseYaml(readFileSync(join(ROOT, 'azure.yaml'), 'utf8')) as {
    name: string;
    infra: { provider: string; path: string; module: string };
    services: Record<string, { project: string; host: string; language: string; docker?: { path: string; remoteBuild?: boolean } }>;
  };
  assert.equal(project.name, 'entra-migrate');
  assert.equal(project.infra.provider, 'bicep');
  assert.ok(existsSync(join(ROOT, project.infra.path, `${project.infra.module}.bicep`)), 'infra.path/module names main.bicep');
  assert.equal(join(ROOT, project.infra.path, `${project.infra.module}.bicep`), main.path);
  assert.deepEqual(Object.keys(project.services), ['extension']);
  const service = project.services['extension']!;
  assert.equal(service.host, 'containerapp');
  assert.equal(service.project, '.');
  assert.equal(service.docker?.path, './Dockerfile');
  for (const module of ['container-app', 'function-app']) {
    assert.match(readFileSync(join(BICEP_DIR, 'modules', `${module}.bicep`), 'utf8'), /'azd-service-name': 'extension'/, `${module} is not tagged for azd's service`);
  }
  assert.match(main.find('output', 'AZURE_CONTAINER_REGISTRY_ENDPOINT').text, /registryLoginServer/, 'azd pushes the image to this registry');
});

test('main.parameters.json is JSON once azd substitutes it, names only real parameters, and leaves azd to ask for the secrets', () => {
  const raw = readFileSync(join(BICEP_DIR, 'main.parameters.json'), 'utf8');
  const substituted = raw.replace(/\$\{(\w+)(=([^}]*))?\}/g, (_, name: string, hasDefault: string | undefined, fallback: string | undefined) => (hasDefault ? fallback ?? '' : `sample-${name}`));
  const parameters = (JSON.parse(substituted) as { parameters: Record<string, { value: unknown }> }).parameters;
  for (const name of Object.keys(parameters)) param(main, name);
  const unmapped = main.all('param').filter((d) => !param(main, d.name).hasDefault && !(d.name in parameters)).map((d) => d.name);
  // azd prompts for these (masked for the password) and keeps them in the environment's config, not in this file.
  assert.deepEqual(unmapped.sort(), ['ledgerAdministratorPassword', 'serveSettings']);
  assert.doesNotMatch(raw, /password|secret/i);
  assert.equal(parameters['hosting']?.value, 'containerapp', 'containerapp unless ENTRA_MIGRATE_HOSTING says otherwise');
  assert.equal(parameters['createDecryptionKey']?.value, true, 'a JSON boolean, as the bool parameter needs');
  assert.equal(parameters['decryptionKeyName']?.value, 'jit-decryption');
  assert.deepEqual(/@allowed\(\[\s*'containerapp'\s*'functions'\s*\]\)/.test(main.find('param', 'hosting').decorators.join('\n')), true);
});
