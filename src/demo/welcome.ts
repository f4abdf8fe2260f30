import type { RunningDemo } from './start-demo.js';

/** What the console shows once the demo runs: where to sign in, as whom, and what each account will do. */
export function demoWelcome(demo: Pick<RunningDemo, 'signInUrl' | 'extensionUrl' | 'dataDir' | 'legacy' | 'legacyStore' | 'users'>): string {
  const b2c = demo.legacy === 'b2c';
  const rows = demo.users.map((user) => [user.email, user.password, ...(b2c ? [] : [user.format]), user.expected]);
  const header = ['sign-in name', 'legacy password', ...(b2c ? [] : ['legacy hash']), 'extension answers'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => '  ' + cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [
    '',
    'entra-migrate demo is running.',
    '',
    `  Sign in here:     ${demo.signInUrl}`,
    `  Extension:        ${demo.extensionUrl}`,
    `  Legacy store:     ${demo.legacyStore}`,
    `  Demo data:        ${demo.dataDir} (${b2c ? '' : 'legacy.db, '}ledger.db, extension-key.pem)`,
    '',
    'Every user below exists in the emulated Entra tenant with a random password and toBeMigrated = true.',
    'Sign in with the legacy password: Entra calls the extension, which checks it against the legacy store.',
    'Sign in again: the password now lives in Entra and the extension is not called.',
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    'These passwords are public demo data. Press Ctrl-C to stop.',
    '',
  ].join('\n');
}
