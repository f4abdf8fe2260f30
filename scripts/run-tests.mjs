// Runs every test/**/*.test.ts file with Node's own test runner, TypeScript loaded through tsx.
// Node 20's `--test` does not expand globs or find .ts files by itself, hence this list.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return path.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests('test').sort();
// Passwords the tests push through the real code paths (test/support/canaries.ts). Everything the test run
// prints is searched for them afterwards: a hit means a password reached a log, an error or a report.
// The one-time code canary (CANARY_OTP_CODE) goes through the OTP send paths, failures included.
const CANARIES = ['Canary-Correct-Horse-7!', 'Canary-Wrong-Battery-8!', 'canarypassword', 'Canary-Grüße-😀-9', 'CanaryOtp31415926'];

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, NODE_ENV: 'test' },
});
const output = [];
child.stdout.on('data', (chunk) => { output.push(chunk); process.stdout.write(chunk); });
child.stderr.on('data', (chunk) => { output.push(chunk); process.stderr.write(chunk); });
child.on('close', (code, signal) => {
  const text = Buffer.concat(output).toString('utf8');
  const leaked = CANARIES.filter((canary) => text.includes(canary));
  if (leaked.length > 0) {
    process.stderr.write(`\nSECRET LEAK: the test output contains ${leaked.length} canary password(s) or code(s); find them with: npm test 2>&1 | grep -nF -e 'Canary-' -e 'CanaryOtp'\n`);
    process.exit(1);
  }
  // Silent on success, so the runner's own summary stays the last lines of the run.
  process.exit(code ?? (signal ? 1 : 0));
});
