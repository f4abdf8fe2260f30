import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openTokenClaims } from '../../src/app/open-token-claims.js';
import type { TokenClaimsSettings } from '../../src/config/token-claims-settings.js';
import { LegacyStoreErrorCode, type GuardedAuthority } from '../../src/legacy/index.js';

const ADA = { objectId: 'ada-object-id', email: null, legacyId: '42' };
const inTime = () => ({ abortSignal: new AbortController().signal, deadlineAt: Date.now() + 1000 });

describe('openTokenClaims', () => {
  let dir: string;
  let url: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'open-token-claims-'));
    const db = new Database(join(dir, 'legacy.db'));
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, roles TEXT)');
    db.prepare('INSERT INTO users VALUES (?, ?)').run(42, '["Writer"]');
    db.close();
    url = `sqlite://${join(dir, 'legacy.db')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const settings = (cacheSeconds: number, query = 'SELECT roles FROM users WHERE id = :legacyId'): TokenClaimsSettings => ({ source: { kind: 'sql', url, query }, cacheSeconds, onLegacyFailure: 'empty' });

  test('the SQL source with the cache in front: the second call is a hit', async () => {
    const claims = await openTokenClaims(settings(300));
    try {
      assert.equal(claims.source.kind, 'cached(sql:sqlite)');
      assert.deepEqual(await claims.source.claimsFor(ADA, inTime()), { roles: ['Writer'] });
      await claims.source.claimsFor(ADA, inTime());
      assert.deepEqual(claims.source.stats(), { hits: 1, misses: 1, joined: 0, entries: 1 });
    } finally {
      await claims.close();
    }
  });

  test('TOKEN_CLAIMS_CACHE_SECONDS=0: every call reaches the store', async () => {
    const claims = await openTokenClaims(settings(0));
    try {
      assert.equal(claims.source.kind, 'sql:sqlite');
      await claims.source.claimsFor(ADA, inTime());
      await claims.source.claimsFor(ADA, inTime());
      assert.equal(claims.source.stats().misses, 2);
    } finally {
      await claims.close();
    }
  });

  test('behind the legacy circuit: misses go through guard, hits do not; an open circuit fails the call', async () => {
    let guarded = 0;
    let open = false;
    const circuit = {
      guard: async <T>(work: () => Promise<T>) => {
        guarded += 1;
        if (open) throw Object.assign(new Error('open'), { code: LegacyStoreErrorCode.CIRCUIT_OPEN });
        return work();
      },
    } as unknown as GuardedAuthority;
    const claims = await openTokenClaims(settings(300), { circuit });
    try {
      await claims.source.claimsFor(ADA, inTime());
      await claims.source.claimsFor(ADA, inTime());
      assert.equal(guarded, 1);
      open = true;
      await assert.rejects(claims.source.claimsFor({ ...ADA, legacyId: '43' }, inTime()), { code: LegacyStoreErrorCode.CIRCUIT_OPEN });
    } finally {
      await claims.close();
    }
  });

  test('a query the store cannot prepare fails at open with LEGACY_QUERY_INVALID', async () => {
    await assert.rejects(openTokenClaims(settings(300, 'SELECT roles FROM no_such_table WHERE id = :legacyId')), { code: LegacyStoreErrorCode.QUERY_INVALID });
  });
});
