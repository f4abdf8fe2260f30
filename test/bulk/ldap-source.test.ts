import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { countLdapSource, DEFAULT_FIELD_MAP, readLdapSource, recordOf, type LdapSourceOptions, type SourceRow } from '../../src/bulk/index.js';
import type { LdapExportSettings } from '../../src/config/legacy-ldap-export-settings.js';
import { LegacyStoreErrorCode } from '../../src/legacy/index.js';
import { exportEntries } from '../../src/legacy/stores/ldap/export-entries.js';
import { ldifLine, PEOPLE, SERVICE_DN, skipUnlessSlapd, ssha, startSlapd, type Slapd } from '../support/slapd.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { GUID_BYTES, GUID_STRING, socketsLeftTo, storeError } from '../legacy/ldap/directory.js';

const skip = skipUnlessSlapd();

/** Accounts beyond the named ones: 1,200, more than two pages of 500. */
const BULK = 1200;
const FULL_UUID = '0b6f6a2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const LONG_NAME = 'L'.repeat(2000);

function person(uid: string, lines: string[]): string {
  return [ldifLine('dn', `uid=${uid},${PEOPLE}`), 'objectClass: inetOrgPerson', ldifLine('uid', uid), ...lines].join('\n');
}

/** The named entries first (slapd lists an mdb database in the order entries were added), then the bulk. */
const NAMED = [
  person('full', [
    `entryUUID: ${FULL_UUID}`,
    'cn: Ada Full',
    'cn: Another Cn',
    'sn: Lovelace',
    'givenName: Ada',
    'displayName: Ada Lovelace',
    'mail: ada.full@example.org',
    'mail: second@example.org',
    'mobile: +44 7700900123',
    'telephoneNumber: +44 2079460000',
    'employeeNumber: E-42',
    ldifLine('userPassword', ssha(CANARY_PASSWORDS.correct)),
  ]),
  person('nomail', ['cn: Secret Person Name', 'sn: Hidden']),
  person('upn', ['objectClass: testAdAccount', 'cn: Upn Only', 'sn: Only', 'userPrincipalName: upn.only@corp.example.org', 'telephoneNumber: +1 2065550100']),
  person('guid', ['objectClass: testAdAccount', ldifLine('objectGUID', GUID_BYTES), 'cn: Guid Person', 'sn: Person', 'mail: guid@corp.example.org', 'userAccountControl: 514']),
  person('long', [ldifLine('cn', LONG_NAME), 'sn: Long', 'mail: long@example.org']),
  // Not an inetOrgPerson: never listed by the export filter.
  [ldifLine('dn', `cn=printer,${PEOPLE}`), 'objectClass: device', 'cn: printer'].join('\n'),
];
const LISTED = NAMED.length - 1 + BULK;
const BULK_LDIF = Array.from({ length: BULK }, (_, i) => person(`u${String(i).padStart(4, '0')}`, [`cn: User ${i}`, 'sn: Bulk', `mail: u${i}@example.org`]));

function settingsOf(slapd: Slapd, overrides: Partial<LdapExportSettings> = {}): LdapExportSettings {
  return {
    url: new URL(slapd.url),
    startTls: false,
    caFile: undefined,
    bindDn: SERVICE_DN,
    bindPassword: slapd.servicePassword,
    searchBase: PEOPLE,
    exportFilter: '(objectClass=inetOrgPerson)',
    idAttribute: 'entryUUID',
    ...overrides,
  };
}

async function collect(options: LdapSourceOptions): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const row of readLdapSource(options)) rows.push(row);
  return rows;
}

describe('premigrate source: a directory listed with a paged search, against slapd', { skip }, () => {
  let slapd: Slapd;
  let rows: SourceRow[];
  let listing = '';
  const byUid = new Map<string, SourceRow>();

  before(async () => {
    slapd = await startSlapd({ entries: [...NAMED, ...BULK_LDIF].join('\n\n'), serviceListsAll: true });
    const started = performance.now();
    rows = await collect({ settings: settingsOf(slapd), extraAttributes: ['uid', 'employeeNumber'] });
    const seconds = (performance.now() - started) / 1000;
    listing = `listed ${rows.length} entries in ${seconds.toFixed(2)} s (${Math.round(rows.length / seconds)} entries/s)`;
    for (const row of rows) if (row.row) byUid.set(String(row.row.uid), row);
  });
  after(async () => {
    await slapd?.stop();
  });

  test('every account is listed once, over three pages, numbered 1… in listing order; the count agrees', async (t) => {
    t.diagnostic(listing);
    assert.equal(rows.length, LISTED);
    assert.deepEqual(rows.map((row) => row.line), Array.from({ length: LISTED }, (_, i) => i + 1));
    const uids = rows.flatMap((row) => (row.row ? [row.row.uid] : []));
    assert.equal(uids.length, LISTED - 1, 'the over-long entry has no row');
    assert.equal(new Set(uids).size, uids.length, 'each entry once');
    const ids = rows.flatMap((row) => (row.row ? [row.row.id] : []));
    assert.equal(new Set(ids).size, ids.length, 'entryUUIDs are unique');
    assert.ok(ids.every((id) => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)), 'every id is an entryUUID');
    assert.equal(await countLdapSource(settingsOf(slapd)), LISTED);
    assert.equal(byUid.has('printer'), false);
  });

  test('the fields legacy-record maps: id, email, display_name, given_name, surname; first values; extra attributes by name', () => {
    assert.deepEqual(byUid.get('full'), {
      line: 1,
      row: { id: FULL_UUID, email: 'ada.full@example.org', display_name: 'Ada Lovelace', given_name: 'Ada', surname: 'Lovelace', uid: 'full', employeeNumber: 'E-42' },
    });
    const record = recordOf(byUid.get('full')!.row!, DEFAULT_FIELD_MAP);
    assert.ok(!('reason' in record));
    assert.equal(record.password, null, 'userPassword is never read');
    assert.deepEqual(record.extra, { uid: 'full', employeeNumber: 'E-42' });
  });

  test('without mail, userPrincipalName is the e-mail (Active Directory); without displayName, cn is the name', () => {
    const upn = byUid.get('upn')!.row!;
    assert.equal(upn.email, 'upn.only@corp.example.org');
    assert.equal(upn.display_name, 'Upn Only');
    assert.equal(upn.phone, undefined, 'no phone unless asked for');
  });

  test('an entry without mail or userPrincipalName becomes a failure by its number, never by its content', () => {
    const nomail = byUid.get('nomail')!;
    assert.equal(nomail.line, 2);
    const record = recordOf(nomail.row!, DEFAULT_FIELD_MAP);
    assert.deepEqual(record, { reason: 'no email' });
  });

  test('a value over 1,024 characters makes the entry a failure that names the attribute, not the value', () => {
    const long = rows.find((row) => row.row === null)!;
    assert.deepEqual(long, { line: 5, row: null, error: 'cn longer than 1024 characters' });
  });

  test('phone, when asked for: mobile first, else telephoneNumber', async () => {
    const withPhone = await collect({ settings: settingsOf(slapd, { exportFilter: '(|(uid=full)(uid=upn)(uid=nomail))' }), phone: true });
    assert.deepEqual(withPhone.map((row) => row.row?.phone), ['+44 7700900123', undefined, '+1 2065550100']);
  });

  test('objectGUID as the id is the GUID string; a disabled AD account (userAccountControl bit 2) is listed, disabled', async () => {
    const [guid] = await collect({ settings: settingsOf(slapd, { idAttribute: 'objectGUID', exportFilter: '(uid=guid)' }) });
    assert.deepEqual(guid, { line: 1, row: { id: GUID_STRING, email: 'guid@corp.example.org', display_name: 'Guid Person', surname: 'Person', enabled: 'false' } });
  });

  test('an entry without the id attribute has no id, and fails as such', async () => {
    const [full] = await collect({ settings: settingsOf(slapd, { idAttribute: 'employeeType', exportFilter: '(uid=full)' }) });
    assert.equal(full!.row!.id, null);
    assert.deepEqual(recordOf(full!.row!, DEFAULT_FIELD_MAP), { reason: 'no id' });
  });

  test('a consumer that stops early closes the connection; so does an abort while a page is awaited', async () => {
    let taken = 0;
    for await (const _row of readLdapSource({ settings: settingsOf(slapd) })) if (++taken === 3) break;
    assert.deepEqual(await socketsLeftTo(slapd.url), []);

    const controller = new AbortController();
    const rows = readLdapSource({ settings: settingsOf(slapd), abortSignal: controller.signal, pageSize: 10 });
    await rows.next();
    await slapd.pause();
    try {
      const pending = (async () => {
        for (let i = 0; i < 20; i++) await rows.next(); // reaches the second page, which a frozen slapd never sends
      })();
      setTimeout(() => controller.abort(new Error('stop now')), 100);
      await assert.rejects(pending, /stop now/);
      assert.deepEqual(await socketsLeftTo(slapd.url), []);
    } finally {
      await slapd.resume();
    }
  });

  test('a directory that stops answering mid-listing is a timeout, and the connection is closed', async () => {
    const entries = exportEntries(settingsOf(slapd), { attributes: ['1.1'], pageSize: 10, pageTimeoutInMs: 300 });
    await entries.next();
    await slapd.pause();
    try {
      const started = Date.now();
      await assert.rejects(
        (async () => {
          for (let i = 0; i < 20; i++) await entries.next();
        })(),
        storeError(LegacyStoreErrorCode.TIMEOUT, /^The directory did not answer a page of the listing within 300 ms\.$/),
      );
      assert.ok(Date.now() - started < 3000);
      assert.deepEqual(await socketsLeftTo(slapd.url), []);
    } finally {
      await slapd.resume();
    }
  });

  test("a wrong service password names LEGACY_LDAP_BIND_DN and LEGACY_LDAP_BIND_PASSWORD, never the password", async () => {
    const wrong = CANARY_PASSWORDS.wrong;
    await assert.rejects(collect({ settings: settingsOf(slapd, { bindPassword: wrong }) }), (error: Error & { code?: string }) => {
      assert.equal(error.code, LegacyStoreErrorCode.MISCONFIGURED);
      assert.match(error.message, /refused the service account's bind; check LEGACY_LDAP_BIND_DN and LEGACY_LDAP_BIND_PASSWORD/);
      assert.doesNotMatch(`${error.message} ${error.stack}`, new RegExp(wrong.replace(/[!-]/g, '.')));
      return true;
    });
    await assert.rejects(countLdapSource(settingsOf(slapd, { bindPassword: wrong })), storeError(LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_LDAP_BIND_PASSWORD/));
  });

  test('a search base that names nothing, and a base the service may not read, name LEGACY_LDAP_SEARCH_BASE', async () => {
    await assert.rejects(collect({ settings: settingsOf(slapd, { searchBase: 'ou=nobody,dc=example,dc=org' }) }), storeError(LegacyStoreErrorCode.MISCONFIGURED, /LEGACY_LDAP_SEARCH_BASE/));
  });

  test('a directory that cannot be reached is unavailable', async () => {
    await assert.rejects(collect({ settings: settingsOf(slapd, { url: new URL('ldap://127.0.0.1:1') }) }), storeError(LegacyStoreErrorCode.UNAVAILABLE, /Could not reach/));
  });
});

describe('premigrate source: a directory with slapd’s default size limit', { skip }, () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd({ entries: BULK_LDIF.slice(0, 600).join('\n\n') });
  });
  after(async () => {
    await slapd?.stop();
  });

  test('a listing cut at the size limit (500) is an error that says how to lift it, not a quiet 500 accounts', async () => {
    const seen: SourceRow[] = [];
    await assert.rejects(
      (async () => {
        for await (const row of readLdapSource({ settings: settingsOf(slapd) })) seen.push(row);
      })(),
      storeError(LegacyStoreErrorCode.MISCONFIGURED, /stopped the listing at its size limit \(result 4\); let LEGACY_LDAP_BIND_DN list more entries/),
    );
    assert.equal(seen.length, 500, 'the first page was listed before the limit was met');
    await assert.rejects(countLdapSource(settingsOf(slapd)), /size limit/);
  });
});

describe('premigrate source: a directory over StartTLS and ldaps://, as serve connects', { skip }, () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd({ entries: BULK_LDIF.slice(0, 3).join('\n\n'), tls: true });
  });
  after(async () => {
    await slapd?.stop();
  });

  test('StartTLS and ldaps:// with LEGACY_LDAP_CA_FILE list the accounts; a CA that did not sign the certificate is named', async () => {
    const startTls = await collect({ settings: settingsOf(slapd, { startTls: true, caFile: slapd.caFile }) });
    assert.equal(startTls.length, 3);
    const ldaps = await collect({ settings: settingsOf(slapd, { url: new URL(slapd.ldapsUrl!), caFile: slapd.caFile }) });
    assert.deepEqual(ldaps.map((row) => row.row?.email), ['u0@example.org', 'u1@example.org', 'u2@example.org']);
    await assert.rejects(
      countLdapSource(settingsOf(slapd, { startTls: true, caFile: slapd.otherCaFile })),
      storeError(LegacyStoreErrorCode.MISCONFIGURED, /certificate we do not trust .*check LEGACY_LDAP_CA_FILE/),
    );
  });
});
