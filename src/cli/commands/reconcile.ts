import { InvalidArgumentError, type Command } from 'commander';
import type { ReconcileCommandOptions } from '../actions/reconcile.js';

/** `--grace`: whole minutes, 0 to 10,080 (a week). */
const parseGrace = (value: string) => {
  const minutes = Number(value);
  if (!/^\d{1,5}$/.test(value) || minutes > 10_080) throw new InvalidArgumentError('whole minutes from 0 to 10080 (a week), e.g. 30.');
  return minutes;
};

const UNIT_IN_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/** `--watch`: a number with a unit (30s, 5m, 1h), at least 10 s and at most a day; a bare number is seconds. */
const parseInterval = (value: string) => {
  const match = /^(\d{1,6})(s|m|h)?$/.exec(value);
  const ms = match ? Number(match[1]) * UNIT_IN_MS[match[2] ?? 's']! : Number.NaN;
  if (!(ms >= 10_000 && ms <= 86_400_000)) throw new InvalidArgumentError('an interval from 10s to 24h, e.g. 30s, 5m or 1h.');
  return ms;
};

export function registerReconcile(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('reconcile')
    .description('learn through Graph which pre-created accounts migrated (by the extension, by a password reset) and mark them migrated in the legacy store (a query or a POST); reads Graph only')
    .option('--grace <minutes>', 'minutes after our last MigratePassword answer before an account whose flag is still true is "not applied"', parseGrace, 30)
    .option('--json', 'print the summary as JSON (keys in docs/reconcile.md)')
    .option('--watch <interval>', 'run again every interval (30s, 5m, 1h) until SIGINT or SIGTERM: for a container next to serve', parseInterval)
    .option('--env-file <file>', "a dotenv file of settings (KEY=value lines, e.g. setup --write-env's); the environment wins")
    .option('--credentials <file.json>', 'several app registrations, each with its own read budget: [{"clientId", "clientSecret" | "certificatePath"}, …] (mode 600)')
    .addHelpText(
      'after',
      `
For every account premigrate created (or found) that the ledger does not yet hold as migrated, reconcile reads its
flag and lastPasswordChangeDateTime through Graph (GETs with $select, 20 to a $batch, paced, Retry-After honoured;
never a write) and records one state:
  migrated-by-extension  we answered MigratePassword and the flag is now false
  migrated-by-reset      the flag is false and the password changed after the pre-creation, no MigratePassword of ours
  pending                the flag is still true (not signed in yet, or our answer is younger than --grace)
  not-applied            we answered MigratePassword but the flag is still true --grace minutes later: listed with the
                         legacy id, object id and correlation ids, read again every run
  released-by-cutover    cutover cleared the flag (never counted as a reset)
Pending and not-applied accounts are read again on every run; migrated ones never.

Settings (environment, over --env-file): the tenant in ENTRA_TENANT_ID or AZURE_TENANT_ID, MIGRATION_FLAG_ATTRIBUTE,
LEDGER_DATABASE_URL (default sqlite://./data/ledger.db), GRAPH_BASE_URL, AZURE_AUTHORITY_HOST, AZURE_CLIENT_ID with
AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (or --credentials). The app registrations need User.Read.All.
Marking, one of:
  LEGACY_MARK_MIGRATED_QUERY, an UPDATE or DELETE run against LEGACY_DATABASE_URL once per account Graph confirms
  migrated, with :legacyId, :objectId and :migratedAt (ISO 8601 UTC), e.g.
    UPDATE users SET migrated_at = :migratedAt WHERE id = :legacyId AND migrated_at IS NULL
  LEGACY_MARK_MIGRATED_URL, for a web-service legacy store: one POST per confirmed account of
  {"legacyId", "objectId", "migratedAt"} with an Idempotency-Key header ("<legacyId, percent-encoded>:<objectId>"),
  with the web service's LEGACY_VERIFY_AUTH, LEGACY_VERIFY_CA_FILE, LEGACY_VERIFY_CLIENT_CERT_FILE and
  LEGACY_VERIFY_CLIENT_KEY_FILE; https (http on loopback only, unless LEGACY_ALLOW_INSECURE_TRANSPORT=true). 2xx or
  410 Gone is done; anything else (404, a redirect, 5xx, no answer within 15 s) is a failed mark. Contract:
  docs/legacy-web-service.md.
Set one of the two, not both.
Delivery is at least once: a crash between the mark and the ledger runs the mark again, so the query or the
service must be safe to run twice. A failed mark is listed and tried again on the next run.

Exit codes: 0 all is well; 1 an account is not applied, a mark failed, Graph left an account unanswered or returned
no flag, or the run was interrupted; 2 invalid settings or options (nothing was contacted). With --watch, the last
run's code once SIGINT or SIGTERM ends it.`,
    )
    .action(async (options: ReconcileCommandOptions) => setExitCode(await (await import('../actions/reconcile.js')).reconcileCommand(options)));
}
