import { openLegacyAuthority } from '../../app/open-legacy-authority.js';
import { readBoundedLines } from '../../common/bounded-lines.js';
import { EntraMigrateError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import { ConfigError, loadLegacyStoreConfig, loadSettings } from '../../config/index.js';
import { sourceFileProblem } from '../../bulk/sources.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';

/** Longest credentials line read, in bytes. */
const MAX_LINE_BYTES = 16 * 1024;
/** Time each check may take, as a sign-in's deadline would allow at most. */
const CHECK_TIMEOUT_IN_MS = 2000;
/** The object id the checks present: no Entra user stands behind a test credential. */
const NO_OBJECT_ID = '00000000-0000-0000-0000-000000000000';

/** What one known credential got from the configured legacy store. */
type Verdict = 'correct' | 'must change password' | 'wrong password' | 'no such account' | 'blocked' | 'unavailable' | 'unreadable line';

/**
 * `entra-migrate hash survey --check FILE`: each `{"username", "password"}` line (test credentials the legacy team
 * knows to be right) is checked through the legacy store `serve` is configured with — the same lookup query, hash
 * verification, web service or directory a sign-in would use — so a configuration error shows before users meet
 * it. One line per credential: its line number, the username, the verdict (never the password); exit 0 when every
 * credential is correct, 1 otherwise, 2 for invalid settings.
 */
export async function hashCheck(options: { check: string; envFile?: string; json?: boolean }): Promise<number> {
  let authority: Awaited<ReturnType<typeof openLegacyAuthority>> | undefined;
  try {
    const problem = await sourceFileProblem(options.check);
    if (problem && !problem.startsWith('is not a .jsonl')) throw new ConfigError([{ setting: '--check', problem: `${options.check} ${problem}` }]);
    const config = loadLegacyStoreConfig(loadSettings({ env: process.env, envFile: options.envFile }));
    authority = await openLegacyAuthority(config, silentLogger());
    const results: Array<{ line: number; username: string | null; verdict: Verdict; code?: string }> = [];
    for await (const read of readBoundedLines(options.check, MAX_LINE_BYTES)) {
      if ('problem' in read) {
        results.push({ line: read.line, username: null, verdict: 'unreadable line' });
        continue;
      }
      if (read.text.trim() === '') continue;
      const credential = parseCredential(read.text);
      if (!credential) {
        results.push({ line: read.line, username: null, verdict: 'unreadable line' });
        continue;
      }
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), CHECK_TIMEOUT_IN_MS);
      try {
        const check = await authority.checkPassword(
          { username: credential.username, email: credential.username.includes('@') ? credential.username : null, objectId: NO_OBJECT_ID, password: credential.password },
          { abortSignal: abort.signal, deadlineAt: Date.now() + CHECK_TIMEOUT_IN_MS },
        );
        const verdict: Verdict =
          check.outcome === 'correct' ? (check.mustChangePassword ? 'must change password' : 'correct') : check.outcome === 'wrong' ? 'wrong password' : check.outcome === 'unknown' ? 'no such account' : 'blocked';
        results.push({ line: read.line, username: credential.username, verdict });
      } catch (error) {
        results.push({ line: read.line, username: credential.username, verdict: 'unavailable', code: error instanceof EntraMigrateError ? error.code : 'UNEXPECTED_ERROR' });
      } finally {
        clearTimeout(timer);
      }
    }
    const failures = results.filter((result) => result.verdict !== 'correct' && result.verdict !== 'must change password');
    if (options.json) process.stdout.write(`${JSON.stringify({ checked: results.length, correct: results.length - failures.length, results })}\n`);
    else {
      for (const result of results) process.stdout.write(`line ${result.line}: ${result.username === null ? '' : `${result.username.slice(0, 256)}: `}${result.verdict}${result.code ? ` (${result.code})` : ''}\n`);
      process.stdout.write(`${results.length - failures.length} of ${results.length} known credentials are correct through the ${authority.kind} legacy store.\n`);
    }
    return failures.length === 0 && results.length > 0 ? ExitCode.OK : ExitCode.FAILURE;
  } catch (error) {
    return reportError('hash survey', error);
  } finally {
    await authority?.close();
  }
}

function parseCredential(text: string): { username: string; password: string } | null {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const { username, password } = value as Record<string, unknown>;
    return typeof username === 'string' && username !== '' && typeof password === 'string' ? { username, password } : null;
  } catch {
    return null;
  }
}
