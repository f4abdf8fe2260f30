/**
 * What the fault tests share: `serve` as the CLI opens it (openExtension over `loadServeConfig`), driven with real
 * caller tokens and encrypted password contexts (inject), each callout timed and given a correlation id of its own;
 * and the end-to-end legacy users in a table of a private PostgreSQL cluster.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openExtension, type Extension } from '../../src/app/index.js';
import { createLogger } from '../../src/common/logger.js';
import { loadServeConfig } from '../../src/config/index.js';
import { createTenant, mintCalloutToken } from '../../src/emulator/index.js';
import { DEFAULT_MESSAGES } from '../../src/jit/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { legacyRows } from '../e2e/legacy-fixtures.js';
import { APP_ID, calloutBody } from '../server/harness.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import type { PrivatePostgres } from '../support/private-postgres.js';
import { tenantSigningKeys } from '../support/tenant-signing-keys.js';

/** serve's default RESPONSE_DEADLINE_MS: every callout must be answered inside it, whatever fails. */
export const DEADLINE_IN_MS = 1500;

/** The sign-ins the fault tests send, each with the answer it must get while nothing fails. */
export const SIGN_INS = [
  { username: 'bcrypt@e2e.example', password: CANARY_PASSWORDS.correct, expected: 'microsoft.graph.passwordSubmit.MigratePassword' },
  { username: 'django@e2e.example', password: CANARY_PASSWORDS.correct, expected: 'microsoft.graph.passwordSubmit.MigratePassword' },
  { username: 'weak@e2e.example', password: CANARY_PASSWORDS.weak, expected: 'microsoft.graph.passwordSubmit.UpdatePassword' },
  { username: 'locked@e2e.example', password: CANARY_PASSWORDS.correct, expected: 'microsoft.graph.passwordSubmit.Block' },
] as const;

export interface Answer {
  correlationId: string;
  /** The action's `@odata.type`. */
  action: string;
  /** The Block page's title, when blocked. */
  title: string | undefined;
  elapsedInMs: number;
}

export interface ServeUnderFault {
  extension: Extension;
  /** Sends one callout and returns its answer; fails the test on a status other than 200. */
  signIn(signIn: (typeof SIGN_INS)[number]): Promise<Answer>;
  /** Every log line so far. */
  logs(): Array<Record<string, unknown> & { msg: string; level: number }>;
  close(): Promise<void>;
}

/** The title of the "temporarily unavailable" Block page (the legacy system failed or was too slow). */
export const UNAVAILABLE_TITLE = DEFAULT_MESSAGES.en!.unavailable.title;

/** Opens serve over these settings (the legacy store's and the ledger's), with a decryption key and a tenant of its own. */
export async function openServeUnderFault(settings: Readonly<Record<string, string>>): Promise<ServeUnderFault> {
  const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-faults-'));
  const key = await generateDecryptionKey();
  const keyPath = join(dir, 'key.pem');
  await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
  const tenant = await createTenant();
  const { metadataUrl, fetch } = tenantSigningKeys(tenant);
  const lines: Array<Record<string, unknown> & { msg: string; level: number }> = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(...chunk.toString().trim().split('\n').map((line) => JSON.parse(line))), done()) }),
  });
  let extension: Extension;
  try {
    extension = await openExtension(
      loadServeConfig({
        ENTRA_TENANT_ID: tenant.tenantId,
        ENTRA_EXTENSION_APP_ID: APP_ID,
        ENTRA_OPENID_CONFIGURATION_URL: metadataUrl,
        JIT_DECRYPTION_KEY_FILE: keyPath,
        RESPONSE_DEADLINE_MS: String(DEADLINE_IN_MS),
        ...settings,
      }),
      { logger, fetch },
    );
    await extension.startupReadiness;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    extension,
    async signIn({ username, password }) {
      const body = await calloutBody({ tenantId: tenant.tenantId, certificatePem: key.certificatePem, username, password });
      const correlationId = randomUUID();
      body.data.authenticationContext.correlationId = correlationId;
      const token = await mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() });
      const started = performance.now();
      const response = await extension.server.inject({
        method: 'POST',
        url: '/events/password-submit',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      const elapsedInMs = performance.now() - started;
      assert.equal(response.statusCode, 200, response.body);
      const action = JSON.parse(response.body).data.actions[0] as Record<string, string>;
      return { correlationId, action: action['@odata.type']!, title: action.title, elapsedInMs };
    },
    logs: () => lines,
    async close() {
      await extension.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates the end-to-end legacy users' table in `server` (public schema) and returns serve's settings for it. */
export async function privateLegacyTable(server: PrivatePostgres, table = 'legacy_users'): Promise<{ LEGACY_DATABASE_URL: string; LEGACY_USER_QUERY: string }> {
  await server.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, email text UNIQUE NOT NULL, password_hash text NOT NULL, status text)`);
  for (const row of await legacyRows()) await server.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4)`, [row.id, row.email, row.passwordHash, row.status]);
  return { LEGACY_DATABASE_URL: server.url, LEGACY_USER_QUERY: `SELECT id, password_hash, status FROM ${table} WHERE email = lower(:username)` };
}

/** Asserts an answer came inside the deadline: serve's promise whatever fails behind it. */
export function assertInsideDeadline(answer: Answer, phase: string): void {
  assert.ok(answer.elapsedInMs < DEADLINE_IN_MS, `${phase}: answered in ${Math.round(answer.elapsedInMs)} ms, past the ${DEADLINE_IN_MS} ms deadline`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
