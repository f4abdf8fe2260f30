import { basename, extname } from 'node:path';
import { readCsvRecords } from './csv-records.js';
import { readFirebaseHashConfig } from './firebase-hash-config.js';
import type { ImportFormat } from './format.js';
import type { SourceItem } from './imported-user.js';
import { readJsonRecords } from './json-records.js';
import { LegacyImportError, LegacyImportErrorCode } from './errors.js';
import { checkReadable, refuseOption } from './source-file.js';
import { userOf } from './user-checks.js';

/** Limits on one exported account: Firebase's custom claims are at most 1,000 bytes, everything else is short. */
const MAX_RECORD = 1024 * 1024;
const MAX_DEPTH = 32;

/**
 * Firebase Authentication's `firebase auth:export users.json|users.csv`, with the project's password hash
 * parameters (`--hash-config`). Each password account becomes a `firebase-scrypt` row: the export's base64
 * `passwordHash` and `salt`, the project's signer key, salt separator, rounds and memory cost going to `serve` as
 * LEGACY_HASH_PARAMS. The file's extension says how to read it (.csv, else JSON). Layouts from firebase-tools
 * src/accountExporter.ts and https://firebase.google.com/docs/cli/auth#file_format.
 */
export const firebaseFormat: ImportFormat = {
  id: 'firebase',
  async prepare(options) {
    if (Object.keys(options.fields).length > 0) throw refuseOption('--field', 'firebase', '--format csv');
    if (options.hashConfig === undefined) {
      throw new LegacyImportError(
        LegacyImportErrorCode.HASH_CONFIG_INVALID,
        '--hash-config is required with --format firebase: save the hash_config block the Firebase console shows (Authentication → Users → ⋮ → Password hash parameters) to a file and name it.',
      );
    }
    await checkReadable('--from', options.from);
    const hashDefaults = await readFirebaseHashConfig(options.hashConfig);
    const shown = basename(options.from);
    return {
      hashDefaults,
      records: () => (extname(options.from).toLowerCase() === '.csv' ? csvRecords(options.from, shown) : jsonRecords(options.from, shown)),
    };
  },
};

async function* jsonRecords(path: string, shown: string): AsyncGenerator<SourceItem> {
  const records = readJsonRecords(path, { arrayKey: 'users', shown, expected: 'a Firebase auth:export JSON file', maxValueBytes: MAX_RECORD, maxRecordChars: MAX_RECORD, maxDepth: MAX_DEPTH });
  for await (const record of records) {
    const at = { line: record.line };
    if ('problem' in record) {
      yield { at, problem: record.problem };
      continue;
    }
    const { value } = record;
    const user = firebaseUser({
      localId: value.localId,
      email: value.email,
      emailVerified: value.emailVerified,
      passwordHash: value.passwordHash,
      salt: value.salt,
      displayName: value.displayName,
      phoneNumber: value.phoneNumber,
      disabled: value.disabled === true,
    });
    yield 'reason' in user ? { at, problem: user.reason } : { at, user };
  }
}

/**
 * The CSV export: no header; UID, Email, Email Verified, Password Hash, Password Salt, Name, Photo URL, the Google,
 * Facebook, Twitter and GitHub columns (7–22), User Creation Time, Last Sign-In Time, Phone Number (25), Disabled
 * (26), Custom Attributes, and a trailing comma. Older exports stop after the phone number.
 */
async function* csvRecords(path: string, shown: string): AsyncGenerator<SourceItem> {
  let first = true;
  for await (const { line, fields } of readCsvRecords(path, { shown, maxRecordBytes: MAX_RECORD })) {
    // A header someone added by hand is not an account.
    if (first && /^(uid|localid)$/i.test(fields[0]?.trim() ?? '')) continue;
    first = false;
    if (fields.length < 6) {
      yield { at: { line }, problem: `${fields.length} fields where a Firebase CSV record has at least 6` };
      continue;
    }
    const user = firebaseUser({
      localId: fields[0],
      email: fields[1],
      emailVerified: fields[2] === 'true',
      passwordHash: fields[3],
      salt: fields[4],
      displayName: fields[5],
      phoneNumber: fields[25],
      disabled: fields[26] === 'true',
    });
    yield 'reason' in user ? { at: { line }, problem: user.reason } : { at: { line }, user };
  }
}

interface FirebaseAccount {
  localId: unknown;
  email: unknown;
  emailVerified: unknown;
  passwordHash: unknown;
  salt: unknown;
  displayName: unknown;
  phoneNumber: unknown;
  disabled: boolean;
}

function firebaseUser(account: FirebaseAccount): ReturnType<typeof userOf> {
  const hasHash = typeof account.passwordHash === 'string' && account.passwordHash !== '';
  if (hasHash && (typeof account.salt !== 'string' || account.salt === '')) return { reason: 'password hash without its salt' };
  return userOf({
    id: account.localId,
    email: account.email,
    username: null,
    passwordHash: account.passwordHash,
    scheme: hasHash ? 'firebase-scrypt' : null,
    salt: account.salt,
    status: account.disabled ? 'disabled' : 'active',
    profile: { display_name: account.displayName, phone: account.phoneNumber, email_verified: account.emailVerified },
  });
}
