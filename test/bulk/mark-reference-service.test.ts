import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { MigratedAccount } from '../../src/bulk/steps/legacy-marker.js';
import { openWebMarker } from '../../src/bulk/steps/web-marker.js';
import { loadReconcileConfig } from '../../src/config/reconcile-config.js';
import { LegacyStoreErrorCode } from '../../src/legacy/errors.js';
import { runDocSample, type RunningSample } from './doc-sample.js';
import { RECONCILE_SETTINGS } from './reconcile-settings.js';

// The reference mark endpoint of docs/legacy-web-service.md, copied from the page as it stands and run, is marked
// through as the contract says: done once, a repeat done and changing nothing, an unknown account done (410).

const PAGE = fileURLToPath(new URL('../../docs/legacy-web-service.md', import.meta.url));
const TOKEN = 'mark-token-8a2f';
const OBJECT_ID = '6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const BASE = RECONCILE_SETTINGS;

describe('docs/legacy-web-service.md: the reference mark endpoint', () => {
  let sample: RunningSample;
  let origin: string;
  before(async () => {
    sample = await runDocSample(PAGE, 'mark-server.mjs', { MARK_TOKEN: TOKEN });
    origin = sample.origin;
  });
  after(() => sample?.stop());

  /** One mark through a marker on the sample; resolves with the rejection's code, or 'done'. */
  const mark = async (account: Partial<MigratedAccount>, raw: Record<string, string> = {}): Promise<string> => {
    const config = loadReconcileConfig({ ...BASE, LEGACY_MARK_MIGRATED_URL: `${origin}/migrated`, LEGACY_VERIFY_AUTH: `bearer:${TOKEN}`, ...raw });
    assert.equal(config.markMigrated?.kind, 'url');
    const marker = await openWebMarker(config.markMigrated.service);
    try {
      await marker.mark({ legacyId: '42', objectId: OBJECT_ID, migratedAt: new Date('2026-11-24T12:00:00Z'), ...account });
      return 'done';
    } catch (error) {
      return (error as { code: string }).code;
    } finally {
      await marker.close();
    }
  };

  test('the first mark is recorded; a repeat is done and changes nothing', async () => {
    assert.equal(await mark({}), 'done');
    assert.equal(await mark({ migratedAt: new Date('2026-11-25T08:00:00Z') }), 'done');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the child's output
    assert.equal(sample.stdout(), 'account 42 migrated at 2026-11-24T12:00:00.000Z\n');
  });

  test('an account the service does not hold is done (410)', async () => {
    assert.equal(await mark({ legacyId: 'gone' }), 'done');
  });

  test('a wrong token, or a wrong path, is a failed mark', async () => {
    assert.equal(await mark({}, { LEGACY_VERIFY_AUTH: 'bearer:not-the-token' }), LegacyStoreErrorCode.MISCONFIGURED);
    assert.equal(await mark({}, { LEGACY_MARK_MIGRATED_URL: `${origin}/elsewhere` }), LegacyStoreErrorCode.MISCONFIGURED);
  });
});
