import { InvalidArgumentError, type Command } from 'commander';
import type { PremigrateCommandOptions } from '../actions/premigrate.js';

const EXTENSION_ATTRIBUTE = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;

const collectAttribute = (value: string, map: Record<string, string>) => {
  const [field, attribute] = value.split('=', 2);
  if (!field || !attribute || !EXTENSION_ATTRIBUTE.test(attribute)) throw new InvalidArgumentError('expected <source field>=extension_<appIdWithoutHyphens>_<name>.');
  return { ...map, [field]: attribute };
};

/** The record fields a source column can be mapped to, as `--field` names them, and the mapping's key for each. */
const RECORD_FIELDS: Readonly<Record<string, string>> = {
  id: 'id',
  email: 'email',
  display_name: 'displayName',
  given_name: 'givenName',
  surname: 'surname',
  password: 'password',
  phone: 'phone',
  enabled: 'enabled',
};

const collectField = (value: string, map: Record<string, string>) => {
  const [field, column] = value.split('=', 2);
  const key = field === undefined ? undefined : RECORD_FIELDS[field];
  if (!key || !column || column.length > 128) throw new InvalidArgumentError(`expected <field>=<source column>, the field one of ${Object.keys(RECORD_FIELDS).join(', ')}.`);
  return { ...map, [key]: column };
};

const parseRate = (value: string) => {
  const rate = Number(value);
  if (!(rate > 0 && rate <= 60)) throw new InvalidArgumentError('writes per second, above 0 and at most 60 (the per-tenant limit).');
  return rate;
};

export function registerPremigrate(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('premigrate')
    .description('phase 1: create every legacy account in Entra through Graph, flagged toBeMigrated; resumable and idempotent')
    .option('--from <file>', 'a .jsonl or .csv file of legacy accounts (fields: id, email, display_name, given_name, surname, password, phone, enabled); without it, LEGACY_EXPORT_QUERY is read from LEGACY_DATABASE_URL, or the directory at LEGACY_LDAP_URL is listed with LEGACY_LDAP_EXPORT_FILTER')
    .option('--env-file <file>', "a dotenv file of settings (KEY=value lines, e.g. setup --write-env's); the environment wins")
    .option('--dry-run', "validate every record, look up conflicts in Entra and check the tenant's directory quota; write nothing")
    .option('--sync', 'keep the pre-created accounts up to date instead: PATCH names, mail and the e-mail identity that changed in the source, disable accounts blocked in it or gone from it, re-enable those that came back; a dry run printing the diff unless --apply')
    .option('--apply', 'with --sync: write the changes')
    .option('--allow-mass-disable', 'with --sync: disable more than 5 % of the pre-created accounts (at least 10) in one run')
    .option('--rate <writes/s>', 'Graph write budget per app registration', parseRate, 18)
    .option('--credentials <file.json>', 'several app registrations, each with its own write budget: [{"clientId", "clientSecret" | "certificatePath"}, …] (mode 600)')
    .option('--email-method', "register each account's e-mail as its e-mail authentication method (UserAuthenticationMethod.ReadWrite.All)")
    .option('--phone-method', "register each account's phone (field phone, e.g. +1 2065550100) as its mobile phone method")
    .option('--field <field=column>', 'read a record field from a differently named source column (a directory attribute for the directory), e.g. email=EmailAddress (repeatable)', collectField, {})
    .option('--legacy-id-attribute <name>', 'directory extension attribute that receives the legacy id')
    .option('--attribute <field=extension_…>', 'write a source field to a directory extension attribute (repeatable)', collectAttribute, {})
    .option('--failures <file.csv>', 'write every failed account and every row skipped as invalid or duplicate as CSV: legacy_id, reason, line (in the --from file; the row number in id order for the SQL export; the entry number in the listing for a directory)')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Settings (environment, over --env-file): the tenant in ENTRA_TENANT_ID or AZURE_TENANT_ID (both set must agree), ENTRA_TENANT_DOMAIN
(e.g. contoso.onmicrosoft.com), MIGRATION_FLAG_ATTRIBUTE (extension_<appId>_toBeMigrated), LEDGER_DATABASE_URL
(default sqlite://./data/ledger.db).
Graph: GRAPH_BASE_URL (default https://graph.microsoft.com), AZURE_AUTHORITY_HOST (default
https://login.microsoftonline.com), AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH; with
neither, a managed identity. --credentials replaces the AZURE_CLIENT_* settings. The app registrations need
User.ReadWrite.All.
SQL source: LEGACY_DATABASE_URL and LEGACY_EXPORT_QUERY, a SELECT without ORDER BY or LIMIT that returns an id column,
e.g. "SELECT id, email, display_name FROM users WHERE deleted = 0"; it is read in pages ordered by id.
Directory source: LEGACY_LDAP_URL and LEGACY_LDAP_EXPORT_FILTER, an LDAP filter without {username}, e.g.
"(objectClass=inetOrgPerson)"; the entries under LEGACY_LDAP_SEARCH_BASE are listed in pages of 500 as
LEGACY_LDAP_BIND_DN (with LEGACY_LDAP_BIND_PASSWORD, LEGACY_LDAP_STARTTLS, LEGACY_LDAP_CA_FILE as for serve). id from
LEGACY_LDAP_ID_ATTRIBUTE (default entryUUID), email from mail (else userPrincipalName), display_name from displayName
(else cn), given_name from givenName, surname from sn, phone (with --phone-method) from mobile (else telephoneNumber),
enabled false for a blocked entry (userAccountControl bit 2, nsAccountLock TRUE, pwdAccountLockedTime 000001010000Z).
Set one source: the SQL export or the directory.
The field enabled (true/false, 1/0, yes/no; missing is enabled) marks accounts blocked in the legacy system: they are
created disabled. For a column that says the opposite, select it inverted, e.g. "SELECT …, NOT blocked AS enabled".

--sync: for every account premigrate created, compares the source with the fingerprint the ledger recorded and, where
it differs (or none was recorded), reads the user from Graph and PATCHes what differs: displayName, givenName,
surname, mail and the e-mail identity. Accounts blocked in the source, or gone from it, are disabled (accountEnabled
false) once the source has been read to the end without an error; never after an interrupted or failed read. A run
that would disable more than 5 % of the pre-created accounts (at least 10) disables nobody unless
--allow-mass-disable. Accounts a sync disabled are re-enabled when they are back. Accounts the ledger does not hold
are never touched. Without --apply nothing is written: the diff is printed (old → new).

Each account is recorded in the ledger as pending before it is sent and created/existing/failed after; run the same
command again to resume: accounts already created are skipped, and any left pending are looked up, never re-created.
Rows that are invalid (no id, a bad e-mail, a broken CSV record) or duplicate (an id or e-mail seen earlier in the
source) are never sent: they count as failed and are listed with their line in the file (their row or entry
number for the SQL export or the directory), under the summary and in --failures.

Ctrl-C (or SIGTERM) answers at once with "stopping: N batches in flight, nothing new is sent", even when the source
has been read to the end; those batches finish and are recorded, then the command exits with 1. A second Ctrl-C
exits at once (130), leaving the accounts of the batches in flight pending. Either way, run the same command again
to resume.

Exit codes: 0 every account done; 1 an account failed, a row was invalid or duplicate, the run was interrupted,
(dry run) the accounts do not fit the directory quota, or (--sync) the mass-disable guard refused; 2 invalid settings or options, or a --from file that cannot
be read (nothing was contacted); 130 a second Ctrl-C.`,
    )
    .action(async (options: PremigrateCommandOptions) => setExitCode(await (await import('../actions/premigrate.js')).premigrateCommand(options)));
}
