import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { createLogger } from '../../src/common/logger.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../../src/emulator/index.js';
import type { EntraAccounts, SignUpCollisionPolicy, SignUpOutcome } from '../../src/handlers/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority, openSqlLegacyStore, type MemoryLegacyStoreOptions } from '../../src/legacy/index.js';
import type { LegacyDirectory } from '../../src/legacy/legacy-directory.js';
import { sqlLegacyDirectory } from '../../src/legacy/stores/sql/sql-directory.js';
import { createCallerTokenVerifier, generateDecryptionKey, loadKeyRing } from '../../src/security/index.js';
import { buildServer, type ExtensionServer } from '../../src/server/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';

export const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
export const LEGACY_ID_ATTRIBUTE = 'extension_<appid>_legacyId';
const FIXTURES = new URL('../fixtures/entra/', import.meta.url);

/** The legacy users table the SQL store reads, with the optional profile columns. */
export const LEGACY_USER_QUERY =
  'SELECT id, password_hash, status, display_name, given_name, surname FROM users WHERE lower(email) = lower(:email) OR lower(login) = lower(:username)';

/**
 * A SQLite legacy database in a temporary directory: ada (active, full profile), tim (no profile), mallory (locked).
 * Passwords are canaries, hashed: the sign-up path must never read or log them.
 */
export async function createLegacyDatabase(): Promise<{ url: string; path: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'sign-up-'));
  const path = join(dir, 'legacy.db');
  const db = new Database(path);
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT, email TEXT, password_hash TEXT NOT NULL, status TEXT,
           display_name TEXT, given_name TEXT, surname TEXT)`);
  const hash = await bcryptHash(CANARY_PASSWORDS.correct, 4);
  const insert = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  insert.run(42, 'ada', 'Ada@Contoso.example', hash, 'active', 'Ada Lovelace', 'Ada', 'Lovelace');
  insert.run(43, 'tim', 'tim@contoso.example', hash, null, null, null, null);
  insert.run(44, 'mallory', 'mallory@contoso.example', hash, 'locked', 'Mallory M', 'Mallory', 'M');
  db.close();
  return { url: `sqlite://${path}`, path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SignUpServer {
  app: ExtensionServer;
  tenant: EmulatedTenant;
  outcomes: SignUpOutcome[];
  logs(): string;
  token(): Promise<string>;
  /** A callout body from Microsoft's fixture, for this tenant, signing up `email`, with `extra` attributes collected. */
  body(email: string, event: 'start' | 'submit', options?: { locale?: string; collect?: string[] }): Record<string, any>;
  post(event: 'start' | 'submit', body: unknown, headers?: Record<string, string>): Promise<{ statusCode: number; body: string; headers: Record<string, unknown>; json(): any }>;
  close(): Promise<void>;
}

/** The extension server with the sign-up routes over `directory`, under the given policies. */
export async function startSignUpServer(options: {
  directory: LegacyDirectory | null;
  collision: SignUpCollisionPolicy;
  prefill?: boolean;
  legacyIdAttribute?: string;
  entraAccounts?: EntraAccounts;
  responseDeadlineInMs?: number;
}): Promise<SignUpServer> {
  const tenant = await createTenant();
  const key = await generateDecryptionKey();
  let logText = '';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => ((logText += chunk.toString()), done()) }) });
  const { keySource } = tenantSigningKeys(tenant);
  const verifier = createPasswordVerifier();
  const outcomes: SignUpOutcome[] = [];
  const responseDeadlineInMs = options.responseDeadlineInMs ?? 1500;
  const app = await buildServer({
    logger,
    clock: Date.now,
    callerTokenVerifier: createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource }),
    passwordSubmit: {
      tenantId: tenant.tenantId,
      extensionAppId: APP_ID,
      keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'test' }]),
      legacy: hashStoreAuthority(createMemoryLegacyStore([]), verifier),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs,
    },
    readiness: [],
    onOutcome: () => undefined,
    signUp: {
      deps: {
        tenantId: tenant.tenantId,
        directory: options.directory,
        collision: options.collision,
        prefill: options.prefill ?? false,
        legacyIdAttribute: options.legacyIdAttribute,
        entraAccounts: options.entraAccounts,
        messages: DEFAULT_MESSAGES,
        clock: Date.now,
        responseDeadlineInMs,
      },
    },
    onEventOutcome: (outcome) => outcomes.push(outcome as SignUpOutcome),
  });
  const token = () => mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() });
  return {
    app,
    tenant,
    outcomes,
    logs: () => logText,
    token,
    body(email, event, bodyOptions = {}) {
      const body = JSON.parse(readFileSync(new URL(`attribute-collection-${event}.request.json`, FIXTURES), 'utf8'));
      body.data.tenantId = tenant.tenantId;
      body.data.authenticationContext.correlationId = '00000000-0000-4000-8000-000000000042';
      body.data.authenticationContext.client.locale = bodyOptions.locale ?? 'en-us';
      body.data.userSignUpInfo.identities[0].issuerAssignedId = email;
      for (const name of bodyOptions.collect ?? []) {
        body.data.userSignUpInfo.attributes[name] = { '@odata.type': 'microsoft.graph.stringDirectoryAttributeValue', value: event === 'submit' ? 'typed' : null, attributeType: name.startsWith('extension_') ? 'directorySchemaExtension' : 'builtIn' };
      }
      return body;
    },
    async post(event, body, headers = {}) {
      return app.inject({
        method: 'POST',
        url: `/events/attribute-collection-${event}`,
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json', ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async close() {
      await app.close();
      await verifier.close();
      await options.directory?.close();
    },
  };
}

/** The SQLite legacy store, asked by e-mail. */
export async function sqliteDirectory(url: string): Promise<LegacyDirectory> {
  return sqlLegacyDirectory(await openSqlLegacyStore({ url, query: LEGACY_USER_QUERY }));
}

/** A legacy store that takes `delayInMs` to answer (honouring the abort), holding ada. */
export function slowDirectory(delayInMs: number): { directory: LegacyDirectory; options: MemoryLegacyStoreOptions } {
  const options: MemoryLegacyStoreOptions = { delayInMs };
  const store = createMemoryLegacyStore([{ username: 'ada', email: 'ada@contoso.example', id: '42', passwordHash: '$2b$04$x' }], options);
  return { directory: sqlLegacyDirectory(store), options };
}
