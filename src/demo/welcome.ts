import type { RunningDemo } from './start-demo.js';

type WelcomeFacts = Pick<RunningDemo, 'signInUrl' | 'signUpUrl' | 'extensionUrl' | 'dashboardUrl' | 'dataDir' | 'legacy' | 'legacyStore' | 'users' | 'lateUsers' | 'signUp' | 'tokenIssuance'>;

/** What the console shows once the demo runs: where to sign in and sign up, as whom, and what each account will do. */
export function demoWelcome(demo: WelcomeFacts): string {
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
    `  Sign up here:     ${demo.signUpUrl} (SIGNUP_COLLISION=${demo.signUp.collision}, SIGNUP_PREFILL=${demo.signUp.prefill})`,
    `  Extension:        ${demo.extensionUrl}`,
    `  Dashboard:        ${demo.dashboardUrl} (the ledger, live: sign in and watch it move)`,
    `  Legacy store:     ${demo.legacyStore}`,
    `  Demo data:        ${demo.dataDir} (${b2c ? '' : 'legacy.db, '}ledger.db, extension-key.pem)`,
    '',
    'Every user below exists in the emulated Entra tenant with a random password and toBeMigrated = true.',
    'Sign in with the legacy password: Entra calls the extension, which checks it against the legacy store.',
    'Sign in again: the password now lives in Entra and the extension is not called.',
    ...tokenClaimsLines(demo),
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
    '',
    ...signUpLines(demo),
    '',
    'These passwords are public demo data. Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

/** What to try on the sign-up page under the demo's policy, and "Forgot password". */
function signUpLines(demo: WelcomeFacts): string[] {
  const late = demo.lateUsers.map((user) => user.email).join(', ');
  const legacyIds = demo.lateUsers.map((user) => user.id).join(', ');
  const collision = (): string[] => {
    if (!demo.signUp.prefill) {
      return [
        `  - Sign up with ${late}: this legacy store cannot look an e-mail address up (--legacy sqlite can),`,
        '    so the extension lets every sign-up through.',
      ];
    }
    switch (demo.signUp.collision) {
      case 'block':
        return [
          `  - Sign up with ${late}: the extension finds the legacy account, creates it in Entra as premigrate would,`,
          '    and Entra shows its block page: "There is already an account with this e-mail address. Sign in with your',
          '    existing password." Then sign in with the legacy password: it migrates like the others.',
        ];
      case 'link':
        return [
          `  - Sign up with ${late}: the attribute page is prefilled from the legacy profile; the new account carries`,
          `    the legacy id (${legacyIds}) in ${demo.signUp.legacyIdAttribute},`,
          '    and the ledger records it as migrated by sign-up.',
        ];
      case 'off':
        return [`  - Sign up with ${late}: the extension lets it through, the attribute page prefilled from the legacy profile.`];
    }
  };
  return [
    'Sign-up: Entra calls the extension before and after the attribute page (the one-time code is shown on the page).',
    `${demo.lateUsers.map((user) => `${user.email} (legacy password ${user.password})`).join(', ')} ${demo.lateUsers.length === 1 ? 'is' : 'are'} in the legacy store but`,
    'not yet in Entra: added after the bulk run.',
    ...collision(),
    '  - Sign up with any other address: the account is created as usual.',
    `  - Sign up with a pre-created address (${demo.users[0]?.email ?? 'any above'}): Entra itself says the account exists.`,
    'Forgot password: "Forgot password?" on the sign-in page, as any user above. Entra sets the new password without',
    'the extension, and the next sign-in does not call it either.',
  ];
}

/** One sentence on OnTokenIssuanceStart, when the demo configured it: where the legacy claims show. */
function tokenClaimsLines(demo: WelcomeFacts): string[] {
  if (!demo.tokenIssuance) return [];
  const legacyClaims = demo.tokenIssuance.claims.filter((claim) => claim !== 'legacyId').join(' and ');
  return [
    "Every sign-in also calls the extension's OnTokenIssuanceStart: the page after sign-in shows the id token's claims,",
    `including ${legacyClaims} from the legacy store.`,
  ];
}
