import { InvalidArgumentError, type Command } from 'commander';

export function registerHash(program: Command, setExitCode: (code: number) => void): void {
  const hash = program.command('hash').description('check legacy password hashes: identify a format, verify passwords in bulk, survey a legacy store before go-live');

  hash
    .command('verify')
    .description('verify JSON lines from standard input; one JSON line per input line on standard output, same order')
    .addHelpText(
      'after',
      `
Input, one object per line:  {"hash": "...", "password": "...", "scheme"?: "...", "params"?: {...}}
Output, one line per input:  {"match": true} | {"match": false} | {"error": "<why, never the password>"}

"scheme" may be omitted for self-describing formats (bcrypt, argon2, $6$, pbkdf2_sha256$, {SSHA}, …). Name it for
configured ones: digest, hmac, aspnet-membership, keycloak, werkzeug-legacy, … with their params. On any scheme,
params may hold "pepper" (appended), "pre" ([{"algorithm": "md5", "encoding": "hex"}, …] applied first) and
"passwordEncoding" (utf8 | utf16le | latin1). Exit code 0 once every line has an answer.

Example:
  echo '{"hash": "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", "password": "rasmuslerdorf"}' \\
    | entra-migrate hash verify`,
    )
    .action(async () => setExitCode(await (await import('../actions/hash.js')).verifyLines(process.stdin, process.stdout)));

  hash
    .command('survey')
    .description('before go-live: count the legacy store\'s hashes by format and cost, time each on this machine, and say what capacity they imply; never prints a hash or a salt')
    .option('--from <file>', 'a .jsonl file of {"hash", "scheme"?, "params"?} lines (or .csv with a hash column) instead of the legacy database')
    .option('--env-file <file>', 'dotenv file of settings: LEGACY_DATABASE_URL, LEGACY_EXPORT_QUERY, LEGACY_HASH_SCHEME, LEGACY_HASH_PARAMS, LEGACY_HASH_LIMITS')
    .option('--samples <n>', 'verifications timed per format and cost class (0 times none)', (value: string) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('a whole number from 0 to 100.');
      return n;
    }, 3)
    .option('--check <file>', 'instead: check known test credentials ({"username", "password"} lines) through the legacy store serve is configured with; never prints a password')
    .option('--json', 'print the report as one JSON object')
    .addHelpText(
      'after',
      `
Without --from, the rows come from the legacy database as premigrate reads it: LEGACY_EXPORT_QUERY on
LEGACY_DATABASE_URL, with a password_hash column (and scheme, salt, username where the store has them). Rows that name
no scheme take LEGACY_HASH_SCHEME and LEGACY_HASH_PARAMS as serve does; LEGACY_HASH_LIMITS are serve's ceilings.

For each format: rows, share, cost classes (bcrypt cost, iterations, memory …), the time one verification takes
here, rows over the ceilings and rows not in the format's canonical form; then rows in no known format (counted by
shape, never quoted), disabled-password markers, and the verifications per second per core at the observed mix
against Entra's peak of 50 sign-ins a second.

--check FILE reads serve's settings (the environment, or --env-file) and checks each credential end to end as a
sign-in would: the lookup query and hash, the web service, the directory or the password grant. One line per
credential: line number, username, verdict (correct, wrong password, no such account, blocked, unavailable with its
code). Exit 0 when every credential is correct.

Exit codes: 0 every row can be verified (every credential correct), 1 some rows cannot (some credential is not),
2 invalid options or settings.`,
    )
    .action(async (options: { from?: string; envFile?: string; samples: number; json?: boolean; check?: string }) =>
      setExitCode(
        options.check !== undefined
          ? await (await import('../actions/hash-check.js')).hashCheck({ check: options.check, ...(options.envFile !== undefined && { envFile: options.envFile }), ...(options.json && { json: true }) })
          : await (await import('../actions/hash-survey.js')).hashSurvey(options),
      ),
    );

  hash
    .command('identify')
    .argument('<hash>', 'a stored hash (quote it: it usually holds $)')
    .description('name the format of a stored hash and its parameters')
    .option('--json', 'print {"format", "params"} as JSON')
    .action(async (stored: string, options: { json?: boolean }) => setExitCode((await import('../actions/hash.js')).identify(stored, options.json === true)));
}
