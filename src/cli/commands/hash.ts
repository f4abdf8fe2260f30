import type { Command } from 'commander';

export function registerHash(program: Command, setExitCode: (code: number) => void): void {
  const hash = program.command('hash').description('check legacy password hashes: identify a format, verify passwords in bulk');

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
    .command('identify')
    .argument('<hash>', 'a stored hash (quote it: it usually holds $)')
    .description('name the format of a stored hash and its parameters')
    .option('--json', 'print {"format", "params"} as JSON')
    .action(async (stored: string, options: { json?: boolean }) => setExitCode((await import('../actions/hash.js')).identify(stored, options.json === true)));
}
