import { InvalidArgumentError, Option, type Command } from 'commander';
// The two lists alone, not legacy/import/index.js: option parsing is loaded for every command, even --help.
import { CSV_COLUMNS } from '../../legacy/import/csv-columns.js';
import { IMPORT_FORMAT_IDS } from '../../legacy/import/format.js';
import type { LegacyImportCommandOptions } from '../actions/legacy-import.js';

const collectField = (value: string, map: Record<string, string>) => {
  const at = value.indexOf('=');
  const column = at === -1 ? value : value.slice(0, at);
  const source = at === -1 ? '' : value.slice(at + 1);
  if (!(CSV_COLUMNS as readonly string[]).includes(column) || source === '' || source.length > 128) {
    throw new InvalidArgumentError(`expected <column>=<source column>, the column one of ${CSV_COLUMNS.join(', ')}.`);
  }
  return { ...map, [column]: source };
};

export function registerLegacy(program: Command, setExitCode: (code: number) => void): void {
  const legacy = program.command('legacy').description('the legacy store: import a vendor export file into a SQLite store serve and premigrate read');

  legacy
    .command('import')
    .description('convert an Auth0, Firebase or Keycloak export, or any CSV, into a SQLite legacy store (table legacy_users) and print the settings that use it')
    .addOption(new Option('--format <format>', 'the export format').choices(IMPORT_FORMAT_IDS).makeOptionMandatory())
    .requiredOption('--from <file>', 'the export file (keycloak: or a directory of <realm>-users-<n>.json files)')
    .requiredOption('--out <sqlite-url>', 'the SQLite database to write, e.g. sqlite://./legacy.db (created if missing; only legacy_users is replaced)')
    .option('--hash-config <file>', "firebase: the console's hash_config { … } block, or JSON with its keys; csv: JSON {\"scheme\", \"params\"}")
    .option('--write-env <file>', 'write the settings to this dotenv file (mode 600; other lines kept) instead of printing them')
    .option('--field <column=source>', `csv: the header column a table column comes from, e.g. password_hash=pwd (repeatable; columns: ${CSV_COLUMNS.join(', ')})`, collectField, {})
    .addHelpText(
      'after',
      `
Examples:
  # Auth0 password hash export (NDJSON from Auth0 support): bcrypt hashes, used as they are
  entra-migrate legacy import --format auth0 --from ./auth0-export.json --out sqlite://./legacy.db

  # Firebase: firebase auth:export users.json (or users.csv), with the project's hash parameters saved from
  # the console (Authentication → Users → ⋮ → Password hash parameters) as hash-config.txt
  entra-migrate legacy import --format firebase --from ./users.json --hash-config ./hash-config.txt \\
    --out sqlite://./legacy.db --write-env ./serve.env

  # Keycloak: kc.sh export --realm demo --file demo-realm.json (or --dir with --users different_files)
  entra-migrate legacy import --format keycloak --from ./demo-realm.json --out sqlite://./legacy.db

  # Any CSV with a header line: say which columns hold what
  entra-migrate legacy import --format csv --from ./users.csv --field id=user_id --field email=mail \\
    --field password_hash=pwd --out sqlite://./legacy.db

The table: legacy_users(id, email, username, password_hash, scheme, salt, status, profile_json), replaced as a whole
when the import succeeds (a reader sees the old table or the new one; a run that fails or is killed leaves the old
one). Printed on standard output, or written with --write-env: LEGACY_DATABASE_URL, LEGACY_USER_QUERY (the sign-in
name against email or username, case-blind), LEGACY_EXPORT_QUERY and, for Firebase, LEGACY_HASH_SCHEME and
LEGACY_HASH_PARAMS (they hold the project's signer key: keep the file private). Progress and the summary go to
standard error. Rows that cannot be used (no password hash, a hash serve could not verify, a duplicate id or sign-in
name, a broken record) are counted by reason and listed by line, never by content. See docs/legacy-import.md.

Exit codes: 0 every record imported; 1 the table was replaced but some records could not be used; 2 wrong options,
an unreadable or malformed file or hash configuration, or not one usable record (legacy_users left as it was).`,
    )
    .action(async (options: LegacyImportCommandOptions) => setExitCode(await (await import('../actions/legacy-import.js')).legacyImportCommand(options)));
}
